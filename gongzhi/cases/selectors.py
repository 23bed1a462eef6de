"""Reads of the case ledger, always scoped to what the user may see."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone

from gongzhi.areas.models import AreaNode
from gongzhi.cases.models import OPEN_STATUSES, Case, CaseEvent, Supporter
from gongzhi.cases.permissions import is_case_staff
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import PATH_STEP, subtree_q

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


# The levels most lists are read at: street (3) and community (4). See ``in_area``.
PREFIX_DEPTHS = (3, 4)


def in_area(path: str) -> Q:
    """Cases at the area ``path`` and below it, for lists ordered or bounded by date.

    At the street and community levels this is an equality on the path's prefix, which
    the indexes case_street_created and case_community_created serve in date order. As a
    range, the planner walks the whole ledger by date and filters: 18,000 rows read for
    a community's first page at a million cases. Active-case queries keep the range
    (``subtree_q``): the partial index case_active_area answers those.
    """
    if len(path) // PATH_STEP in PREFIX_DEPTHS and len(path) % PATH_STEP == 0:
        return Q(Exact(Substr("area_path", 1, len(path)), path))
    return subtree_q(path, "area_path")


def working_cases(user) -> QuerySet[Case]:
    """The cases a user works on, for lists and counts (ledger, export, API, home page).

    Their VIEW_CASES scope; and the cases dispatched to them or their organisations, for
    handlers without a scope (departments, property companies) or with one outside it.
    Each branch is one index range, unlike ``cases_visible_to``, whose reported and
    supported branches belong to the resident's own pages. Assignees need not be added
    for a user with a scope: dispatch only assigns people whose scope covers the case.
    """
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    org_ids = list(user.organisations.filter(is_active=True).values_list("pk", flat=True))
    if not scope_paths(user, Perm.VIEW_CASES):
        return Case.objects.filter(Q(assignee=user) | Q(assignee_org_id__in=org_ids))
    q = Q()
    for root in scope_paths(user, Perm.VIEW_CASES):
        q |= in_area(root)
    if org_ids:
        q |= Q(assignee_org_id__in=org_ids)
    return Case.objects.filter(q)


def own_cases(user) -> QuerySet[Case]:
    """The cases a person reported or said "me too" to (the resident's side)."""
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return Case.objects.none()
    supported = Supporter.objects.filter(case=OuterRef("pk"), user=user)
    return Case.objects.filter(Q(reporter=user) | Q(Exists(supported)))


def works_on_cases(user) -> bool:
    """Has a VIEW_CASES scope or belongs to an organisation cases are dispatched to."""
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return False
    return bool(user.is_superuser or scope_paths(user, Perm.VIEW_CASES)
                or user.organisations.filter(is_active=True).exists())


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


def deadline_q(state: str, now: datetime) -> Q:
    """Open cases in a deadline state, the rule of ``deadline_state`` in SQL.

    The resolution deadline counts; before it is set, the response deadline (until answered).
    """
    res = Q(resolution_due__isnull=False)
    resp = Q(resolution_due__isnull=True, response_due__isnull=False, responded_at__isnull=True)
    soon = now + DUE_SOON
    open_ = Q(status__in=OPEN_STATUSES)
    if state == "overdue":
        return open_ & ((res & Q(resolution_due__lt=now)) | (resp & Q(response_due__lt=now)))
    if state == "due_soon":
        return open_ & ((res & Q(resolution_due__gte=now, resolution_due__lte=soon))
                        | (resp & Q(response_due__gte=now, response_due__lte=soon)))
    # On time: a deadline more than a day away, or none to measure yet.
    return open_ & ((res & Q(resolution_due__gt=soon)) | (resp & Q(response_due__gt=soon))
                    | Q(resolution_due__isnull=True, response_due__isnull=True)
                    | Q(resolution_due__isnull=True, responded_at__isnull=False))


def timeline(case: Case, user) -> list[CaseEvent]:
    """The case's events in order; internal notes only for staff and handlers."""
    events = case.events.select_related("actor").prefetch_related("photos")
    if not is_case_staff(user, case):
        events = events.filter(is_internal=False)
    return list(events)


def case_roots(user) -> QuerySet[AreaNode]:
    """The top nodes of the user's VIEW_CASES scope (the tree's roots for a superuser)."""
    if getattr(user, "is_superuser", False):
        return AreaNode.objects.filter(parent__isnull=True).order_by("path")
    return AreaNode.objects.filter(path__in=scope_paths(user, Perm.VIEW_CASES)).order_by("path")
