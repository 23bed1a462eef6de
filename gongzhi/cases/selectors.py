"""Reads of the case ledger, always scoped to what the user may see."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gongzhi.cases.models import OPEN_STATUSES, Case, CaseEvent, Supporter
from gongzhi.cases.permissions import is_case_staff
from gongzhi.core.permissions import Perm, scope_q

DUE_SOON = timedelta(hours=24)


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases in the user's VIEW_CASES scope, plus those they reported, support or handle."""
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    q = scope_q(user, Perm.VIEW_CASES, "area_path")
    q |= Q(reporter=user) | Q(assignee=user)
    org_ids = list(user.organisations.filter(is_active=True).values_list("pk", flat=True))
    if org_ids:
        q |= Q(assignee_org_id__in=org_ids)
    supported = Supporter.objects.filter(case=OuterRef("pk"), user=user)
    return Case.objects.filter(q | Q(Exists(supported)))


def deadline_state(case: Case, now: datetime | None = None) -> str:
    """The colour of a case: "overdue" red, "due_soon" amber, "on_time" green, "closed" grey.

    Open cases are measured against the resolution deadline, or the response deadline
    while no resolution deadline is set yet.
    """
    if case.status not in OPEN_STATUSES:
        return "closed"
    now = now or timezone.now()
    due = case.resolution_due or (case.response_due if case.responded_at is None else None)
    if due is None:
        return "on_time"
    if due < now:
        return "overdue"
    if due - now <= DUE_SOON:
        return "due_soon"
    return "on_time"


def timeline(case: Case, user) -> list[CaseEvent]:
    """The case's events in order; internal notes only for staff and handlers."""
    events = case.events.select_related("actor").prefetch_related("photos")
    if not is_case_staff(user, case):
        events = events.filter(is_internal=False)
    return list(events)
