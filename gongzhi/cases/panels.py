"""The case ledger's sections of the home page (core may not import cases, so cases adds them).

Staff and handlers see what needs doing today, counted in one aggregate over their open
cases; residents get the two things they come for: report a problem, follow their reports.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from gongzhi.areas.selectors import resident_at_home
from gongzhi.cases.models import OPEN_STATUSES, Case, Status, Supporter
from gongzhi.cases.selectors import case_roots, deadline_q, working_cases, works_on_cases
from gongzhi.core.permissions import Perm, scope_paths


def work_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Open cases in the user's reach: waiting for acceptance, overdue, due soon, mine."""
    user = request.user
    if not works_on_cases(user):
        return None
    now = timezone.now()
    org_ids = list(user.organisations.filter(is_active=True).values_list("pk", flat=True))
    mine = Q(assignee=user) | Q(assignee_org_id__in=org_ids)
    counts = (working_cases(user).filter(status__in=OPEN_STATUSES).order_by()
              .aggregate(open=Count("pk"),
                         submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
                         overdue=Count("pk", filter=deadline_q("overdue", now)),
                         due_soon=Count("pk", filter=deadline_q("due_soon", now)),
                         mine=Count("pk", filter=mine)))
    triage = bool(user.is_superuser or scope_paths(user, Perm.TRIAGE_CASES))
    return {"counts": counts, "triage": triage,
            "chart_roots": list(case_roots(user)[:6]) if scope_paths(user, Perm.VIEW_CASES)
            or user.is_superuser else []}


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Residents: report a problem at home, and the cases they reported or supported."""
    user = request.user
    resident = getattr(user, "resident", None)
    if resident is None or works_on_cases(user):
        return None
    supported = Supporter.objects.filter(case=OuterRef("pk"), user=user)
    cases = Case.objects.filter(Q(reporter=user) | Q(Exists(supported))).order_by()
    counts = cases.aggregate(all=Count("pk"),
                             to_rate=Count("pk", filter=Q(status=Status.RESOLVED, reporter=user)))
    return {"building": resident.household.building, "counts": counts}


def report_url(request: HttpRequest) -> str | None:
    """The residents' menu's 我要报事: the report page of the resident's own building.

    One query (the resident with household and building, kept for the page), none for a
    user who is not a registered resident.
    """
    resident = resident_at_home(request.user)
    if resident is None:
        return None
    return reverse("cases_resident:report",
                   kwargs={"building_code": resident.household.building.code})
