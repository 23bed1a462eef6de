"""The needs survey: one answer per household, results by item and by building."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.areas.actions import add_resident
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import SurveyResponse
from gongzhi.renewal.selectors import survey_results

pytestmark = pytest.mark.django_db
OPTIONS = [("basic", "雨污分流"), ("basic", "屋面防水"), ("improvement", "增设停车位"),
           ("enhancement", "加装电梯")]


def open_survey(n):
    survey = ra.create_survey(project=n.project, title="铁路小区改造需求调查",
                              closes_at=timezone.now() + timedelta(days=10),
                              options=OPTIONS, acting_user=n.staff_a)
    return ra.open_survey(survey=survey, acting_user=n.staff_a)


def second_member(n):
    """A second account in household h2 (the ``resident`` login's household)."""
    member = add_resident(household=n.h2, name="李小红", phone="13900002222", acting_user=None)
    return make_user("resident_h2_b", resident=member)


def test_a_resident_answers_once_for_the_household(renewal):
    n = renewal
    survey = open_survey(n)
    options = list(survey.options.all())
    ra.answer_survey(survey=survey, choices=[options[0], options[3]], acting_user=n.resident)
    with pytest.raises(ValidationError, match="每户一份"):
        ra.answer_survey(survey=survey, choices=[options[1]], acting_user=second_member(n))
    response = SurveyResponse.objects.get()
    assert response.household == n.h2 and response.source == "online"
    assert sorted(o.label for o in response.choices.all()) == ["加装电梯", "雨污分流"]


def test_staff_enter_door_to_door_answers_for_households_in_their_reach(renewal):
    n = renewal
    survey = open_survey(n)
    first = survey.options.first()
    ra.enter_survey_answer(survey=survey, household=n.h1, choices=[first],
                           acting_user=n.worker_a1)
    with pytest.raises(PermissionDenied):
        ra.enter_survey_answer(survey=survey, household=n.h2, choices=[first],
                               acting_user=n.staff_b)
    with pytest.raises(ValidationError, match="不在改造小区"):
        ra.enter_survey_answer(survey=survey, household=n.h3, choices=[first],
                               acting_user=n.staff_a)
    assert SurveyResponse.objects.get().source == "door"


def test_results_count_households_by_item_and_by_building(renewal):
    n = renewal
    survey = open_survey(n)
    sewer, roof, parking, lift = survey.options.all()
    ra.answer_survey(survey=survey, choices=[sewer, lift], acting_user=n.resident)
    ra.enter_survey_answer(survey=survey, household=n.h1, choices=[sewer, parking],
                           acting_user=n.staff_a)
    results = survey_results(survey)
    counts = {r.option.label: r.households for r in results.options}
    assert counts == {"雨污分流": 2, "屋面防水": 0, "增设停车位": 1, "加装电梯": 1}
    assert results.households == 2 and results.answered == 2 and results.rate == 1.0
    assert results.online == 1 and results.door == 1
    assert results.buildings == [(n.b1.pk, "1栋", 2, 2)]
    assert {r.option.label: r.by_building for r in results.options}["雨污分流"] == {n.b1.pk: 2}


def test_answers_outside_the_survey_window_or_options_are_refused(renewal):
    n = renewal
    survey = ra.create_survey(project=n.project, title="调查", options=OPTIONS,
                              closes_at=timezone.now() + timedelta(days=1),
                              acting_user=n.staff_a)
    option = survey.options.first()
    with pytest.raises(ValidationError, match="未开始或已结束"):
        ra.answer_survey(survey=survey, choices=[option], acting_user=n.resident)
    survey = ra.open_survey(survey=survey, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="不在本问卷"):
        ra.answer_survey(survey=survey, choices=[999999], acting_user=n.resident)
    with pytest.raises(ValidationError, match="至少选择"):
        ra.answer_survey(survey=survey, choices=[], acting_user=n.resident)
    ra.close_survey(survey=survey, acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.answer_survey(survey=survey, choices=[option], acting_user=n.resident)
    assert not SurveyResponse.objects.exists()


def test_a_survey_needs_options_and_a_future_close(renewal):
    n = renewal
    with pytest.raises(ValidationError):
        ra.create_survey(project=n.project, title="调查", options=[], acting_user=n.staff_a,
                         closes_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError):
        ra.create_survey(project=n.project, title="调查", options=OPTIONS,
                         acting_user=n.staff_a, closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        ra.create_survey(project=n.project, title="调查", options=OPTIONS,
                         acting_user=n.resident, closes_at=timezone.now() + timedelta(days=1))


def test_an_item_of_the_plan_shows_the_need_it_answers(renewal):
    n = renewal
    survey = open_survey(n)
    lift = survey.options.get(label="加装电梯")
    ra.answer_survey(survey=survey, choices=[lift], acting_user=n.resident)
    item = ra.update_item(item=n.items[2], need=lift, acting_user=n.staff_a)
    assert item.need.responses.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_members_of_a_household_answering_at_once_leave_one_answer(renewal):
    n = renewal
    survey = open_survey(n)
    other = second_member(n)
    options = list(survey.options.all())
    results, errors = race(
        lambda: ra.answer_survey(survey=survey, choices=[options[0]], acting_user=n.resident),
        lambda: ra.answer_survey(survey=survey, choices=[options[1]], acting_user=other))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "每户一份" in str(errors[0])
    assert SurveyResponse.objects.filter(household=n.h2).count() == 1
