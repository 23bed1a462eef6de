"""Every change to a public notice: draft, publish, withdraw, object, answer."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can
from gongzhi.notices.models import (
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    ObjectionStatus,
)

FIELDS = ["kind", "title", "area", "status", "period_days", "published_at", "period_ends_at"]
MAX_PERIOD_DAYS = 90
MAX_OBJECTION = 2000


def _require_publisher(acting_user, area) -> None:
    """Staff who publish for ``area`` (None: the system, e.g. a resolution's own step)."""
    if acting_user is not None and not can(acting_user, Perm.PUBLISH_NOTICES, area):
        raise PermissionDenied(_("您无权在该区域发布公示"))



def _period(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"period_days": _("公示期须为整数天")}) from None
    if not 1 <= days <= MAX_PERIOD_DAYS:
        raise ValidationError({"period_days": _("公示期须在 1 至 %(n)d 天之间")
                               % {"n": MAX_PERIOD_DAYS}})
    return days


@transaction.atomic
def draft_notice(*, title: str, body: str, area: AreaNode, acting_user,
                 kind: str = NoticeKind.ANNOUNCEMENT, period_days: int = 7,
                 subject: str = "") -> Notice:
    _require_publisher(acting_user, area)
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": _("请选择公示类型")})
    notice = Notice.objects.create(
        kind=kind, title=required_text(title, "title", _("请填写标题"), 100),
        body=required_text(body, "body", _("请填写正文"), 20000), area=area, area_path=area.path,
        period_days=_period(period_days), subject=subject[:60],
        created_by=acting_user if getattr(acting_user, "pk", None) else None)
    audit.record(actor=acting_user, action="notices.draft", obj=notice,
                 after=audit.snapshot(notice, FIELDS))
    return notice


def _readers(notice: Notice):
    """Residents of the notice's area who have an account."""
    from gongzhi.accounts.models import User

    return User.objects.filter(resident__household__area_path__startswith=notice.area_path,
                               is_active=True)


@transaction.atomic
def publish_notice(*, notice: Notice, acting_user, now: datetime | None = None) -> Notice:
    """草稿 → 已发布: the notice period starts now."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_publisher(acting_user, notice.area_path)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError(_("只有草稿可以发布"))
    before = audit.snapshot(notice, FIELDS)
    now = now or timezone.now()
    notice.status, notice.published_at = NoticeStatus.PUBLISHED, now
    notice.period_ends_at = now + timedelta(days=notice.period_days)
    notice.save(update_fields=["status", "published_at", "period_ends_at"])
    audit.record(actor=acting_user, action="notices.publish", obj=notice, before=before,
                 after=audit.snapshot(notice, FIELDS))
    notify(_readers(notice), kind="notices.published",
           title=_("公示：%(title)s") % {"title": notice.title},
           body=_("公示期至 %(when)s，如有异议请在公示期内提出")
           % {"when": timezone.localtime(notice.period_ends_at).strftime("%Y-%m-%d %H:%M")},
           url=f"/notices/{notice.pk}/")
    return notice


@transaction.atomic
def withdraw_notice(*, notice: Notice, reason: str, acting_user) -> Notice:
    """已发布 → 已撤回, with the reason (the notice stays on record)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_publisher(acting_user, notice.area_path)
    if notice.status != NoticeStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的公示可以撤回"))
    reason = required_text(reason, "reason", _("请说明撤回原因"), 300)
    before = audit.snapshot(notice, FIELDS)
    notice.status, notice.withdrawn_at = NoticeStatus.WITHDRAWN, timezone.now()
    notice.withdraw_reason = reason
    notice.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
    audit.record(actor=acting_user, action="notices.withdraw", obj=notice, before=before,
                 after=audit.snapshot(notice, FIELDS) | {"reason": reason})
    return notice


def in_period(notice: Notice, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (notice.status == NoticeStatus.PUBLISHED and notice.period_ends_at is not None
            and notice.published_at <= now <= notice.period_ends_at)


def may_object(user, notice: Notice) -> bool:
    """Residents whose home lies in the notice's area, and staff who can see the area."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    resident = getattr(user, "resident", None)
    if resident is not None and resident.household.area_path.startswith(notice.area_path):
        return True
    return can(user, Perm.VIEW_AREA, notice.area_path)


@transaction.atomic
def lodge_objection(*, notice: Notice, text: str, acting_user,
                    now: datetime | None = None) -> Objection:
    """A resident objects within the notice period (异议); publishers are told."""
    notice = Notice.objects.get(pk=notice.pk)
    if not may_object(acting_user, notice):
        raise PermissionDenied(_("只有公示范围内的居民可以提出异议"))
    now = now or timezone.now()
    if not in_period(notice, now):
        raise ValidationError(_("不在公示期内，不能提出异议"))
    objection = Objection.objects.create(
        notice=notice, author=acting_user, created_at=now,
        text=required_text(text, "text", _("请写明异议内容"), MAX_OBJECTION))
    audit.record(actor=acting_user, action="notices.object", obj=objection,
                 area_path=notice.area_path, after={"notice": notice.pk})
    if notice.created_by_id:
        notify([notice.created_by], kind="notices.objection",
               title=_("公示收到异议：%(title)s") % {"title": notice.title},
               url=f"/notices/{notice.pk}/manage/")
    return objection


@transaction.atomic
def answer_objection(*, objection: Objection, answer: str, acting_user) -> Objection:
    objection = Objection.objects.select_for_update().select_related("notice").get(
        pk=objection.pk)
    _require_publisher(acting_user, objection.notice.area_path)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("该异议已答复"))
    objection.answer = required_text(answer, "answer", _("请填写答复"), MAX_OBJECTION)
    objection.status, objection.answered_at = ObjectionStatus.ANSWERED, timezone.now()
    objection.answered_by = acting_user if getattr(acting_user, "pk", None) else None
    objection.save(update_fields=["answer", "status", "answered_at", "answered_by"])
    audit.record(actor=acting_user, action="notices.answer_objection", obj=objection,
                 area_path=objection.notice.area_path,
                 before={"status": ObjectionStatus.OPEN},
                 after={"status": objection.status})
    notify([objection.author], kind="notices.objection_answered",
           title=_("您对公示的异议已答复：%(title)s") % {"title": objection.notice.title},
           url=f"/notices/{objection.notice_id}/")
    return objection
