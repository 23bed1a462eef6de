"""Intake (受理前): a new problem from any channel, checked and recorded once."""

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.cases import photos as case_photos
from gongzhi.cases.actions._common import (
    AUDIT_FIELDS,
    PHONE_RE,
    STAFF_SOURCES,
    actor,
    check_category,
    handling_area_for,
)
from gongzhi.cases.actions.deadlines import expected_resolution, response_deadline
from gongzhi.cases.models import Case, CaseEvent, Category, EventKind, Priority, Source
from gongzhi.cases.permissions import can_enter
from gongzhi.cases.text import terms as text_terms
from gongzhi.core import audit
from gongzhi.core.checks import required_text


def _terms(text: str) -> str:
    return " ".join(text_terms(text))


def _check_intake(*, source: str, area, acting_user, reporter):
    """Who reports: staff enter calls and patrol findings; everyone else reports as themselves."""
    if source not in Source.values:
        raise ValidationError({"source": _("未知的来源渠道")})
    if not isinstance(area, AreaNode):
        raise ValidationError({"area": _("请选择问题所在位置")})
    if acting_user is None:
        return reporter  # the system, or an anonymous public report the view let through
    if not getattr(acting_user, "is_authenticated", False):
        if source in STAFF_SOURCES:
            raise PermissionDenied(_("请先登录"))
        return None
    if not acting_user.is_active:
        raise PermissionDenied(_("账号已停用"))
    if source in STAFF_SOURCES:
        if not can_enter(acting_user, area):
            raise PermissionDenied(_("您无权在该区域录入诉求"))
        return reporter
    if source in (Source.API, Source.OPEN311) and can_enter(acting_user, area):
        return reporter
    return acting_user


def _same_sender(existing: Case, acting_user) -> Case:
    """A retried submission returns the first case, but only to whoever sent it."""
    if existing.entered_by_id != getattr(actor(acting_user), "pk", None):
        raise ValidationError({"idempotency_key": _("该幂等键已被使用")})
    return existing


def _coordinate(name: str, value, bound: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not -bound <= number <= bound:
        raise ValidationError({name: _("坐标超出范围")})
    return number


@transaction.atomic
def submit_case(
    *, title: str, description: str, area: AreaNode, source: str, acting_user,
    reporter: User | None = None, reporter_name: str = "", reporter_phone: str = "",
    is_anonymous: bool = False, priority: str = Priority.NORMAL, category: Category | None = None,
    address: str = "", lat: float | None = None, lng: float | None = None, photos=(),
    idempotency_key: str | None = None, created_at: datetime | None = None,
) -> Case:
    """Record a new problem; a repeated ``idempotency_key`` returns the first case."""
    if idempotency_key:
        if len(idempotency_key) > 64:
            raise ValidationError({"idempotency_key": _("幂等键不能超过 64 个字符")})
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_sender(existing, acting_user)
    reporter = _check_intake(source=source, area=area, acting_user=acting_user,
                             reporter=reporter)
    title = required_text(title, "title", _("请填写标题"), 100)
    description = required_text(description, "description", _("请描述问题"), 5000)
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone and not PHONE_RE.match(reporter_phone):
        raise ValidationError({"reporter_phone": _("联系电话格式不正确")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("未知的紧急程度")})
    if category is not None:
        check_category(category)
    lat, lng = _coordinate("lat", lat, 90), _coordinate("lng", lng, 180)
    checked = case_photos.check_photos(photos)
    case = Case(
        created_at=created_at or timezone.now(), title=title, description=description,
        category=category, source=source, priority=priority, area=area, area_path=area.path,
        address=(address or "").strip()[:200], lat=lat, lng=lng,
        handling_area=handling_area_for(area), reporter=reporter,
        reporter_name=(reporter_name or "").strip()[:50], reporter_phone=reporter_phone,
        is_anonymous=bool(is_anonymous), entered_by=actor(acting_user),
        terms=_terms(f"{title} {description}"), idempotency_key=idempotency_key or None,
        access_token=secrets.token_urlsafe(24),
    )
    case.response_due = response_deadline(case.created_at, category, priority)
    # Only a promise until the case is accepted (resolution_due stays empty: it is no
    # deadline yet, for overdue counts, reminders or KPIs).
    case.expected_resolution = expected_resolution(case.created_at, category, priority)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # The same key committed by a parallel request a moment ago.
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return _same_sender(existing, acting_user)
        raise
    event = CaseEvent.objects.create(case=case, actor=actor(acting_user),
                                     kind=EventKind.SUBMITTED, to_status=case.status,
                                     data={"source": source, "photos": len(checked)})
    audit.record(actor=acting_user, action="cases.submit_case", obj=case,
                 after=audit.snapshot(case, AUDIT_FIELDS + ["source", "area"]))
    case_photos.save_photos(case=case, event=event, photos=checked)
    return case
