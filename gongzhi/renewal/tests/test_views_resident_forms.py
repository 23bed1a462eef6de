"""Residents' renewal pages, writing: the needs survey once per household, a supervisor's
inspection (a problem opens a case), a representative's sign-off or refusal (the item goes
back to works); errors in Chinese next to the field, and nothing half-written."""

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    Inspection,
    ItemStatus,
    Party,
    Photo,
    Signoff,
    Stage,
    SurveyResponse,
)
from gongzhi.renewal.tests.conftest import finish_all
from gongzhi.renewal.tests.test_views_resident import (
    _uploads,  # noqa: F401  (the autouse fixture: uploads in a temporary directory)
    housemate,
    open_survey,
    page,
    upload,
)

pytestmark = pytest.mark.django_db


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def followed(client, user, url, data) -> str:
    client.force_login(user)
    return client.post(url, data, follow=True).content.decode()


# --- the needs survey -------------------------------------------------------------------------


def survey_url(n) -> str:
    return reverse("renewal:survey", args=[n.project.pk])


def test_a_household_answers_the_survey_once(client, renewal):
    n = renewal
    survey = open_survey(n)
    drains, parking = survey.options.all()[:2]
    _response, html = page(client, n.resident, survey_url(n))
    assert "基础类" in html and "雨污分流" in html and 'type="checkbox"' in html
    response = post(client, n.resident, survey_url(n),
                    {"choices": [drains.pk, parking.pk], "comment": "一楼下水道经常堵"})
    assert response.status_code == 302 and response["Location"] == survey_url(n)
    answer = SurveyResponse.objects.get(survey=survey)
    assert answer.household == n.h2 and answer.answered_by == n.resident
    assert set(answer.choices.all()) == {drains, parking}
    assert answer.comment == "一楼下水道经常堵"
    _response, html = page(client, n.resident, survey_url(n))
    assert "您已于" in html and "雨污分流、增设停车位" in html and 'type="checkbox"' not in html


def test_the_second_member_of_the_household_is_told_plainly(client, renewal):
    n = renewal
    survey = open_survey(n)
    ra.answer_survey(survey=survey, choices=[survey.options.first()], acting_user=n.resident)
    other = housemate(n)
    _response, html = page(client, other, survey_url(n))
    assert "您家的问卷已由家人李建国于" in html and "您不用再填" in html
    assert 'type="checkbox"' not in html
    html = followed(client, other, survey_url(n), {"choices": [survey.options.last().pk]})
    assert "您家已经填写过这份问卷（每户一份）" in html
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_the_database_refusal_of_a_second_answer_is_shown_in_chinese(client, renewal,
                                                                     monkeypatch):
    """Both members opened the form at once: the page's own check passes, the action's
    unique constraint refuses, the resident reads why."""
    n = renewal
    survey = open_survey(n)
    other = housemate(n)
    ra.answer_survey(survey=survey, choices=[survey.options.first()], acting_user=n.resident)
    monkeypatch.setattr("gongzhi.renewal.views_resident.household_response",
                        lambda user, survey: None)
    html = followed(client, other, survey_url(n), {"choices": [survey.options.last().pk]})
    assert "您家已经填写过这份问卷（每户一份）" in html
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_an_empty_answer_is_refused_next_to_the_choices(client, renewal):
    n = renewal
    open_survey(n)
    response = post(client, n.resident, survey_url(n), {"choices": [], "comment": " "})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="choices field-error"' in html and "请至少选择一项需求" in html
    assert not SurveyResponse.objects.exists()


def test_an_option_of_another_survey_is_refused(client, renewal):
    n = renewal
    open_survey(n)
    response = post(client, n.resident, survey_url(n), {"choices": [99999]})
    assert response.status_code == 200
    assert "所选需求不在本问卷中" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_survey_not_yet_opened_is_404(client, renewal):
    assert page(client, renewal.resident, survey_url(renewal))[0].status_code == 404


def test_staff_see_the_survey_but_have_no_household_to_answer_for(client, renewal):
    n = renewal
    open_survey(n)
    _response, html = page(client, n.staff_a, survey_url(n))
    assert "只有改造小区的住户可以填写这份问卷" in html
    html = followed(client, n.staff_a, survey_url(n), {"comment": "想加装电梯"})
    assert "只有改造小区的住户可以填写这份问卷" in html
    assert not SurveyResponse.objects.exists()


# --- the supervisor's inspection --------------------------------------------------------------


def inspect_url(n) -> str:
    return reverse("renewal:inspect", args=[n.project.pk])


def test_the_supervisor_logs_a_problem_and_a_case_is_opened(client, in_works):
    n = in_works
    _response, html = page(client, n.resident1, reverse("renewal:project", args=[n.project.pk]))
    assert inspect_url(n) in html
    html = followed(client, n.resident1, inspect_url(n), {
        "item": n.items[0].pk, "note": "3栋管道开挖", "problem": "沟槽没有围挡，老人经过危险",
        "photos": [upload("red")]})
    inspection = Inspection.objects.get()
    assert inspection.inspector == n.resident1 and inspection.item == n.items[0]
    case = inspection.case
    assert case is not None and case.reporter == n.resident1
    assert "沟槽没有围挡" in case.description and case.area == n.compound
    assert f"编号 {case.reference}" in html  # the message after the redirect
    assert reverse("cases_resident:case", args=[case.pk]) in html  # linked on the project
    assert Photo.objects.filter(inspection=inspection).count() == 1


def test_an_inspection_without_a_problem_opens_no_case(client, in_works):
    n = in_works
    response = post(client, n.resident1, inspect_url(n), {"item": "", "note": "现场整洁"})
    assert response.status_code == 302
    assert Inspection.objects.get().case is None and not Case.objects.exists()


def test_an_inspection_needs_a_note(client, in_works):
    n = in_works
    response = post(client, n.resident1, inspect_url(n), {"note": "  ", "problem": "漏水"})
    assert response.status_code == 200
    assert "请写下巡查情况" in response.content.decode()
    assert not Inspection.objects.exists() and not Case.objects.exists()


def test_only_the_supervisor_may_inspect(client, in_works):
    n = in_works
    html = followed(client, n.resident, inspect_url(n), {"note": "看了看"})
    assert "只有本项目的居民监督员可以登记巡查" in html
    assert not Inspection.objects.exists()


def test_no_inspection_before_the_works(client, renewal):
    html = followed(client, renewal.resident1, inspect_url(renewal), {"note": "看了看"})
    assert "项目施工期间才能登记巡查" in html
    assert not Inspection.objects.exists()


# --- the representative's sign-off ------------------------------------------------------------


@pytest.fixture
def acceptance(in_works):
    n = in_works
    finish_all(n)
    n.project = ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    return n


def signoff_url(item) -> str:
    return reverse("renewal:signoff", args=[item.pk])


def test_the_representative_refuses_and_the_item_goes_back_to_works(client, acceptance):
    n = acceptance
    item = n.items[2]
    _response, html = page(client, n.resident, reverse("renewal:project", args=[n.project.pk]))
    assert signoff_url(item) in html and "验收这一项" in html
    response = post(client, n.resident, signoff_url(item),
                    {"decision": "refuse", "reason": "扶手松动，二楼转角没装"})
    assert response.status_code == 302
    item.refresh_from_db()
    n.project.refresh_from_db()
    assert item.status == ItemStatus.REWORK and n.project.stage == Stage.WORKS
    refusal = Signoff.objects.get(item=item, accepted=False)
    assert refusal.party == Party.RESIDENTS and refusal.reason == "扶手松动，二楼转角没装"


def test_a_refusal_needs_its_reason_next_to_the_field(client, acceptance):
    n = acceptance
    item = n.items[2]
    response = post(client, n.resident, signoff_url(item), {"decision": "refuse", "reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "不同意验收须写明理由" in html and 'field field-error' in html
    item.refresh_from_db()
    assert item.status == ItemStatus.FINISHED and not Signoff.objects.exists()


def test_the_representative_accepts_once(client, acceptance):
    n = acceptance
    item = n.items[0]
    response = post(client, n.resident, signoff_url(item), {"decision": "accept"})
    assert response.status_code == 302
    signoff = Signoff.objects.get(item=item)
    assert signoff.accepted and signoff.party == Party.RESIDENTS
    _response, html = page(client, n.resident, signoff_url(item))
    assert "居民代表已于" in html and 'name="decision"' not in html
    html = followed(client, n.resident, signoff_url(item), {"decision": "accept"})
    assert "已对该项签署验收意见" in html
    assert Signoff.objects.filter(item=item).count() == 1
    ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED


def test_only_a_representative_signs_off(client, acceptance):
    n = acceptance
    html = followed(client, n.resident1, signoff_url(n.items[0]), {"decision": "accept"})
    assert "只有本项目的居民代表可以验收" in html
    assert not Signoff.objects.exists()
