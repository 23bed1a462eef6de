"""The renewal API for residents: projects I may see with items, money, survey and vote;
the needs survey once per household (409 for the second member); a supervisor's
inspection opening a case; sign-offs at acceptance; refusals as bilingual JSON."""

import pytest

from gongzhi.cases.models import Case
from gongzhi.cases.tests.api_client import get, post
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Inspection, ItemStatus, Signoff, Stage, SurveyResponse
from gongzhi.renewal.tests.conftest import finish_all
from gongzhi.renewal.tests.test_views_resident import (
    _uploads,  # noqa: F401  (the autouse fixture: uploads in a temporary directory)
    housemate,
    open_survey,
    outsider,
    progress_photo,
)

pytestmark = pytest.mark.django_db
API = "/api/renewal"


def assert_error(response, status: int, code: str) -> dict:
    """A JSON error with a Chinese detail, an English detail_en and a machine code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    assert body["detail_en"] and body["detail_en"].isascii(), body
    return body


def field_errors(body: dict) -> dict:
    return {tuple(e["loc"]): e["msg"] for e in body["errors"]}


# --- projects ---------------------------------------------------------------------------------


def test_the_list_holds_my_compounds_project_and_filters(client, in_works):
    n = in_works
    body = get(client, n.resident, f"{API}/projects").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["id"] == n.project.pk and row["stage"] == "works" and row["stage_label"] == "实施"
    assert row["my_roles"] == ["representative"] and row["year"] == n.batch.year
    assert [c["name"] for c in row["compounds"]] == ["铁路小区"]
    assert get(client, n.resident, f"{API}/projects", {"stage": "planning"}).json()["count"] == 0
    assert get(client, n.resident, f"{API}/projects",
               {"year": n.batch.year + 1}).json()["count"] == 0
    assert get(client, outsider(n), f"{API}/projects").json()["count"] == 0
    assert_error(get(client, n.resident, f"{API}/projects", {"stage": "done"}), 422, "invalid")


def test_the_detail_has_items_money_and_the_vote(client, in_works):
    n = in_works
    response = get(client, n.resident, f"{API}/projects/{n.project.pk}")
    assert response.status_code == 200
    body = response.json()
    items = {i["name"]: i for i in body["items"]}
    assert set(items) == {"雨污分流", "增设停车位", "适老化扶手"}
    assert items["雨污分流"]["budget"] == "360000.00" and items["雨污分流"]["quantity"] == "1200"
    assert items["雨污分流"]["category_label"] == "基础类"
    assert items["雨污分流"]["contractor"] == "衡阳建工"
    funding = body["funding"]
    assert funding["budget"] == "510000.00" and funding["raised"] == "450000.00"
    assert funding["residents_share"] == "0.1111" and funding["residents_share_text"] == "11.1%"
    assert {s["kind"]: s["amount"] for s in funding["by_source"]} == {
        "central": "400000.00", "residents": "50000.00"}
    assert body["vote"] == {"via": "poll", "id": n.project.poll_id, "result": "passed",
                            "closes_at": body["vote"]["closes_at"]}
    assert body["resolution"] == n.project.resolution_id and body["survey"] is None


def test_the_detail_lists_progress_photos_and_the_open_survey(client, renewal):
    n = renewal
    open_survey(n)
    body = get(client, n.resident, f"{API}/projects/{n.project.pk}").json()
    assert body["survey"]["accepting"] and not body["survey"]["answered"]
    assert body["photos"] == [] and body["vote"]["via"] is None


def test_the_detail_links_the_photos(client, in_works):
    n = in_works
    photo = progress_photo(n)
    body = get(client, n.resident, f"{API}/projects/{n.project.pk}").json()
    assert [(p["id"], p["url"], p["note"]) for p in body["photos"]] == [
        (photo.pk, f"/renewal/photos/{photo.pk}/", "3栋管道已开挖")]
    assert {i["name"]: i["progress"] for i in body["items"]}["雨污分流"] == 40


def test_a_project_outside_my_compound_is_404(client, in_works):
    n = in_works
    body = assert_error(get(client, outsider(n), f"{API}/projects/{n.project.pk}"), 404,
                        "not_found")
    assert body["detail_en"] == "project not found"
    assert_error(get(client, n.staff_b, f"{API}/projects/{n.project.pk}"), 404, "not_found")
    assert_error(get(client, n.resident, f"{API}/projects/999999"), 404, "not_found")


def test_the_api_needs_a_login(client, renewal):
    assert_error(client.get(f"{API}/projects"), 401, "not_authenticated")


# --- the needs survey -------------------------------------------------------------------------


def test_the_survey_is_answered_once_per_household(client, renewal):
    n = renewal
    url = f"{API}/projects/{n.project.pk}/survey"
    assert_error(get(client, n.resident, url), 404, "not_found")
    survey = open_survey(n)
    body = get(client, n.resident, url).json()
    assert body["may_answer"] and body["my_answer"] is None and body["accepting"]
    assert [o["label"] for o in body["options"]] == ["雨污分流", "增设停车位", "加装电梯"]
    wanted = [o["id"] for o in body["options"][:2]]
    response = post(client, n.resident, f"{url}/answer", {"choices": wanted, "comment": "好"})
    assert response.status_code == 201, response.content
    mine = response.json()["my_answer"]
    assert mine["choices"] == sorted(wanted) and mine["by_me"] and mine["source"] == "online"
    assert not response.json()["may_answer"]
    other = housemate(n)
    body = get(client, other, url).json()
    assert body["my_answer"]["by_me"] is False and not body["may_answer"]
    conflict = assert_error(post(client, other, f"{url}/answer", {"choices": wanted[:1]}),
                            409, "already_answered")
    assert "每户一份" in conflict["detail"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_survey_refusals(client, renewal):
    n = renewal
    open_survey(n)
    url = f"{API}/projects/{n.project.pk}/survey/answer"
    body = assert_error(post(client, n.resident, url, {"choices": []}), 422, "invalid")
    assert ("body", "choices") in field_errors(body)
    body = assert_error(post(client, n.resident, url, {"choices": [99999]}), 422, "invalid")
    assert "所选需求不在本问卷中" in body["detail"]
    assert_error(post(client, n.staff_a, url, {"comment": "加装电梯"}), 403, "forbidden")
    assert_error(post(client, outsider(n), url, {"comment": "加装电梯"}), 404, "not_found")
    assert_error(post(client, n.resident, url, {"comment": "长" * 1001}), 422, "invalid")
    assert not SurveyResponse.objects.exists()


# --- inspections ------------------------------------------------------------------------------


def test_the_supervisors_inspection_with_a_problem_opens_a_case(client, in_works):
    n = in_works
    url = f"{API}/projects/{n.project.pk}/inspections"
    response = post(client, n.resident1, url, {"note": "3栋管道开挖", "item": n.items[0].pk,
                                               "problem": "沟槽没有围挡"})
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["case"] == {"id": case.pk, "reference": case.reference}
    assert body["item"] == n.items[0].pk and case.reporter == n.resident1
    quiet = post(client, n.resident1, url, {"note": "现场整洁"}).json()
    assert quiet["case"] is None and Case.objects.count() == 1


def test_inspection_refusals(client, in_works):
    n = in_works
    url = f"{API}/projects/{n.project.pk}/inspections"
    assert_error(post(client, n.resident, url, {"note": "看了"}), 403, "forbidden")
    assert_error(post(client, outsider(n), url, {"note": "看了"}), 404, "not_found")
    body = assert_error(post(client, n.resident1, url, {"note": " "}), 422, "invalid")
    assert field_errors(body) == {("body", "note"): "请写下巡查情况"}
    body = assert_error(post(client, n.resident1, url, {"note": "看了", "item": 99999}), 422,
                        "invalid")
    assert ("body", "item") in field_errors(body)
    assert not Inspection.objects.exists()


# --- sign-offs --------------------------------------------------------------------------------


@pytest.fixture
def acceptance(in_works):
    n = in_works
    finish_all(n)
    n.project = ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    return n


def test_the_representatives_refusal_sends_the_item_back_to_works(client, acceptance):
    n = acceptance
    item = n.items[2]
    response = post(client, n.resident, f"{API}/items/{item.pk}/signoff",
                    {"accepted": False, "reason": "扶手松动"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["party"] == "residents" and not body["accepted"] and body["reason"] == "扶手松动"
    assert body["item"]["status"] == "rework" and body["project_stage"] == "works"
    item.refresh_from_db()
    n.project.refresh_from_db()
    assert item.status == ItemStatus.REWORK and n.project.stage == Stage.WORKS


def test_a_side_signs_an_item_once(client, acceptance):
    n = acceptance
    url = f"{API}/items/{n.items[0].pk}/signoff"
    assert post(client, n.resident, url, {"accepted": True}).status_code == 201
    assert_error(post(client, n.resident, url, {"accepted": True}), 409, "already_signed")
    response = post(client, n.staff_a, url, {"accepted": True})
    assert response.status_code == 201 and response.json()["party"] == "community"
    assert response.json()["item"]["status"] == "accepted"
    assert Signoff.objects.filter(item=n.items[0]).count() == 2


def test_signoff_refusals(client, acceptance):
    n = acceptance
    url = f"{API}/items/{n.items[0].pk}/signoff"
    body = assert_error(post(client, n.resident, url, {"accepted": False}), 422, "invalid")
    assert ("body", "reason") in field_errors(body)
    assert_error(post(client, n.resident1, url, {"accepted": True}), 403, "forbidden")
    assert_error(post(client, n.resident, url, {"accepted": True, "party": "community"}), 403,
                 "forbidden")
    assert_error(post(client, outsider(n), url, {"accepted": True}), 404, "not_found")
    assert_error(post(client, n.resident, url, {"reason": "x"}), 422, "invalid")
    assert not Signoff.objects.exists()


def test_no_signoff_outside_acceptance(client, in_works):
    n = in_works
    body = assert_error(post(client, n.resident, f"{API}/items/{n.items[0].pk}/signoff",
                             {"accepted": True}), 422, "invalid")
    assert "项目不在验收阶段" in body["detail"]
