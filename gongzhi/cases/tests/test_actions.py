"""The closed loop through the actions: state, timeline, audit, notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from gongzhi.cases import actions
from gongzhi.cases.actions import CaseConflict
from gongzhi.cases.models import (
    Case,
    CaseEvent,
    EventKind,
    ExtensionStatus,
    Rating,
    Source,
    Status,
    Supporter,
)
from gongzhi.cases.selectors import timeline
from gongzhi.core.models import AuditEvent, Notification


def audits(case: Case, action: str | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    return list(rows.filter(action=action) if action else rows)


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- intake ------------------------------------------------------------------------


def test_resident_report_is_theirs_and_handled_by_the_community(ledger):
    case = actions.submit_case(
        title="楼道灯坏了", description="1栋2单元楼道灯不亮", area=ledger.b1,
        source=Source.RESIDENT_PAGE, acting_user=ledger.resident, reporter=ledger.staff_a,
    )
    assert case.reporter == ledger.resident  # residents report as themselves
    assert case.status == Status.SUBMITTED
    assert case.handling_area == ledger.comm_a
    assert case.area_path == ledger.b1.path
    assert len(case.access_token) == 32
    assert case.terms  # segmented words are stored for duplicates and suggestions
    assert kinds(case) == [EventKind.SUBMITTED]
    assert [a.action for a in audits(case)] == ["cases.submit_case"]


def test_anonymous_public_report_has_no_reporter(ledger):
    case = actions.submit_case(
        title="路灯不亮", description="小区门口路灯坏了", area=ledger.b3,
        source=Source.RESIDENT_PAGE, acting_user=None, reporter_phone="13512345678",
        is_anonymous=True,
    )
    assert case.reporter is None and case.is_anonymous
    assert case.handling_area == ledger.comm_b


def test_case_above_community_is_handled_where_it_is(ledger):
    case = actions.submit_case(title="主干道积水", description="街道主干道积水严重",
                               area=ledger.street, source=Source.HOTLINE,
                               acting_user=ledger.street_staff)
    assert case.handling_area == ledger.street


def test_staff_entry_needs_enter_permission_on_the_area(ledger):
    kwargs = {"title": "巡查发现", "description": "垃圾堆放", "source": Source.PATROL}
    case = actions.submit_case(area=ledger.b1, acting_user=ledger.worker_a1, **kwargs)
    assert case.entered_by == ledger.worker_a1 and case.reporter is None
    for user in (ledger.worker_a2, ledger.resident, ledger.dept_member):
        with pytest.raises(PermissionDenied):
            actions.submit_case(area=ledger.b1, acting_user=user, **kwargs)
    assert Case.objects.count() == 1


def test_idempotency_key_gives_one_case(ledger):
    first = ledger.new_case(idempotency_key="tap-123")
    again = ledger.new_case(idempotency_key="tap-123", title="另一个标题")
    assert again.pk == first.pk and again.title == first.title
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1
    assert len(audits(first)) == 1


def test_idempotency_key_of_someone_else_is_refused(ledger):
    ledger.new_case(idempotency_key="tap-9")
    with pytest.raises(ValidationError):
        ledger.new_case(idempotency_key="tap-9", reporter=ledger.head_b1)
    assert Case.objects.count() == 1


@pytest.mark.parametrize(("field", "kwargs"), [
    ("lat", {"lat": "north"}),
    ("lng", {"lng": 181}),
    ("title", {"title": "  "}),
    ("description", {"description": ""}),
    ("reporter_phone", {"reporter_phone": "call me"}),
    ("source", {"source": "fax"}),
    ("priority", {"priority": "asap"}),
])
def test_bad_intake_is_refused_and_writes_nothing(ledger, field, kwargs):
    data = {"title": "标题", "description": "描述", "area": ledger.b1,
            "source": Source.RESIDENT_PAGE, "acting_user": ledger.resident} | kwargs
    with pytest.raises(ValidationError) as err:
        actions.submit_case(**data)
    assert field in err.value.message_dict
    assert Case.objects.count() == 0 and AuditEvent.objects.filter(
        action="cases.submit_case").count() == 0


# --- triage ------------------------------------------------------------------------


def test_accept_classifies_and_tells_the_reporter(ledger):
    case = ledger.new_case()
    case = actions.accept_case(case=case, category=ledger.light, acting_user=ledger.staff_a)
    assert case.status == Status.ACCEPTED and case.category == ledger.light
    assert case.accepted_at is not None
    assert case.response_due == case.created_at + timezone.timedelta(hours=4)
    assert case.resolution_due > case.accepted_at
    assert case.version == 2
    assert "cases.accepted" in inbox(ledger.resident)
    assert [a.action for a in audits(case)] == ["cases.accept_case", "cases.submit_case"]


def test_reject_needs_a_reason_and_closes_the_case(ledger):
    case = ledger.new_case()
    with pytest.raises(ValidationError):
        actions.reject_case(case=case, reason=" ", acting_user=ledger.staff_a)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.version == 1
    case = actions.reject_case(case=case, reason="属于私人纠纷", acting_user=ledger.staff_a)
    assert case.status == Status.REJECTED and case.rejection_reason == "属于私人纠纷"
    assert "cases.rejected" in inbox(ledger.resident)


def test_dispatch_defaults_to_the_routing_rule(ledger):
    case = ledger.new_case("accepted", category=ledger.light)
    case = actions.dispatch_case(case=case, acting_user=ledger.staff_a)
    assert case.assignee_org == ledger.other_dept and case.assignee is None
    assert case.status == Status.DISPATCHED and case.dispatched_at is not None
    assert "cases.dispatched" in inbox(ledger.other_member)
    assert inbox(ledger.dept_member) == []


def test_dispatch_to_a_grid_worker(ledger):
    case = ledger.new_case("accepted")
    case = actions.dispatch_case(case=case, to_user=ledger.worker_a1, acting_user=ledger.staff_a)
    assert case.assignee == ledger.worker_a1 and case.assignee_org is None
    assert "cases.dispatched" in inbox(ledger.worker_a1)


def test_dispatch_refuses_two_targets_and_outsiders(ledger):
    case = ledger.new_case("accepted")
    with pytest.raises(ValidationError):
        actions.dispatch_case(case=case, to_user=ledger.worker_a1, to_org=ledger.dept,
                              acting_user=ledger.staff_a)
    # A grid worker of community B does not work cases of community A.
    with pytest.raises(ValidationError):
        actions.dispatch_case(case=case, to_user=ledger.staff_b, acting_user=ledger.staff_a)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.version == 2


def test_dispatch_without_rule_or_target_asks_for_one(ledger):
    case = ledger.new_case("accepted", category=ledger.garbage, area=ledger.b3)
    with pytest.raises(ValidationError):
        actions.dispatch_case(case=case, acting_user=ledger.staff_b)


def test_reclassify_restarts_clocks_only_before_dispatch(ledger):
    case = ledger.new_case("accepted", category=ledger.road)
    road_due = case.resolution_due
    case = actions.reclassify_case(case=case, category=ledger.garbage, acting_user=ledger.staff_a)
    assert case.category == ledger.garbage and case.resolution_due < road_due
    case = actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.staff_a)
    due = case.resolution_due
    case = actions.reclassify_case(case=case, category=ledger.road, acting_user=ledger.staff_a)
    assert case.category == ledger.road and case.resolution_due == due
    assert kinds(case).count(EventKind.RECLASSIFIED) == 2


def test_forward_to_another_organisation(ledger):
    case = ledger.new_case("in_progress")
    case = actions.forward_case(case=case, to_org=ledger.other_dept, reason="属市政养护职责",
                                acting_user=ledger.dept_member)
    assert case.assignee_org == ledger.other_dept and case.status == Status.DISPATCHED
    assert "cases.forwarded" in inbox(ledger.other_member)
    event = case.events.get(kind=EventKind.FORWARDED)
    assert event.data == {"from_org": ledger.dept.pk, "to_org": ledger.other_dept.pk}
    # The old department no longer handles it.
    with pytest.raises(PermissionDenied):
        actions.start_case(case=case, acting_user=ledger.dept_member)


def test_escalate_moves_triage_to_the_street(ledger):
    case = ledger.new_case("dispatched")
    case = actions.escalate_case(case=case, reason="涉及多个部门", acting_user=ledger.staff_a)
    assert case.status == Status.ESCALATED and case.handling_area == ledger.street
    assert case.assignee_org is None
    assert "cases.escalated" in inbox(ledger.street_staff)
    assert inbox(ledger.staff_b) == []
    with pytest.raises(PermissionDenied):
        actions.dispatch_case(case=case, to_org=ledger.other_dept, acting_user=ledger.staff_a)
    case = actions.dispatch_case(case=case, to_org=ledger.other_dept,
                                 acting_user=ledger.street_staff)
    assert case.status == Status.DISPATCHED and case.assignee_org == ledger.other_dept


def test_escalation_stops_at_the_top(ledger):
    case = ledger.new_case("accepted")
    for user in (ledger.staff_a, ledger.street_staff, ledger.district_staff):
        case = actions.escalate_case(case=case, reason="协调", acting_user=user)
    assert case.handling_area == ledger.city
    with pytest.raises(ValidationError):
        actions.escalate_case(case=case, reason="协调", acting_user=ledger.admin)


# --- handling ----------------------------------------------------------------------


def test_start_records_the_response(ledger):
    case = ledger.new_case("dispatched")
    case = actions.start_case(case=case, acting_user=ledger.dept_member, note="已到现场")
    assert case.status == Status.IN_PROGRESS and case.responded_at is not None


def test_note_fills_the_five_questions_and_stays_internal(ledger):
    case = ledger.new_case("in_progress")
    event = actions.add_note(case=case, note="与物业沟通", acting_user=ledger.dept_member,
                             five_questions={"cause": "井盖松动", "plan": "更换井盖"})
    case.refresh_from_db()
    assert (case.cause, case.plan, case.need) == ("井盖松动", "更换井盖", "")
    assert event.is_internal and event.data == {"five_questions": {"cause": "井盖松动",
                                                                   "plan": "更换井盖"}}
    with pytest.raises(ValidationError):
        actions.add_note(case=case, note="x", acting_user=ledger.dept_member,
                         five_questions={"mood": "好"})
    with pytest.raises(ValidationError):
        actions.add_note(case=case, note="", acting_user=ledger.dept_member)


def test_timeline_hides_internal_notes_from_the_reporter(ledger):
    case = ledger.new_case("in_progress")
    actions.add_note(case=case, note="内部：业主不配合", acting_user=ledger.dept_member)
    actions.add_note(case=case, note="已联系施工队", internal=False,
                     acting_user=ledger.dept_member)
    resident_notes = [e.note for e in timeline(case, ledger.resident) if e.kind == "note"]
    staff_notes = [e.note for e in timeline(case, ledger.staff_a) if e.kind == "note"]
    handler_notes = [e.note for e in timeline(case, ledger.dept_member) if e.kind == "note"]
    assert resident_notes == ["已联系施工队"]
    assert staff_notes == handler_notes == ["内部：业主不配合", "已联系施工队"]


def test_extension_approved_moves_the_deadline(ledger):
    case = ledger.new_case("in_progress")
    old_due = case.resolution_due
    ext = actions.request_extension(case=case, workdays=3, reason="等待材料",
                                    acting_user=ledger.dept_member)
    assert "cases.extension_requested" in inbox(ledger.staff_a)
    with pytest.raises(ValidationError):  # one pending request at a time
        actions.request_extension(case=case, workdays=2, reason="再等等",
                                  acting_user=ledger.dept_member)
    with pytest.raises(PermissionDenied):  # the handler does not approve their own
        actions.decide_extension(extension=ext, approve=True, acting_user=ledger.dept_member)
    ext = actions.decide_extension(extension=ext, approve=True, acting_user=ledger.staff_a)
    case.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED and ext.decided_by == ledger.staff_a
    assert case.resolution_due > old_due
    assert "cases.extension_decided" in inbox(ledger.dept_member)
    with pytest.raises(CaseConflict):  # decided once
        actions.decide_extension(extension=ext, approve=False, acting_user=ledger.staff_a)


def test_extension_refused_keeps_the_deadline(ledger):
    case = ledger.new_case("in_progress")
    ext = actions.request_extension(case=case, workdays=3, reason="等待材料",
                                    acting_user=ledger.dept_member)
    actions.decide_extension(extension=ext, approve=False, acting_user=ledger.staff_a)
    due = case.resolution_due
    case.refresh_from_db()
    assert case.resolution_due == due


@pytest.mark.parametrize("workdays", [0, 31, "x"])
def test_extension_days_must_be_sensible(ledger, workdays):
    case = ledger.new_case("in_progress")
    with pytest.raises(ValidationError):
        actions.request_extension(case=case, workdays=workdays, reason="等",
                                  acting_user=ledger.dept_member)


def test_resolve_asks_the_reporter_to_rate(ledger):
    case = ledger.new_case("in_progress")
    case = actions.resolve_case(case=case, result="已修补路面", acting_user=ledger.dept_member)
    assert case.status == Status.RESOLVED and case.result == "已修补路面"
    assert case.resolved_at is not None
    assert "cases.resolved" in inbox(ledger.resident)


# --- rating --------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASIC])
def test_good_rating_archives(ledger, rating):
    case = ledger.new_case("resolved")
    case = actions.rate_case(case=case, rating=rating, comment="谢谢",
                             acting_user=ledger.resident)
    assert case.status == Status.ARCHIVED and case.rating == rating
    assert case.archived_at is not None and case.rating_comment == "谢谢"


def test_only_the_reporter_or_the_token_holder_rates(ledger):
    case = ledger.new_case("resolved")
    for user in (ledger.staff_a, ledger.dept_member, None):
        with pytest.raises(PermissionDenied):
            actions.rate_case(case=case, rating=Rating.SATISFIED, acting_user=user)
    with pytest.raises(PermissionDenied):
        actions.rate_case(case=case, rating=Rating.SATISFIED, access_token="wrong")
    case = actions.rate_case(case=case, rating=Rating.BASIC, access_token=case.access_token)
    assert case.status == Status.ARCHIVED


def test_unsatisfied_reopens_once_then_escalates(ledger):
    case = ledger.new_case("resolved")
    case = actions.rate_case(case=case, rating=Rating.UNSATISFIED, comment="还是漏水",
                             acting_user=ledger.resident)
    assert case.status == Status.IN_PROGRESS and case.reopen_count == 1
    assert case.resolved_at is None and case.assignee_org == ledger.dept
    assert "cases.reopened" in inbox(ledger.dept_member)
    assert "cases.reopened" in inbox(ledger.resident)
    case = actions.resolve_case(case=case, result="再次维修", acting_user=ledger.dept_member)
    case = actions.rate_case(case=case, rating=Rating.UNSATISFIED, comment="仍未解决",
                             acting_user=ledger.resident)
    assert case.status == Status.ESCALATED and case.handling_area == ledger.street
    assert case.reopen_count == 1
    assert "cases.escalated" in inbox(ledger.street_staff)
    rated = case.events.filter(kind=EventKind.RATED).order_by("id")
    assert [e.to_status for e in rated] == [Status.IN_PROGRESS, Status.ESCALATED]


def test_bad_rating_value(ledger):
    case = ledger.new_case("resolved")
    with pytest.raises(ValidationError):
        actions.rate_case(case=case, rating="great", acting_user=ledger.resident)


@override_settings(GONGZHI_RATING_DAYS=7)
def test_archive_unrated_after_the_rating_days(ledger):
    old = ledger.new_case("resolved")
    fresh = ledger.new_case("resolved")
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timezone.timedelta(days=8))
    Case.objects.filter(pk=fresh.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=6))
    assert actions.archive_unrated() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == Status.ARCHIVED and old.rating == ""
    assert fresh.status == Status.RESOLVED
    assert kinds(old)[-1] == EventKind.ARCHIVED
    assert audits(old, "cases.archive_unrated")[0].actor is None
    assert actions.archive_unrated() == 0


# --- support and merge ---------------------------------------------------------------


def test_support_is_once_per_person(ledger):
    case = ledger.new_case()
    first = actions.support_case(case=case, acting_user=ledger.head_b1)
    again = actions.support_case(case=case, acting_user=ledger.head_b1)
    assert first.pk == again.pk
    actions.support_case(case=case, phone="13511112222")
    actions.support_case(case=case, phone="13511112222")
    assert actions.support_case(case=case, acting_user=ledger.resident) is None  # the reporter
    assert case.supporters.count() == 2
    assert kinds(case).count(EventKind.SUPPORTED) == 2
    with pytest.raises(ValidationError):
        actions.support_case(case=case)


def test_merge_moves_reporter_and_supporters(ledger):
    survivor = ledger.new_case("accepted")
    dup = ledger.new_case(reporter=ledger.head_b1)
    actions.support_case(case=dup, acting_user=ledger.worker_a1)
    actions.support_case(case=dup, acting_user=ledger.resident)  # already on the survivor
    actions.support_case(case=dup, phone="13511112222")
    survivor = actions.merge_cases(duplicate=dup, into=survivor, acting_user=ledger.staff_a)
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == survivor
    users = set(survivor.supporters.exclude(user=None).values_list("user", flat=True))
    assert users == {ledger.head_b1.pk, ledger.worker_a1.pk}
    assert list(survivor.supporters.filter(user=None).values_list("phone", flat=True)) == [
        "13511112222"]
    assert set(Supporter.objects.filter(case=survivor).values_list("from_case", flat=True)) == {
        dup.pk}
    assert "cases.merged" in inbox(ledger.head_b1)
    assert len(audits(dup, "cases.merge_cases")) == 1
    with pytest.raises(CaseConflict):
        actions.merge_cases(duplicate=dup, into=survivor, acting_user=ledger.staff_a)
    with pytest.raises(ValidationError):
        actions.merge_cases(duplicate=survivor, into=survivor, acting_user=ledger.staff_a)


def test_merge_needs_triage_on_both(ledger):
    a = ledger.new_case()
    b = ledger.new_case(area=ledger.b3)
    with pytest.raises(PermissionDenied):
        actions.merge_cases(duplicate=b, into=a, acting_user=ledger.staff_a)
    assert actions.merge_cases(duplicate=b, into=a, acting_user=ledger.street_staff).pk == a.pk


# --- conflicts -----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "call"), [
    ("submitted", lambda n, c: actions.dispatch_case(case=c, to_org=n.dept,
                                                     acting_user=n.staff_a)),
    ("submitted", lambda n, c: actions.resolve_case(case=c, result="x", acting_user=n.staff_a)),
    ("accepted", lambda n, c: actions.accept_case(case=c, category=n.road,
                                                  acting_user=n.staff_a)),
    ("accepted", lambda n, c: actions.reject_case(case=c, reason="x", acting_user=n.staff_a)),
    ("dispatched", lambda n, c: actions.dispatch_case(case=c, to_org=n.other_dept,
                                                      acting_user=n.staff_a)),
    ("in_progress", lambda n, c: actions.start_case(case=c, acting_user=n.dept_member)),
    ("resolved", lambda n, c: actions.forward_case(case=c, to_org=n.other_dept, reason="x",
                                                   acting_user=n.staff_a)),
    ("resolved", lambda n, c: actions.escalate_case(case=c, reason="x", acting_user=n.staff_a)),
    ("in_progress", lambda n, c: actions.rate_case(case=c, rating="satisfied",
                                                   acting_user=n.resident)),
    ("archived", lambda n, c: actions.add_note(case=c, note="x", acting_user=n.staff_a)),
    ("rejected", lambda n, c: actions.accept_case(case=c, category=n.road,
                                                  acting_user=n.staff_a)),
    ("merged", lambda n, c: actions.support_case(case=c, acting_user=n.head_b1)),
    ("escalated", lambda n, c: actions.resolve_case(case=c, result="x",
                                                    acting_user=n.street_staff)),
])
def test_illegal_transition_is_a_conflict_and_changes_nothing(ledger, status, call):
    case = ledger.new_case(status)
    before = (case.status, case.version, case.events.count(), AuditEvent.objects.count())
    with pytest.raises(CaseConflict) as err:
        call(ledger, case)
    assert "该诉求件已被他人处理" in str(err.value.messages[0])
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count(),
            AuditEvent.objects.count()) == before


def test_stale_version_is_a_conflict(ledger):
    case = ledger.new_case("accepted")
    seen = case.version
    actions.add_note(case=case, note="先看现场", acting_user=ledger.staff_a)
    with pytest.raises(CaseConflict):
        actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.staff_a,
                              expected_version=seen)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.version == seen + 1
    case = actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.staff_a,
                                 expected_version=case.version)
    assert case.status == Status.DISPATCHED


def test_the_callers_instance_follows_the_action(ledger):
    case = ledger.new_case()
    actions.accept_case(case=case, category=ledger.road, acting_user=ledger.staff_a)
    assert case.status == Status.ACCEPTED and case.version == 2
    actions.dispatch_case(case=case, to_org=ledger.dept, acting_user=ledger.staff_a,
                          expected_version=case.version)
    assert case.assignee_org == ledger.dept


def test_every_action_writes_one_event_and_one_audit_and_bumps_the_version(ledger):
    case = ledger.new_case("archived")
    actions_seen = [a.action for a in reversed(audits(case))]
    assert actions_seen == ["cases.submit_case", "cases.accept_case", "cases.dispatch_case",
                            "cases.start_case", "cases.resolve_case", "cases.rate_case"]
    assert kinds(case) == [EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.DISPATCHED,
                           EventKind.STARTED, EventKind.RESOLVED, EventKind.RATED]
    assert case.version == 6
