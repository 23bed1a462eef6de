"""The renewal API for staff: stage steps (the plan the residents passed first; 409 for a
step already taken), progress of the works by staff or the contractor, compound records
with their eligibility, and the year's board adding up every project's money."""

import pytest

from gongzhi.cases.tests.api_client import get, post
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import ProgressLog, Stage
from gongzhi.renewal.tests.conftest import approve_plan
from gongzhi.renewal.tests.test_api import assert_error
from gongzhi.renewal.tests.test_views_resident import outsider

pytestmark = pytest.mark.django_db
API = "/api/renewal"


# --- stages -----------------------------------------------------------------------------------


def test_works_start_only_with_the_approved_plan(client, renewal):
    n = renewal
    url = f"{API}/projects/{n.project.pk}/stage"
    body = assert_error(post(client, n.staff_a, url, {"step": "start_works"}), 422, "invalid")
    assert "街道批准后才能开工" in body["detail"]
    approve_plan(n)
    response = post(client, n.staff_a, url, {"step": "start_works"})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "works" and response.json()["started_at"]
    assert_error(post(client, n.staff_a, url, {"step": "start_works"}), 409, "already_done")
    assert_error(post(client, n.staff_a, url, {"step": "start_planning"}), 409, "already_done")


def test_stage_refusals(client, renewal):
    n = renewal
    url = f"{API}/projects/{n.project.pk}/stage"
    assert_error(post(client, n.resident, url, {"step": "start_acceptance"}), 403, "forbidden")
    assert_error(post(client, n.staff_b, url, {"step": "start_acceptance"}), 404, "not_found")
    assert_error(post(client, n.staff_a, url, {"step": "finish"}), 422, "invalid")
    body = assert_error(post(client, n.staff_a, url, {"step": "start_acceptance"}), 422,
                        "invalid")
    assert "不能执行该操作" in body["detail"]
    n.project.refresh_from_db()
    assert n.project.stage == Stage.PLANNING


# --- progress ---------------------------------------------------------------------------------


def test_staff_and_the_contractor_log_progress(client, in_works):
    n = in_works
    item = ra.start_item(item=n.items[0], acting_user=n.staff_a)
    url = f"{API}/items/{item.pk}/progress"
    response = post(client, n.staff_a, url, {"note": "管道已铺设一半", "progress": 50})
    assert response.status_code == 201, response.content
    assert response.json()["item"]["progress"] == 50 and response.json()["progress"] == 50
    response = post(client, n.builder, url, {"note": "管道已铺设八成", "progress": 80})
    assert response.status_code == 201, response.content
    assert response.json()["item"]["progress"] == 80
    assert ProgressLog.objects.filter(item=item).count() == 2


def test_progress_refusals(client, in_works):
    n = in_works
    planned = n.items[1]
    url = f"{API}/items/{planned.pk}/progress"
    body = assert_error(post(client, n.staff_a, url, {"note": "准备", "progress": 5}), 422,
                        "invalid")
    assert "该项不在施工中" in body["detail"]
    assert_error(post(client, n.resident, url, {"note": "看", "progress": 5}), 403, "forbidden")
    assert_error(post(client, outsider(n), url, {"note": "看", "progress": 5}), 404,
                 "not_found")
    assert_error(post(client, n.staff_a, url, {"note": "多", "progress": 101}), 422, "invalid")
    assert_error(post(client, n.staff_a, f"{API}/items/999999/progress",
                      {"note": "看", "progress": 5}), 404, "not_found")
    assert not ProgressLog.objects.exists()


# --- compound records -------------------------------------------------------------------------


def test_compound_records_in_scope_with_eligibility(client, renewal):
    n = renewal
    body = get(client, n.staff_a, f"{API}/compounds").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["compound"]["name"] == "铁路小区" and row["built_year"] == 1992
    assert row["eligible"] and row["floor_area"] == "3600.50"
    assert row["buildings"] == 1 and row["households"] == 2
    assert row["projects"] == [n.project.pk] and row["management_label"] == "无人管理"
    assert get(client, n.staff_a, f"{API}/compounds", {"eligible": "false"}).json()["count"] == 0
    assert get(client, n.staff_b, f"{API}/compounds").json()["count"] == 0
    assert_error(get(client, n.resident, f"{API}/compounds"), 403, "forbidden")
    assert_error(get(client, n.staff_a, f"{API}/compounds", {"limit": 0}), 422, "invalid")


# --- the year's board -------------------------------------------------------------------------


def test_the_board_adds_up_the_years_projects(client, in_works):
    n = in_works
    year = n.batch.year
    item = ra.start_item(item=n.items[0], acting_user=n.staff_a)
    ra.commit_funds(item=item, source=n.central, amount="300000", acting_user=n.staff_a)
    ra.record_payment(item=item, source=n.central, amount="120000", acting_user=n.staff_a)
    response = get(client, n.street_staff, f"{API}/board", {"year": year})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == year and body["projects"] == 1
    assert body["compounds"] == 1 and body["households"] == 2
    assert {s["stage"]: s["count"] for s in body["by_stage"]}["works"] == 1
    funding = body["funding"]
    assert funding["budget"] == "510000.00" and funding["raised"] == "450000.00"
    assert funding["committed"] == "300000.00" and funding["spent"] == "120000.00"
    assert funding["residents_share"] == "0.1111"  # 50,000 of the 450,000 raised
    assert body["rows"][0]["spent"] == "120000.00"
    assert get(client, n.street_staff, f"{API}/board",
               {"year": year - 1}).json()["projects"] == 0


def test_board_refusals(client, in_works):
    n = in_works
    assert_error(get(client, n.resident, f"{API}/board"), 403, "forbidden")
    assert_error(get(client, n.street_staff, f"{API}/board", {"year": 1999}), 422, "invalid")
    assert get(client, n.staff_b, f"{API}/board").json()["projects"] == 0
