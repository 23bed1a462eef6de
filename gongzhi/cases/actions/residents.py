"""The reporter's word (评价) and everyone's support (附议); archiving what nobody
rated."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.actions._common import (
    AUDIT_FIELDS,
    PHONE_RE,
    S,
    allow,
    finish,
    handlers_of,
    level_staff,
    lock_case,
    move_up,
    reporter_of,
    sync,
    tell,
)
from gongzhi.cases.actions.deadlines import resolution_deadline, resolution_workdays
from gongzhi.cases.models import Case, EventKind, Rating, Supporter
from gongzhi.cases.permissions import is_reporter
from gongzhi.core import audit


def _may_rate(case: Case, acting_user, access_token: str | None) -> bool:
    if is_reporter(acting_user, case):
        return True
    return bool(access_token) and secrets.compare_digest(str(access_token), case.access_token)


@transaction.atomic
def rate_case(*, case: Case, rating: str, comment: str = "", acting_user=None,
              access_token: str | None = None, expected_version: int | None = None) -> Case:
    """评价: 满意/基本满意 archive; the first 不满意 reopens, the second escalates."""
    locked = lock_case(case, expected_version)
    if not _may_rate(locked, acting_user, access_token):
        raise PermissionDenied(_("只有反映人可以评价该诉求件"))
    allow(locked, "rate")
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择满意、基本满意或不满意")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("不能超过 %(n)d 个字") % {"n": 500}})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.rating, locked.rating_comment, locked.rated_at = rating, comment, now
    data: dict = {"rating": rating}
    handlers = handlers_of(locked)
    if rating != Rating.UNSATISFIED:
        locked.status, locked.archived_at = S.ARCHIVED, now
    elif locked.reopen_count == 0:
        locked.reopen_count, locked.status, locked.resolved_at = 1, S.IN_PROGRESS, None
        workdays = resolution_workdays(locked.category, locked.priority)
        locked.resolution_due = resolution_deadline(now, workdays)
        locked.expected_resolution = locked.resolution_due
        data["reopened"] = True
    else:
        data["escalated_to"] = move_up(locked).pk
        locked.resolved_at = None
    finish(locked, acting_user=acting_user, kind=EventKind.RATED, action="rate_case",
            before=before, from_status=from_status, note=comment, data=data)
    if data.get("reopened"):
        tell(reporter_of(locked) + handlers, locked, "reopened",
              _("诉求件重新办理：%(title)s") % {"title": locked.title}, comment)
    elif "escalated_to" in data:
        tell(level_staff(locked.handling_area), locked, "escalated",
              _("群众再次不满意，已上报：%(title)s") % {"title": locked.title}, comment)
    sync(case, locked)
    return locked


@transaction.atomic
def _archive_one(pk: int, cutoff: datetime) -> bool:
    case = Case.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if case is None or case.status != S.RESOLVED or not case.resolved_at:
        return False
    if case.resolved_at >= cutoff:
        return False
    before = audit.snapshot(case, AUDIT_FIELDS)
    case.status, case.archived_at = S.ARCHIVED, timezone.now()
    finish(case, acting_user=None, kind=EventKind.ARCHIVED, action="archive_unrated",
            before=before, from_status=S.RESOLVED, note=_("逾期未评价，自动归档"),
            data={"unrated": True})
    return True


def archive_unrated(*, now: datetime | None = None) -> int:
    """Archive resolved cases nobody rated within GONGZHI_RATING_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.GONGZHI_RATING_DAYS)
    ids = Case.objects.filter(status=S.RESOLVED, resolved_at__lt=cutoff).values_list(
        "pk", flat=True)
    return sum(_archive_one(pk, cutoff) for pk in list(ids))


@transaction.atomic
def support_case(*, case: Case, acting_user=None, phone: str = "") -> Supporter | None:
    """附议 ("me too"); once per person. The reporter's own case needs no support."""
    locked = lock_case(case)
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    phone = (phone or "").strip()
    if user is None and not phone:
        raise ValidationError({"phone": _("请登录或留下联系电话")})
    if phone and not PHONE_RE.match(phone):
        raise ValidationError({"phone": _("联系电话格式不正确")})
    if user is not None and locked.reporter_id == user.pk:
        return None
    existing = locked.supporters.filter(**({"user": user} if user else {"phone": phone,
                                                                         "user": None}))
    if existing.exists():
        return existing.first()
    allow(locked, "support")
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    supporter = Supporter.objects.create(case=locked, user=user, phone=phone if not user else "")
    finish(locked, acting_user=acting_user, kind=EventKind.SUPPORTED, action="support_case",
            before=before, from_status=from_status, data={"supporter": supporter.pk})
    sync(case, locked)
    return supporter
