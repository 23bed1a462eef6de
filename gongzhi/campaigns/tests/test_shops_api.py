"""The 门前三包 API with API tokens: shops scoped (another community's is 404), registering,
inspections with base64 photos (a problem without one is 422, nothing written), the month's
scores, publishing the board once."""

import base64
import json

import pytest

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Inspection, Shop
from gongzhi.campaigns.tests.conftest import Caller
from gongzhi.campaigns.tests.fixtures_shops import jpeg, local, months_ago

pytestmark = pytest.mark.django_db
API = "/api/campaigns/shops"


@pytest.fixture
def api(client):
    return Caller(client)


def test_shops_are_scoped(api, shops):
    n = shops
    names = lambda user: {s["name"] for s in api.get(user, API).json()["items"]}  # noqa: E731
    assert names(n.staff_a) == {"老王早餐店", "利民五金"}
    assert names(n.worker_a1) == {"老王早餐店"}
    assert names(n.shopkeeper) == {"老王早餐店"}
    assert names(n.street_staff) == {"老王早餐店", "利民五金", "德鑫水果"}
    assert names(n.resident) == set()
    assert api.get(n.staff_a, API, {"q": "五金"}).json()["count"] == 1
    assert api.get(n.staff_a, API, {"area": "CA-G2"}).json()["items"][0]["name"] == "利民五金"
    assert api.get(n.staff_a, f"{API}/{n.shop_a1.pk}").json()["address"] == "活龙路 12 号"
    assert api.get(n.staff_b, f"{API}/{n.shop_a1.pk}").status_code == 404


def test_register_a_shop(api, shops):
    n = shops
    body = {"name": "便民药店", "area": "CA-G1", "address": "活龙路 20 号",
            "responsible_person": "赵敏", "responsible_phone": "13544445555"}
    made = api.post(n.staff_a, API, body)
    assert made.status_code == 201 and made.json()["area"]["code"] == "CA-G1"
    bad = api.post(n.staff_a, API, {**body, "responsible_phone": "abc"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body",
                                                                         "responsible_phone"]
    assert api.post(n.worker_a1, API, body).status_code == 403
    assert api.post(n.staff_b, API, body).status_code == 403
    assert Shop.objects.count() == 4


def test_inspect_through_the_api(api, shops):
    n = shops
    body = {"shop": n.shop_a1.pk, "sanitation_ok": False, "greenery_ok": True,
            "order_ok": True, "note": "门前油污"}
    refused = api.post(n.worker_a1, f"{API}/inspections", body)
    assert refused.status_code == 422 and "photos" in json.dumps(refused.json()["errors"])
    assert not Inspection.objects.exists()
    garbled = api.post(n.worker_a1, f"{API}/inspections", {**body, "photos": ["%%%"]})
    assert garbled.status_code == 422 and not Inspection.objects.exists()
    not_a_picture = base64.b64encode(b"hello").decode()
    assert api.post(n.worker_a1, f"{API}/inspections",
                    {**body, "photos": [not_a_picture]}).status_code == 422
    photo = base64.b64encode(jpeg()).decode()
    made = api.post(n.worker_a1, f"{API}/inspections", {**body, "photos": [photo]})
    assert made.status_code == 201, made.json()
    problem = made.json()
    assert problem["result"] == "problem" and problem["photos"] == 1
    assert problem["failed_duties"] == ["包市容环境卫生"]
    assert api.post(n.shopkeeper, f"{API}/inspections", body).status_code == 403
    assert api.post(n.worker_a2, f"{API}/inspections", body).status_code == 404
    assert api.post(n.staff_b, f"{API}/inspections", body).status_code == 404
    listed = api.get(n.shopkeeper, f"{API}/inspections", {"open": "true"}).json()
    assert [i["id"] for i in listed["items"]] == [problem["id"]]
    again = api.post(n.worker_a1, f"{API}/inspections", {
        "shop": n.shop_a1.pk, "sanitation_ok": True, "greenery_ok": True, "order_ok": True,
        "reinspection_of": problem["id"]})
    assert again.status_code == 201
    assert api.get(n.worker_a1, f"{API}/inspections", {"open": "true"}).json()["count"] == 0
    assert api.get(n.worker_a1, f"{API}/inspections").json()["count"] == 2


def test_scores_and_the_board(api, shops):
    n = shops
    month = months_ago(1)
    ca.inspect_shop(shop=n.shop_a1, sanitation_ok=False, greenery_ok=False, order_ok=True,
                    note="杂物", photos=[jpeg()], inspected_at=local(month, 3),
                    acting_user=n.worker_a1)
    query = {"area": "CA", "month": f"{month:%Y-%m}"}
    got = api.get(n.staff_a, f"{API}/scores", query).json()
    # 100 - 10 × 2 duties - 10 × 1 problem open at the month's end = 70: not black
    assert [(s["name"], s["score"], s["listing"]) for s in got["shops"]] == [
        ("老王早餐店", 70, "")]
    assert got["published"] is False
    assert api.get(n.staff_b, f"{API}/scores", query).status_code == 404
    assert api.get(n.staff_a, f"{API}/scores", {**query, "month": "2026-13"}).status_code == 422
    board = api.post(n.staff_a, f"{API}/boards", query)
    assert board.status_code == 201 and board.json()["entries"] == 1
    assert api.post(n.staff_a, f"{API}/boards", query).status_code == 422
    assert api.post(n.staff_b, f"{API}/boards", query).status_code == 403
    assert api.get(n.staff_a, f"{API}/scores", query).json()["published"] is True
