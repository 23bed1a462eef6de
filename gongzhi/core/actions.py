"""State changes owned by core: the working-day calendar and the reading of notifications."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import Notification, WorkdayOverride
from gongzhi.core.permissions import require_administrator

OVERRIDE_FIELDS = ["day", "is_workday", "note"]


def _plain_date(day: date) -> date:
    # A datetime is a date too; take the calendar day so 2026-02-14 23:00 means that day.
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise ValidationError({"day": _("日期无效")})
    return day


@transaction.atomic
def set_workday_override(*, day: date, is_workday: bool, note: str, acting_user) -> WorkdayOverride:
    """Make ``day`` a working day or a rest day whatever the official calendar says."""
    require_administrator(acting_user)
    day = _plain_date(day)
    override = WorkdayOverride.objects.select_for_update().filter(day=day).first()
    before = audit.snapshot(override, OVERRIDE_FIELDS) if override else None
    if override is None:
        override = WorkdayOverride(day=day)
    override.is_workday = bool(is_workday)
    override.note = (note or "").strip()
    override.full_clean(validate_unique=False)
    override.save()
    audit.record(
        actor=acting_user, action="core.set_workday_override", obj=override,
        before=before, after=audit.snapshot(override, OVERRIDE_FIELDS),
    )
    return override


@transaction.atomic
def remove_workday_override(*, day: date, acting_user) -> None:
    """Drop the override of ``day``: the official calendar applies again."""
    require_administrator(acting_user)
    day = _plain_date(day)
    override = WorkdayOverride.objects.select_for_update().filter(day=day).first()
    if override is None:
        raise ValidationError({"day": _("%(day)s 没有工作日调整") % {"day": day.isoformat()}})
    audit.record(
        actor=acting_user, action="core.remove_workday_override", obj=override,
        before=audit.snapshot(override, OVERRIDE_FIELDS),
    )
    override.delete()


@transaction.atomic
def mark_notifications_read(*, acting_user, ids: list[int] | None = None) -> int:
    """Mark the actor's own unread notifications read (all of them when ``ids`` is None).

    Other users' notifications are never touched, whatever ``ids`` holds. Returns how many
    changed; one audit event records the call when anything did.
    """
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied("login required")
    unread = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if ids is not None:
        if not ids:
            return 0
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=timezone.now())
    if count:
        audit.record(
            actor=acting_user, action="core.mark_notifications_read", obj=acting_user,
            area_path="", after={"count": count, "all": ids is None},
        )
    return count
