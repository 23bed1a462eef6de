"""API lookups: categories, suggestions, similar open cases before a report, KPIs."""

from gongzhi.cases.tests.api_client import get, post
from gongzhi.cases.tests.test_kpis import build_data
from gongzhi.conftest import make_user


def test_categories_with_their_limits(client, ledger):
    response = get(client, ledger.resident, "/api/cases/categories")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["road"] == {"code": "road", "name": "道路破损", "group": "municipal",
                            "response_hours": 2, "resolution_workdays": 7,
                            "urgent_response_hours": 1, "urgent_resolution_workdays": 1}
    assert rows["municipal"]["group"] is None
    ledger.light.is_active = False
    ledger.light.save()
    ledger.sanitation.is_active = False
    ledger.sanitation.save()
    codes = {row["code"] for row in get(client, ledger.resident, "/api/cases/categories").json()}
    assert "street_light" not in codes and "garbage" not in codes  # its group is retired


def test_suggest_categories_from_the_text(client, ledger):
    response = get(client, ledger.staff_a, "/api/cases/suggest", {"text": "小区门口路灯不亮了"})
    assert response.status_code == 200
    best = response.json()[0]
    assert best["code"] == "street_light" and 0 < best["score"] <= 1
    assert get(client, ledger.staff_a, "/api/cases/suggest", {"text": ""}).status_code == 422


def test_similar_open_cases_nearby_before_reporting(client, ledger):
    lamp = ledger.new_case(title="路灯不亮", description="1栋门口路灯不亮，晚上很黑")
    ledger.new_case(title="垃圾堆放", description="楼下垃圾没人清运")
    ledger.new_case(title="路灯不亮", description="路灯不亮很黑", area=ledger.b3)
    neighbour = make_user("neighbour")
    params = {"text": "门口的路灯不亮了，很黑", "area": ledger.b1.code}
    response = get(client, neighbour, "/api/cases/similar", params)
    assert response.status_code == 200, response.content
    found = response.json()
    assert [row["id"] for row in found] == [lamp.pk]
    assert found[0]["supporters"] == 0 and found[0]["place"] == "1栋"
    assert "13900001111" not in response.content.decode()  # no reporter data
    post(client, neighbour, f"/api/cases/{lamp.pk}/support", {"area": ledger.b1.code})
    again = get(client, neighbour, "/api/cases/similar", params).json()
    assert again[0]["supporters"] == 1
    assert get(client, neighbour, "/api/cases/similar",
               {**params, "area": "NOWHERE"}).status_code == 404


def test_kpis_of_an_area_match_the_hand_count(client, street):
    data = build_data(street)
    params = {"area": "S", "start": "2026-03-01", "end": "2026-03-31"}
    response = get(client, data.street_staff, "/api/cases/kpis", params)
    assert response.status_code == 200, response.content
    k = response.json()
    assert (k["area"], k["start"], k["end"], k["total"]) == ("S", "2026-03-01", "2026-03-31", 10)
    # Every response deadline of March has passed by now: 1, 3 and 4 answered in time,
    # 2 late, 5 and 9 never (see test_kpis for the table).
    assert k["response_rate"] == {"numerator": 3, "denominator": 6, "percent": "50.0"}
    assert k["resolution_rate"] == {"numerator": 3, "denominator": 6, "percent": "50.0"}
    assert k["satisfaction_rate"] == {"numerator": 2, "denominator": 3, "percent": "66.7"}
    assert k["on_time_rate"] == {"numerator": 2, "denominator": 3, "percent": "66.7"}
    assert k["avg_handling_hours"] == "74.0"
    assert {t["label"]: t["count"] for t in k["by_category"]} == {
        "道路破损": 5, "垃圾清运": 2, "未分类": 3}
    assert {t["key"]: t["count"] for t in k["by_status"]}["archived"] == 2


def test_kpis_follow_the_callers_scope_and_check_the_period(client, street):
    data = build_data(street)
    march = {"start": "2026-03-01", "end": "2026-03-31"}
    community_a = get(client, data.staff_a, "/api/cases/kpis", {"area": "CA", **march}).json()
    assert community_a["total"] == 7
    assert get(client, data.staff_a, "/api/cases/kpis", {"area": "CB", **march}).status_code \
        == 404
    assert get(client, data.resident, "/api/cases/kpis", {"area": "CA"}).status_code == 404
    backwards = get(client, data.staff_a, "/api/cases/kpis",
                    {"area": "CA", "start": "2026-03-31", "end": "2026-03-01"})
    assert backwards.status_code == 422 and backwards.json()["detail_en"] == "end is before start"
    assert get(client, data.staff_a, "/api/cases/kpis",
               {"area": "CA", "start": "2026-13-01"}).status_code == 422
