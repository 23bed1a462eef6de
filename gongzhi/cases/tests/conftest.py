"""The `ledger` fixture: the `street` fixture plus categories, routing and departments.

Other tests make cases in any status through the real actions:

    case = ledger.new_case("in_progress")                 # reported by ledger.resident
    case = ledger.new_case("dispatched", area=ledger.b3, to_org=ledger.other_dept)
    ledger.advance(case, "resolved")                      # onwards from where it is
"""

from datetime import datetime
from functools import partial

import pytest

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.cases import actions
from gongzhi.cases.models import Case, Category, Rating, RoutingRule, Source
from gongzhi.cases.permissions import can_triage
from gongzhi.conftest import make_user

# The actions that lead from a fresh submission to each status.
PATHS: dict[str, list[str]] = {
    "submitted": [],
    "accepted": ["accept"],
    "rejected": ["reject"],
    "dispatched": ["accept", "dispatch"],
    "in_progress": ["accept", "dispatch", "start"],
    "escalated": ["accept", "escalate"],
    "resolved": ["accept", "dispatch", "start", "resolve"],
    "archived": ["accept", "dispatch", "start", "resolve", "rate"],
    "merged": ["merge"],
}


def triager(n, case: Case):
    """The nearest staff member who may triage the case at its current level."""
    for user in (n.staff_a, n.staff_b, n.street_staff, n.district_staff, n.admin):
        if can_triage(user, case):
            return user
    raise AssertionError("nobody triages this case")


def handler(case: Case):
    if case.assignee_id:
        return case.assignee
    return case.assignee_org.members.filter(is_active=True).order_by("pk").first()


def advance(n, case: Case, to: str, *, category: Category | None = None, to_org=None,
            to_user=None, priority: str | None = None) -> Case:
    """Move ``case`` onward to status ``to`` through the actions (its path must lead there)."""
    done = PATHS[case.status]
    steps = PATHS[to]
    assert steps[: len(done)] == done, f"cannot go from {case.status} to {to}"
    for step in steps[len(done):]:
        if step == "accept":
            case = actions.accept_case(case=case, category=category or n.road,
                                       priority=priority, acting_user=triager(n, case))
        elif step == "reject":
            case = actions.reject_case(case=case, reason="不属于受理范围",
                                       acting_user=triager(n, case))
        elif step == "dispatch":
            if to_user is None and to_org is None:
                to_org = n.dept
            case = actions.dispatch_case(case=case, to_user=to_user, to_org=to_org,
                                         acting_user=triager(n, case))
        elif step == "escalate":
            case = actions.escalate_case(case=case, reason="需要街道协调",
                                         acting_user=triager(n, case))
        elif step == "start":
            case = actions.start_case(case=case, acting_user=handler(case))
        elif step == "resolve":
            case = actions.resolve_case(case=case, result="已修复", acting_user=handler(case))
        elif step == "rate":
            case = actions.rate_case(case=case, rating=Rating.SATISFIED,
                                     access_token=case.access_token)
        elif step == "merge":
            survivor = new_case(n, "submitted", area=case.area, title="同类问题")
            actions.merge_cases(duplicate=case, into=survivor, acting_user=triager(n, case))
            case.refresh_from_db()
    return case


def new_case(n, status: str = "submitted", *, area=None, reporter=None, title: str = "路面坑洼",
             description: str = "小区门口道路破损，雨天积水，老人出行不便",
             created_at: datetime | None = None, idempotency_key: str | None = None,
             **advance_kwargs) -> Case:
    """A case reported on the resident page (by ``ledger.resident`` unless told otherwise)."""
    reporter = reporter or n.resident
    case = actions.submit_case(
        title=title, description=description, area=area or n.b1, source=Source.RESIDENT_PAGE,
        acting_user=reporter, reporter_phone="13900001111", created_at=created_at,
        idempotency_key=idempotency_key,
    )
    return advance(n, case, status, **advance_kwargs)


@pytest.fixture
def ledger(street):
    """`street` plus two category groups, routing rules and two departments with a member each.

    Routing: roads anywhere in the street → dept (城管执法中队); street lights → other_dept;
    garbage in compound 铁路小区 → the property company.
    """
    n = street
    n.municipal = Category.objects.create(code="municipal", name="市政设施", order=1)
    n.road = Category.objects.create(
        parent=n.municipal, code="road", name="道路破损", response_hours=2,
        resolution_workdays=7, urgent_response_hours=1, urgent_resolution_workdays=1,
        keywords="道路 路面 坑洼 破损",
    )
    n.light = Category.objects.create(
        parent=n.municipal, code="street_light", name="路灯不亮", response_hours=4,
        resolution_workdays=3, keywords="路灯 照明 不亮",
    )
    n.sanitation = Category.objects.create(code="sanitation", name="环境卫生", order=2)
    n.garbage = Category.objects.create(
        parent=n.sanitation, code="garbage", name="垃圾清运", response_hours=2,
        resolution_workdays=2, urgent_response_hours=1, urgent_resolution_workdays=1,
        keywords="垃圾 清运 堆放",
    )
    n.dept = create_organisation(kind=OrgKind.DEPARTMENT, code="DEPT-CG", name="城管执法中队",
                                 areas=[n.street], acting_user=None)
    n.dept_member = make_user("dept_member")
    add_member(organisation=n.dept, user=n.dept_member, acting_user=None)
    n.other_dept = create_organisation(kind=OrgKind.DEPARTMENT, code="DEPT-SZ",
                                       name="市政养护所", areas=[n.street], acting_user=None)
    n.other_member = make_user("other_member")
    add_member(organisation=n.other_dept, user=n.other_member, acting_user=None)
    RoutingRule.objects.create(area=n.street, category=n.road, organisation=n.dept)
    RoutingRule.objects.create(area=n.street, category=n.light, organisation=n.other_dept)
    RoutingRule.objects.create(area=n.compound, category=n.garbage, organisation=n.property_co)
    n.new_case = partial(new_case, n)
    n.advance = partial(advance, n)
    n.triager = partial(triager, n)
    return n
