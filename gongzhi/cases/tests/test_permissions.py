"""Who may and who may not: every transition against users inside and outside its reach.

The case is reported in building B1 (grid A1, community A). Outsiders: the grid worker of
grid A2, the staff of community B, the member of a department the case is not assigned to,
the property company's member, and a plain resident.
"""

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Status
from gongzhi.cases.permissions import can_handle, can_triage, can_view_case
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent

TRIAGE_YES = ["staff_a", "street_staff", "district_staff", "admin"]
TRIAGE_NO = ["resident", "worker_a1", "worker_a2", "head_b1", "staff_b", "dept_member",
             "property_member"]
HANDLE_YES = ["dept_member", "staff_a", "street_staff"]
HANDLE_NO = ["other_member", "property_member", "worker_a2", "staff_b", "resident", "worker_a1"]

# action → (status the case is in, call)
TRIAGE_ACTIONS = {
    "accept": ("submitted", lambda n, c, u: actions.accept_case(
        case=c, category=n.road, acting_user=u)),
    "reject": ("submitted", lambda n, c, u: actions.reject_case(
        case=c, reason="重复", acting_user=u)),
    "reclassify": ("accepted", lambda n, c, u: actions.reclassify_case(
        case=c, category=n.light, acting_user=u)),
    "dispatch": ("accepted", lambda n, c, u: actions.dispatch_case(
        case=c, to_org=n.dept, acting_user=u)),
    "escalate": ("dispatched", lambda n, c, u: actions.escalate_case(
        case=c, reason="协调", acting_user=u)),
}
HANDLER_ACTIONS = {
    "start": ("dispatched", lambda n, c, u: actions.start_case(case=c, acting_user=u)),
    "note": ("in_progress", lambda n, c, u: actions.add_note(case=c, note="进展",
                                                             acting_user=u)),
    "forward": ("in_progress", lambda n, c, u: actions.forward_case(
        case=c, to_org=n.other_dept, reason="职责", acting_user=u)),
    "extension": ("in_progress", lambda n, c, u: actions.request_extension(
        case=c, workdays=2, reason="等材料", acting_user=u)),
    "resolve": ("in_progress", lambda n, c, u: actions.resolve_case(
        case=c, result="已修", acting_user=u)),
}


def _unchanged(case: Case, before: tuple) -> bool:
    case.refresh_from_db()
    return (case.status, case.version, AuditEvent.objects.count()) == before


@pytest.mark.parametrize("action", TRIAGE_ACTIONS)
@pytest.mark.parametrize("who", TRIAGE_YES + TRIAGE_NO)
def test_triage_actions(ledger, action, who):
    status, call = TRIAGE_ACTIONS[action]
    case = ledger.new_case(status)
    user = getattr(ledger, who)
    before = (case.status, case.version, AuditEvent.objects.count())
    if who in TRIAGE_YES:
        result = call(ledger, case, user)
        assert result.version == before[1] + 1
    else:
        with pytest.raises(PermissionDenied):
            call(ledger, case, user)
        assert _unchanged(case, before)


@pytest.mark.parametrize("action", HANDLER_ACTIONS)
@pytest.mark.parametrize("who", HANDLE_YES + HANDLE_NO)
def test_handler_actions(ledger, action, who):
    status, call = HANDLER_ACTIONS[action]
    case = ledger.new_case(status)  # dispatched to ledger.dept
    user = getattr(ledger, who)
    before = (case.status, case.version, AuditEvent.objects.count())
    if who in HANDLE_YES:
        call(ledger, case, user)
        case.refresh_from_db()
        assert case.version == before[1] + 1
    else:
        with pytest.raises(PermissionDenied):
            call(ledger, case, user)
        assert _unchanged(case, before)


def test_a_grid_worker_assigned_the_case_handles_it(ledger):
    case = ledger.new_case("dispatched", to_user=ledger.worker_a1)
    assert can_handle(ledger.worker_a1, case)
    assert not can_handle(ledger.dept_member, case)
    case = actions.resolve_case(case=case, result="已清理", acting_user=ledger.worker_a1)
    assert case.status == Status.RESOLVED


def test_after_escalation_only_the_level_above_triages(ledger):
    case = ledger.new_case("escalated")
    assert case.handling_area == ledger.street
    assert not can_triage(ledger.staff_a, case)
    assert can_triage(ledger.street_staff, case)
    with pytest.raises(PermissionDenied):
        actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.staff_a)
    case = actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.street_staff)
    # Community staff still see the case in their area, but no longer handle it.
    assert can_view_case(ledger.staff_a, case) and not can_handle(ledger.staff_a, case)
    with pytest.raises(PermissionDenied):
        actions.resolve_case(case=case, result="x", acting_user=ledger.staff_a)
    actions.resolve_case(case=case, result="街道协调已修复", acting_user=ledger.dept_member)


def test_extension_is_decided_by_triage_staff_only(ledger):
    case = ledger.new_case("in_progress")
    ext = actions.request_extension(case=case, workdays=2, reason="等材料",
                                    acting_user=ledger.dept_member)
    for user in (ledger.dept_member, ledger.worker_a1, ledger.staff_b, ledger.resident):
        with pytest.raises(PermissionDenied):
            actions.decide_extension(extension=ext, approve=True, acting_user=user)
    actions.decide_extension(extension=ext, approve=True, acting_user=ledger.street_staff)


VIEWERS = {
    # user: sees (submitted case in B1, case dispatched to dept, case in community B)
    "resident": (True, True, False),  # reports the first two
    "worker_a1": (True, True, False),
    "worker_a2": (False, False, False),
    "staff_a": (True, True, False),
    "staff_b": (False, False, True),
    "street_staff": (True, True, True),
    "dept_member": (False, True, False),
    "other_member": (False, False, False),
    "property_member": (False, False, False),
    "stranger": (False, False, False),
}


@pytest.mark.parametrize("who", VIEWERS)
def test_who_sees_which_case(ledger, who):
    ledger.stranger = make_user("stranger")
    cases = [ledger.new_case(), ledger.new_case("dispatched"),
             ledger.new_case(area=ledger.b3, reporter=ledger.head_b1)]
    user = getattr(ledger, who)
    expected = VIEWERS[who]
    assert tuple(can_view_case(user, c) for c in cases) == expected
    visible = set(cases_visible_to(user).values_list("pk", flat=True))
    assert visible == {c.pk for c, seen in zip(cases, expected, strict=True) if seen}


def test_supporters_see_the_case_they_support(ledger):
    case = ledger.new_case(area=ledger.b3, reporter=ledger.head_b1)
    assert not can_view_case(ledger.resident, case)
    actions.support_case(case=case, acting_user=ledger.resident)
    assert can_view_case(ledger.resident, case)
    assert list(cases_visible_to(ledger.resident)) == [case]


def test_inactive_user_may_do_nothing(ledger):
    case = ledger.new_case()
    ledger.staff_a.is_active = False
    ledger.staff_a.save()
    assert not can_view_case(ledger.staff_a, case)
    assert not cases_visible_to(ledger.staff_a).exists()
    with pytest.raises(PermissionDenied):
        actions.accept_case(case=case, category=ledger.road, acting_user=ledger.staff_a)
