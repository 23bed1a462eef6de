"""Staff console: the needs survey — create, open, door-to-door entry, results, close."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    ResponseSource,
    Survey,
    SurveyOption,
    SurveyResponse,
    SurveyStatus,
)
from gongzhi.renewal.tests.pages import html, login, row

M = "/renewal/manage"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def survey_data(**extra) -> dict:
    return {"title": "铁路小区改造需求调查", "intro": "请勾选您家需要的改造",
            "closes_at": local(timezone.now() + timedelta(days=14)),
            "options_basic": "雨污分流\n楼道粉刷\n", "options_improvement": "加装电梯",
            "options_enhancement": ""} | extra


@pytest.fixture
def surveyed(renewal):
    """``renewal`` with an open survey of three options."""
    n = renewal
    n.survey = ra.create_survey(project=n.project, title="需求调查", acting_user=n.staff_a,
                                closes_at=timezone.now() + timedelta(days=7),
                                options=[("basic", "雨污分流"), ("basic", "楼道粉刷"),
                                         ("improvement", "加装电梯")])
    n.survey = ra.open_survey(survey=n.survey, acting_user=n.staff_a)
    n.options = list(n.survey.options.all())
    return n


def test_create_and_open_a_survey_from_the_page(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/projects/{n.project.pk}/survey/"))
    assert "基础类需求（每行一项）" in page and "建立问卷" in page
    response = c.post(f"{M}/projects/{n.project.pk}/survey/new/", survey_data())
    assert response.status_code == 302
    survey = Survey.objects.get(project=n.project)
    assert (survey.title, survey.status) == ("铁路小区改造需求调查", SurveyStatus.DRAFT)
    assert [(o.category, o.label) for o in survey.options.all()] == [
        ("basic", "雨污分流"), ("basic", "楼道粉刷"), ("improvement", "加装电梯")]
    assert "开始调查并通知居民" in html(c.get(f"{M}/projects/{n.project.pk}/survey/"))
    assert c.post(f"{M}/projects/{n.project.pk}/survey/open/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and survey.opens_at is not None


def test_a_bad_survey_is_refused_and_nothing_is_made(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/survey/new/"
    response = c.post(url, survey_data(options_basic="", options_improvement=""))
    assert response.status_code == 400 and "请至少列出一项改造需求" in html(response)
    response = c.post(url, survey_data(closes_at=local(timezone.now() - timedelta(days=1))))
    assert response.status_code == 400 and "截止时间须晚于现在" in html(response)
    response = c.post(url, survey_data(options_improvement="雨污分流"))
    assert response.status_code == 400 and "改造需求有重复" in html(response)
    assert not Survey.objects.exists() and not SurveyOption.objects.exists()


def test_door_to_door_entry_and_the_results(client, surveyed):
    n = surveyed
    rain, paint, lift = n.options
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/survey/entry/"
    page = html(c.get(f"{M}/projects/{n.project.pk}/survey/"))
    assert "入户登记" in page and f'value="{n.b1.pk}"' in page
    assert f'value="{n.b2.pk}"' not in page  # another compound's building
    response = c.post(url, {"building": n.b1.pk, "unit": "1", "room": "101",
                            "choices": [rain.pk, lift.pk], "comment": "希望尽快"})
    assert response.status_code == 302
    answer = SurveyResponse.objects.get(household=n.h1)
    assert answer.source == ResponseSource.DOOR and answer.answered_by == n.staff_a
    assert set(answer.choices.all()) == {rain, lift} and answer.comment == "希望尽快"
    ra.answer_survey(survey=n.survey, choices=[rain.pk], acting_user=n.resident)  # h2, online

    page = html(c.get(f"{M}/projects/{n.project.pk}/survey/"))
    assert re.search(r'id="answered">2（100.0%）', page)
    assert re.search(r"<td>雨污分流</td><td class=\"num\">2</td><td class=\"num\">100.0%",
                     row(page, "option", rain.pk))
    assert re.search(r"<td>加装电梯</td><td class=\"num\">1</td><td class=\"num\">50.0%",
                     row(page, "option", lift.pk))
    assert '<td class="num">0</td><td class="num">0.0%' in row(page, "option", paint.pk)
    building = row(page, "building", 1)
    assert "1栋" in building and "2（100.0%）" in building and "1（50.0%）" in building


def test_a_second_answer_for_a_household_is_refused(client, surveyed):
    n = surveyed
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/survey/entry/"
    data = {"building": n.b1.pk, "unit": "1", "room": "201", "choices": [n.options[0].pk]}
    ra.answer_survey(survey=n.survey, choices=[n.options[1].pk], acting_user=n.resident)
    response = c.post(url, data)
    assert response.status_code == 400 and "已经填写过这份问卷（每户一份）" in html(response)
    assert SurveyResponse.objects.count() == 1
    assert set(SurveyResponse.objects.get().choices.all()) == {n.options[1]}


def test_an_unknown_room_or_nothing_chosen_is_refused(client, surveyed):
    n = surveyed
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/survey/entry/"
    response = c.post(url, {"building": n.b1.pk, "unit": "1", "room": "909",
                            "choices": [n.options[0].pk]})
    assert response.status_code == 400
    assert re.search(r'<label for="entry_room">.*?改造小区内没有“1栋1单元909”这一户',
                     html(response), re.S)
    response = c.post(url, {"building": n.b1.pk, "unit": "1", "room": "101"})
    assert response.status_code == 400
    assert "请至少选择一项需求，或写下您的意见" in html(response)
    response = c.post(url, {"building": n.b3.pk, "room": "502",
                            "choices": [n.options[0].pk]})  # community B's building
    assert response.status_code == 400 and "选择一个有效的选项" in html(response)
    assert not SurveyResponse.objects.exists()


def test_close_the_survey_and_no_more_entry(client, surveyed):
    n = surveyed
    c = login(client, n.staff_a)
    assert c.post(f"{M}/projects/{n.project.pk}/survey/close/").status_code == 302
    n.survey.refresh_from_db()
    assert n.survey.status == SurveyStatus.CLOSED
    page = html(c.get(f"{M}/projects/{n.project.pk}/survey/"))
    assert "已结束" in page and 'id="entry"' not in page
    response = c.post(f"{M}/projects/{n.project.pk}/survey/entry/", {
        "building": n.b1.pk, "unit": "1", "room": "101", "choices": [n.options[0].pk]})
    assert response.status_code == 400 and "需求调查未开始或已结束" in html(response)
    assert not SurveyResponse.objects.exists()


def test_the_plan_shows_how_many_households_asked(client, surveyed):
    n = surveyed
    ra.answer_survey(survey=n.survey, choices=[n.options[0].pk], acting_user=n.resident)
    ra.update_item(item=n.items[0], need=n.options[0], acting_user=n.staff_a)
    page = html(login(client, n.staff_a).get(f"{M}/projects/{n.project.pk}/"))
    assert "雨污分流：1 户提出" in row(page, "item", n.items[0].pk)


@pytest.mark.parametrize("who", ["resident", "worker_a1", "staff_b"])
def test_others_may_not_enter_answers(client, surveyed, who):
    n = surveyed
    response = login(client, getattr(n, who)).post(
        f"{M}/projects/{n.project.pk}/survey/entry/",
        {"building": n.b1.pk, "unit": "1", "room": "101", "choices": [n.options[0].pk]})
    assert response.status_code == (404 if who == "staff_b" else 403)
    assert not SurveyResponse.objects.exists()
