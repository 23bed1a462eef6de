"""The demo's old-compound renovation: a record for every compound, 铁路二村 in works (survey,
53-item plan voted under art. 278 and approved, money from several sources, supervision with
a case), 铁路一村 accepted and in long-term management, a survey open, compounds in reserve."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from gongzhi.accounts.models import OrgKind, User
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.cases.models import Status
from gongzhi.deliberation.models import Ballot, PollStatus, ResolutionStatus
from gongzhi.demo.renewal import load_demo_renewal
from gongzhi.notices.models import NoticeKind, NoticeStatus
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    Allocation,
    Category,
    CompoundRecord,
    FundingSource,
    Inspection,
    ItemStatus,
    Management,
    MemberRole,
    Payment,
    PlanStatus,
    ProgressLog,
    Project,
    Signoff,
    Stage,
    SurveyResponse,
    SurveyStatus,
    WorkItem,
)
from gongzhi.renewal.selectors import survey_results, visible_projects


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def home_project(username: str) -> Project:
    compound = User.objects.get(username=username).resident.household.building.parent
    return Project.objects.get(compounds=compound)


def sums(rows, *keys) -> dict:
    return {tuple(r[k] for k in keys): r["total"]
            for r in rows.values(*keys).annotate(total=Sum("amount"))}


@pytest.mark.django_db
def test_every_compound_has_a_record_and_only_old_ones_are_eligible(demo):
    compounds = AreaNode.objects.filter(kind=AreaKind.COMPOUND)
    records = CompoundRecord.objects.select_related("compound")
    assert records.count() == compounds.count() > 40
    eligible = [r for r in records if r.eligible]
    assert len(eligible) > records.count() / 2 and len(eligible) < records.count()
    assert all(r.built_year >= 2001 for r in records if not r.eligible)
    for record in records:
        homes = Household.objects.filter(area_path__startswith=record.area_path)
        assert record.floor_area == homes.aggregate(a=Sum("floor_area"))["a"].quantize(
            record.floor_area)
        assert record.facilities and (record.problems or not record.eligible)
    assert {Management.PROPERTY, Management.EMPLOYER, Management.NONE} <= set(
        records.values_list("management", flat=True))


@pytest.mark.django_db
def test_rail2_is_in_works_with_the_voted_and_approved_53_item_plan(demo):
    project = home_project("resident")
    assert project.compounds.get().name == "铁路二村"
    assert (project.stage, project.plan_status) == (Stage.WORKS, PlanStatus.APPROVED)
    assert project.batch.year == project.created_at.year and project.batch.area.kind == "street"
    items = project.items.all()
    by_category = {c: items.filter(category=c).count() for c in Category.values}
    assert by_category == {Category.BASIC: 21, Category.IMPROVEMENT: 19, Category.ENHANCEMENT: 13}
    statuses = set(items.values_list("status", flat=True))
    assert {ItemStatus.FINISHED, ItemStatus.IN_WORKS, ItemStatus.PLANNED} <= statuses
    assert all(i.contractor.kind == OrgKind.CONTRACTOR for i in items)
    assert items.filter(need__isnull=False).count() > 30
    logs = ProgressLog.objects.filter(item__project=project)
    assert logs.count() > 20 and not logs.filter(logged_at__gt=timezone.now()).exists()
    # The owners voted under art. 278 (one owners' meeting by hands, the rest on paper).
    poll = project.poll
    assert poll.status == PollStatus.CLOSED and poll.outcome["passed"]
    assert poll.rule == "art278_three_quarters" and poll.council.kind == "renovation"
    ballots = Ballot.objects.filter(poll=poll)
    assert ballots.filter(source="hands").exists() and ballots.filter(source="paper").exists()
    assert not ballots.exclude(cast_at__range=(poll.opens_at, poll.closes_at)).exists()
    resolution = project.resolution
    assert resolution.status == ResolutionStatus.NOTICE
    assert resolution.decided_by.username == "street"
    assert resolution.notice.period_ends_at < project.started_at < timezone.now()
    # 问需于民: the survey is closed, most households answered, online and door to door.
    survey = project.survey
    assert survey.status == SurveyStatus.CLOSED and survey.closes_at < poll.opens_at
    results = survey_results(survey)
    assert results.rate > 0.6 and results.online > results.door > 0
    assert not SurveyResponse.objects.filter(survey=survey).exclude(
        answered_at__range=(survey.opens_at, survey.closes_at)).exists()
    resident = User.objects.get(username="resident")
    assert SurveyResponse.objects.filter(survey=survey, answered_by=resident).exists()
    assert project in visible_projects(resident)


@pytest.mark.django_db
def test_residents_supervise_and_a_problem_became_a_case_for_the_contractor(demo):
    project = home_project("resident")
    members = {(m.user.username, m.role) for m in project.members.select_related("user")}
    assert ("resident", MemberRole.REPRESENTATIVE) in members
    assert ("head_1", MemberRole.SUPERVISOR) in members
    inspections = Inspection.objects.filter(project=project)
    assert inspections.count() >= 4
    assert not inspections.filter(inspected_at__gt=timezone.now()).exists()
    found = inspections.get(case__isnull=False)
    assert found.problem and found.inspector.username == "head_1"
    assert found.case.status == Status.DISPATCHED
    assert found.case.assignee_org == found.item.contractor
    contractor = User.objects.get(username="contractor")
    assert contractor.organisations.filter(kind=OrgKind.CONTRACTOR).exists()
    assert project in visible_projects(contractor)


@pytest.mark.django_db
def test_money_committed_never_exceeds_what_is_there_and_spent_never_what_is_committed(demo):
    works = home_project("resident")
    assert FundingSource.objects.filter(project=works).count() >= 4
    assert {"central", "provincial", "local", "residents"} <= set(
        works.sources.values_list("kind", flat=True))
    assert Payment.objects.filter(item__project=works).exists()
    committed = sums(Allocation.objects, "item", "source")
    spent = sums(Payment.objects, "item", "source")
    assert spent and all(total <= committed[key] for key, total in spent.items())
    for source in FundingSource.objects.all():
        assert (source.allocations.aggregate(t=Sum("amount"))["t"] or 0) <= source.amount
    for (item_id,), total in sums(Allocation.objects, "item").items():
        assert total <= WorkItem.objects.get(pk=item_id).budget


@pytest.mark.django_db
def test_rail1_was_accepted_item_by_item_and_is_in_long_term_management(demo):
    project = home_project("head_2")
    assert project.stage == Stage.MANAGEMENT and project.accepted_at < timezone.now()
    assert set(project.items.values_list("status", flat=True)) == {ItemStatus.ACCEPTED}
    refused = Signoff.objects.get(item__project=project, accepted=False)
    assert refused.superseded and refused.reason and refused.signed_by.username == "head_2"
    again = refused.item.signoffs.filter(superseded=False)
    assert {(s.party, s.accepted) for s in again} == {("residents", True), ("community", True)}
    notice = project.funding_notice
    assert notice.kind == NoticeKind.FINANCE and notice.status == NoticeStatus.PUBLISHED
    assert "居民出资" in notice.body and notice.subject == f"renewal.project:{project.pk}"
    assert project.management == Management.PROPERTY and "居民公约" in project.convention
    record = project.compounds.get().renewal_record
    assert (record.management, record.manager) == (project.management, project.manager)
    assert project.resolution.status == ResolutionStatus.CARRIED_OUT


@pytest.mark.django_db
def test_a_survey_is_open_for_head_3_and_compounds_wait_in_reserve(demo):
    planning = home_project("head_3")
    assert planning.stage == Stage.PLANNING and planning.plan_status == PlanStatus.DRAFT
    survey = planning.survey
    assert survey.status == SurveyStatus.OPEN and survey.closes_at > timezone.now()
    assert 0 < survey_results(survey).answered < survey_results(survey).households
    head = User.objects.get(username="head_3")
    ra.answer_survey(survey=survey, choices=[survey.options.first()], acting_user=head)
    reserve = Project.objects.filter(stage=Stage.RESERVE)
    assert reserve.count() >= 3
    assert all(r.eligible for r in CompoundRecord.objects.filter(
        compound__in=reserve.values("compounds")))
    assert Project.objects.filter(stage=Stage.RESERVE, batch__isnull=True).exists()


@pytest.mark.django_db
def test_loaded_once(demo):
    models = (CompoundRecord, Project, Allocation, Payment, ProgressLog, SurveyResponse, User)
    before = [m.objects.count() for m in models]
    assert load_demo_renewal() == 0
    assert [m.objects.count() for m in models] == before
