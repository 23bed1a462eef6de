"""Stages and the plan: who may move a project, and the checks each step makes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import actions as deliberation
from gongzhi.deliberation.models import ResolutionStatus
from gongzhi.renewal import actions as ra
from gongzhi.renewal.actions.projects import vote_result
from gongzhi.renewal.models import PlanStatus, Project, Stage
from gongzhi.renewal.tests.conftest import approve_plan, finish_all, vote_plan_through

pytestmark = pytest.mark.django_db


def test_a_compound_built_after_2000_is_not_eligible(street):
    ra.save_compound_record(compound=street.compound, built_year=2005, acting_user=street.staff_a)
    with pytest.raises(ValidationError, match="2005"):
        ra.create_project(name="新小区改造", compounds=[street.compound],
                          acting_user=street.staff_a)
    assert not Project.objects.exists()


def test_a_compound_without_a_record_needs_its_year_first(street):
    with pytest.raises(ValidationError, match="建成年份"):
        ra.create_project(name="改造", compounds=[street.compound], acting_user=street.staff_a)


def test_the_cut_off_year_is_a_setting(street, settings):
    ra.save_compound_record(compound=street.compound, built_year=2003, acting_user=street.staff_a)
    settings.GONGZHI_RENEWAL_BUILT_BEFORE = 2006
    project = ra.create_project(name="改造", compounds=[street.compound],
                                acting_user=street.staff_a)
    assert project.stage == Stage.RESERVE


@pytest.mark.parametrize("who", ["staff_b", "resident", "worker_a1", "property_member"])
def test_only_staff_over_the_compound_create_and_move_projects(renewal, who):
    n = renewal
    user = getattr(n, who)
    with pytest.raises(PermissionDenied):
        ra.create_project(name="另一个", compounds=[n.compound], acting_user=user)
    with pytest.raises(PermissionDenied):
        ra.put_plan_to_vote(project=n.project, acting_user=user, opens_at=timezone.now(),
                            closes_at=timezone.now() + timedelta(days=3))
    assert Project.objects.count() == 1


def test_street_and_district_staff_may_run_a_community_project(renewal):
    project = ra.create_project(name="街道统筹", compounds=[renewal.compound],
                                acting_user=renewal.district_staff)
    assert ra.start_planning(project=project, acting_user=renewal.street_staff).stage == \
        Stage.PLANNING


def test_several_compounds_make_a_project_of_their_community(street):
    other = street.b2.parent  # 机务小区 in grid A2 of the same community
    for compound in (street.compound, other):
        ra.save_compound_record(compound=compound, built_year=1988, acting_user=street.staff_a)
    project = ra.create_project(name="片区改造", compounds=[street.compound, other],
                                acting_user=street.staff_a)
    assert project.area == street.comm_a


def test_no_vote_without_items_and_no_items_while_the_vote_is_out(street):
    ra.save_compound_record(compound=street.compound, built_year=1990, acting_user=street.staff_a)
    project = ra.start_planning(project=ra.create_project(
        name="空方案", compounds=[street.compound], acting_user=street.staff_a),
        acting_user=street.staff_a)
    now = timezone.now()
    with pytest.raises(ValidationError, match="没有改造内容"):
        ra.put_plan_to_vote(project=project, acting_user=street.staff_a, opens_at=now,
                            closes_at=now + timedelta(days=3))
    ra.add_item(project=project, category="basic", name="屋面防水", budget="1000",
                acting_user=street.staff_a)
    project = ra.put_plan_to_vote(project=project, acting_user=street.staff_a,
                                  opens_at=now, closes_at=now + timedelta(days=3))
    assert project.plan_status == PlanStatus.VOTING and "屋面防水" in project.poll.description
    with pytest.raises(ValidationError):
        ra.add_item(project=project, category="basic", name="外墙", budget="1",
                    acting_user=street.staff_a)
    with pytest.raises(ValidationError):
        ra.update_item(item=project.items.get(), name="别的", acting_user=street.staff_a)


def test_the_plan_cannot_be_submitted_before_the_count_or_after_a_no(renewal):
    n = renewal
    now = timezone.now()
    project = ra.put_plan_to_vote(project=n.project, acting_user=n.staff_a,
                                  opens_at=now - timedelta(minutes=1),
                                  closes_at=now + timedelta(days=3))
    with pytest.raises(ValidationError, match="尚未结束"):
        ra.submit_plan(project=project, acting_user=n.staff_a)
    for unit in project.poll.units.all():
        deliberation.enter_ballot(poll=project.poll, unit=unit, choice="no", source="paper",
                                  record="票", acting_user=n.staff_a)
    deliberation.close_poll(poll=project.poll, acting_user=n.staff_a)
    project.refresh_from_db()
    assert vote_result(project) == "failed"
    with pytest.raises(ValidationError, match="未通过"):
        ra.submit_plan(project=project, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="批准后才能开工"):
        ra.start_works(project=project, acting_user=n.staff_a)
    project.refresh_from_db()
    assert project.resolution is None and project.stage == Stage.PLANNING


def test_a_failed_plan_is_amended_and_put_again(renewal):
    n = renewal
    project = vote_plan_through(n.project, n.staff_a, passed=False)
    ra.update_item(item=n.items[0], budget="300000", acting_user=n.staff_a)
    project = vote_plan_through(project, n.staff_a)
    assert vote_result(project) == "passed"
    assert ra.submit_plan(project=project, acting_user=n.staff_a).plan_status == \
        PlanStatus.SUBMITTED


def test_only_the_street_approves_and_a_refusal_can_be_resubmitted(renewal):
    n = renewal
    project = ra.submit_plan(project=vote_plan_through(n.project, n.staff_a),
                             acting_user=n.staff_a)
    assert project.resolution.status == ResolutionStatus.SUBMITTED
    assert f"/renewal/projects/{project.pk}/" in project.resolution.text
    for user in (n.staff_a, n.staff_b, n.resident):
        with pytest.raises(PermissionDenied):
            ra.decide_plan(project=project, approve=True, note="", acting_user=user)
    with pytest.raises(ValidationError):
        ra.decide_plan(project=project, approve=False, note="", acting_user=n.street_staff)
    project = ra.decide_plan(project=project, approve=False, note="预算偏高",
                             acting_user=n.street_staff)
    assert project.plan_status == PlanStatus.REFUSED
    project = ra.submit_plan(project=project, acting_user=n.staff_a)
    project = ra.decide_plan(project=project, approve=True, note="同意",
                             acting_user=n.street_staff)
    assert project.plan_status == PlanStatus.APPROVED
    project.refresh_from_db()
    assert project.resolution.status == ResolutionStatus.NOTICE
    assert project.resolution.notice.status == "published"


def test_a_consultation_can_carry_the_plan(renewal):
    n = renewal
    now = timezone.now()
    project = ra.put_plan_to_vote(project=n.project, acting_user=n.staff_a, via="consultation",
                                  opens_at=now - timedelta(minutes=1),
                                  closes_at=now + timedelta(days=3))
    for household in (n.h1, n.h2):
        deliberation.enter_answer(consultation=project.consultation, household=household,
                                  answer="agree", record="入户", acting_user=n.staff_a)
    deliberation.close_consultation(consultation=project.consultation, acting_user=n.staff_a)
    project.refresh_from_db()
    assert vote_result(project) == "passed"
    project = ra.submit_plan(project=project, acting_user=n.staff_a)
    project = ra.decide_plan(project=project, approve=True, note="同意",
                             acting_user=n.street_staff)
    assert ra.start_works(project=project, acting_user=n.staff_a).stage == Stage.WORKS


def test_acceptance_waits_for_every_item_to_be_finished(in_works):
    n = in_works
    ra.start_item(item=n.items[0], acting_user=n.staff_a)
    ra.finish_item(item=n.items[0], acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="增设停车位"):
        ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    finish_all_rest = [i for i in n.project.items.all() if i.pk != n.items[0].pk]
    for item in finish_all_rest:
        ra.start_item(item=item, acting_user=n.staff_a)
        ra.finish_item(item=item, acting_user=n.staff_a)
    assert ra.start_acceptance(project=n.project, acting_user=n.staff_a).stage == \
        Stage.ACCEPTANCE


def test_long_term_management_waits_for_every_item_accepted(in_works):
    n = in_works
    finish_all(n)
    project = ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    ra.sign_off_item(item=n.items[0], accepted=True, acting_user=n.resident)
    ra.sign_off_item(item=n.items[0], accepted=True, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="未通过验收"):
        ra.complete_acceptance(project=project, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="验收后"):
        ra.record_management(project=project, management="self", acting_user=n.staff_a)
    project.refresh_from_db()
    assert project.stage == Stage.ACCEPTANCE and project.funding_notice is None


def test_every_step_writes_one_audit_event(renewal):
    n = renewal
    before = AuditEvent.objects.filter(action__startswith="renewal.").count()
    approve_plan(n)
    ra.start_works(project=n.project, acting_user=n.staff_a)
    actions = list(AuditEvent.objects.filter(action__startswith="renewal.")
                   .order_by("pk").values_list("action", flat=True)[before:])
    assert actions == ["renewal.put_plan_to_vote", "renewal.submit_plan",
                       "renewal.decide_plan", "renewal.start_works"]


def test_a_step_out_of_order_changes_nothing(renewal):
    n = renewal
    with pytest.raises(ValidationError):
        ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.start_planning(project=n.project, acting_user=n.staff_a)
    n.project.refresh_from_db()
    assert n.project.stage == Stage.PLANNING
