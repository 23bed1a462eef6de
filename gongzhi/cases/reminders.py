"""Deadline reminders (催办), sent by the background scan once per case, kind and deadline.

Due soon (response within 30 minutes, resolution within one working day) goes to whoever
must act: the assignee and the members of the assignee organisation, or the staff of the
handling level while nobody is assigned. Overdue goes to them and to the street / district
staff of the level above the handling area. The ``Reminder`` row's unique constraint makes a
repeated or concurrent scan send nothing twice; a new deadline (extension, reopening) may
remind again.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.cases.actions import case_url, level_staff
from gongzhi.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    EventKind,
    Reminder,
    ReminderKind,
)
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Role
from gongzhi.core.workdays import add_workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESPONSE_SOON = timedelta(minutes=30)
UPPER_LEVEL_ROLES = (Role.STREET_STAFF, Role.DISTRICT_STAFF)
# Per kind and run: a backlog (first run on old data) is worked off over several scans.
BATCH = 500
OVERDUE = (ReminderKind.RESPONSE_OVERDUE, ReminderKind.RESOLUTION_OVERDUE)


def resolution_soon_limit(now: datetime) -> datetime:
    """The same time of day one working day later: deadlines before it are "due soon"."""
    local = now.astimezone(SHANGHAI)
    return datetime.combine(add_workdays(local.date(), 1), local.time(), tzinfo=SHANGHAI)


def _rules(now: datetime) -> list[tuple[str, str, Q]]:
    """(kind, deadline field, which open cases) for each kind of reminder."""
    unanswered = Q(responded_at__isnull=True)
    return [
        (ReminderKind.RESPONSE_OVERDUE, "response_due", unanswered & Q(response_due__lte=now)),
        (ReminderKind.RESPONSE_DUE_SOON, "response_due",
         unanswered & Q(response_due__gt=now, response_due__lte=now + RESPONSE_SOON)),
        (ReminderKind.RESOLUTION_OVERDUE, "resolution_due", Q(resolution_due__lte=now)),
        (ReminderKind.RESOLUTION_DUE_SOON, "resolution_due",
         Q(resolution_due__gt=now, resolution_due__lte=resolution_soon_limit(now))),
    ]


def _pending(kind: str, field: str, q: Q):
    sent = Reminder.objects.filter(case=OuterRef("pk"), kind=kind, due=OuterRef(field))
    return (Case.objects.filter(q, status__in=OPEN_STATUSES).exclude(Exists(sent))
            .select_related("assignee", "assignee_org", "handling_area")
            .order_by(field, "pk")[:BATCH])


def upper_level_staff(case: Case) -> list[User]:
    """Street / district staff granted on the level above the handling area."""
    parent_id = case.handling_area.parent_id
    if parent_id is None:
        return []
    return list(User.objects.filter(is_active=True, role_grants__area_id=parent_id,
                                    role_grants__role__in=UPPER_LEVEL_ROLES).distinct())


def _recipients(case: Case, kind: str) -> list[User]:
    users: list[User] = []
    if case.assignee_id and case.assignee.is_active:
        users.append(case.assignee)
    if case.assignee_org_id:
        users += list(case.assignee_org.members.filter(is_active=True))
    if not users:  # not dispatched yet: the level that triages it must act
        users = list(level_staff(case.handling_area))
    if kind in OVERDUE:
        users += upper_level_staff(case)
    return users


def _remind(case: Case, kind: str, due: datetime) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(case=case, kind=kind, due=due)
    except IntegrityError:
        return False  # a parallel scan sent this one a moment ago
    label = str(ReminderKind(kind).label)
    when = formats.date_format(timezone.localtime(due), "Y-m-d H:i")
    CaseEvent.objects.create(
        case=case, actor=None, kind=EventKind.REMINDED, is_internal=True,
        note=_("%(label)s（时限 %(due)s）") % {"label": label, "due": when},
        from_status=case.status, to_status=case.status,
        data={"kind": kind, "due": due.isoformat()},
    )
    notify(_recipients(case, kind), kind=f"cases.{kind}",
           title=_("【催办】%(label)s：%(title)s") % {"label": label, "title": case.title},
           body=_("时限：%(due)s") % {"due": when}, url=case_url(case))
    return True


@transaction.atomic
def send_deadline_reminders(*, now: datetime | None = None) -> int:
    """Send every due-soon and overdue reminder not sent yet; returns how many were sent.

    The system acts (no user). One audit event per run that sent anything.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    case_ids: list[int] = []
    for kind, field, q in _rules(now):
        for case in _pending(kind, field, q):
            if _remind(case, kind, getattr(case, field)):
                counts[kind] = counts.get(kind, 0) + 1
                case_ids.append(case.pk)
    total = sum(counts.values())
    if total:
        latest = Reminder.objects.order_by("-pk").first()
        audit.record(actor=None, action="cases.scan_deadlines", obj=latest, area_path="",
                     after={"reminders": total, "by_kind": counts,
                            "cases": sorted(set(case_ids))[:200]})
    return total
