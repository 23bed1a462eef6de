"""The area and household API answers strictly within the caller's scope."""

import base64
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.areas.actions import add_resident, create_household
from gongzhi.conftest import square

NOT_FOUND = {"detail": "未找到该区域", "detail_en": "area not found", "code": "not_found"}


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def household_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def assert_area_404(response):
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_grid_worker_gets_only_own_grid(client, street):
    w = street.worker_a1
    assert household_ids(get(client, w, "/api/areas/CA-G1/households")) == {
        street.h1.pk, street.h2.pk}
    for code in ("CA-G2", "CB", "CA", "S", "CB-X1-B1", "NO-SUCH-CODE"):
        assert_area_404(get(client, w, f"/api/areas/{code}"))
        assert_area_404(get(client, w, f"/api/areas/{code}/households"))
        assert_area_404(get(client, w, f"/api/areas/{code}/children"))
    for household in (street.h3, street.h4):
        response = get(client, w, f"/api/households/{household.pk}")
        assert response.status_code == 404
        assert response.json()["detail_en"] == "household not found"
    assert get(client, w, f"/api/households/{street.h1.pk}").json()["room"] == "101"


def test_scope_roots_and_children(client, street):
    roots = get(client, street.worker_a1, "/api/areas/").json()
    assert [(r["code"], r["parent_code"], r["child_count"]) for r in roots] == [
        ("CA-G1", "CA", 1)]
    children = get(client, street.staff_a, "/api/areas/CA/children").json()
    assert [(c["code"], c["kind"], c["parent_code"]) for c in children] == [
        ("CA-G1", "grid_large", "CA"), ("CA-G2", "grid_large", "CA")]
    assert [r["code"] for r in get(client, street.street_staff, "/api/areas/").json()] == ["S"]


def test_community_staff_see_their_community_unmasked(client, street):
    response = get(client, street.staff_a, "/api/areas/CA/households")
    assert household_ids(response) == {street.h1.pk, street.h2.pk, street.h3.pk}
    wang = next(i for i in response.json()["items"] if i["id"] == street.h1.pk)["residents"][0]
    assert wang["phone"] == "13812341234"
    assert wang["id_number"] == "110105194901011235"
    assert wang["masked"] is False
    assert wang["tags"] == ["elderly_alone"] and wang["tag_labels"] == ["独居老人"]
    assert_area_404(get(client, street.staff_a, "/api/areas/CB/households"))
    assert get(client, street.staff_a, f"/api/households/{street.h4.pk}").status_code == 404


def test_street_staff_see_all_households_masked(client, street):
    response = get(client, street.street_staff, "/api/areas/S/households")
    assert household_ids(response) == {h.pk for h in (street.h1, street.h2, street.h3, street.h4)}
    wang = next(i for i in response.json()["items"] if i["id"] == street.h1.pk)["residents"][0]
    assert wang["name"] == "王秀英"
    assert wang["phone"] == "138****1234"
    assert wang["id_number"] == "110105********1235"
    assert wang["masked"] is True
    detail = get(client, street.street_staff, f"/api/households/{street.h4.pk}").json()
    assert detail["residents"][0]["phone"] == "136****3333"
    assert "13812341234" not in response.content.decode()


def test_resident_sees_only_own_household(client, street):
    own = get(client, street.resident, f"/api/households/{street.h2.pk}")
    assert own.status_code == 200
    assert own.json()["residents"][0]["phone"] == "13900001111"  # their own, unmasked
    for other in (street.h1, street.h3, street.h4):
        assert get(client, street.resident, f"/api/households/{other.pk}").status_code == 404
    listing = get(client, street.resident, "/api/areas/CA-G1-X1-B1/households")
    assert household_ids(listing) == {street.h2.pk}
    assert get(client, street.resident, "/api/areas/CA-G1-X1-B1").json()["household_count"] == 1


def test_area_detail(client, street):
    response = get(client, street.staff_a, "/api/areas/CA-G1")
    body = response.json()
    assert body["code"] == "CA-G1" and body["name"] == "第一网格" and body["kind"] == "grid_large"
    assert body["depth"] == 5 and body["parent_code"] == "CA"
    assert [a["code"] for a in body["ancestors"]] == ["C", "D", "S", "CA"]
    assert body["child_count"] == 1 and body["household_count"] == 2
    assert body["bbox"] == [111.0, 26.0, 111.01, 26.01]
    assert body["boundary"] is None
    with_boundary = get(client, street.staff_a, "/api/areas/CA-G1", boundary="true").json()
    assert with_boundary["boundary"] == square(111.0, 26.0)


def test_floor_area_is_a_decimal_string(client, street):
    response = get(client, street.worker_a1, f"/api/households/{street.h1.pk}")
    assert response.json()["floor_area"] == "88.50"
    assert '"floor_area": "88.50"' in response.content.decode()
    listing = get(client, street.staff_b, "/api/areas/CB/households").json()
    assert listing["items"][0]["floor_area"] == "101.25"


def test_search_by_name_and_room(client, street):
    assert household_ids(get(client, street.staff_a, "/api/areas/CA/households", q="王秀英")) == {
        street.h1.pk}
    assert household_ids(get(client, street.staff_a, "/api/areas/CA/households", q="301")) == {
        street.h3.pk}


def _fill_building(street, count: int, residents: int = 0) -> None:
    for i in range(count):
        household = create_household(
            building=street.b1, unit=str(1 + i % 3), room=f"{i // 3 + 3:02d}{i % 3}",
            floor=i // 6 + 1, floor_area=Decimal("60.00") + i, acting_user=None,
        )
        for j in range(residents):
            add_resident(household=household, name=f"居民{i}-{j}", phone=f"1380000{i:04d}",
                         is_head=j == 0, acting_user=None)


def test_keyset_pagination_walks_every_household_once(client, street):
    _fill_building(street, 120)
    seen, cursor, pages = [], None, 0
    client.force_login(street.staff_a)
    while True:
        params = {"limit": 50} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/areas/CA/households", params).json()
        pages += 1
        seen += [(i["building_code"], i["unit"], i["room"], i["id"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == 123 and len({s[3] for s in seen}) == 123
    assert street.h4.pk not in {s[3] for s in seen}
    assert seen == sorted(seen, key=lambda s: (s[0], s[1], s[2], s[3]))


def test_query_count_does_not_grow_with_page_size(client, street, django_assert_max_num_queries):
    _fill_building(street, 120, residents=2)
    client.force_login(street.street_staff)
    counts = {}
    for limit in (50, 200):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/areas/S/households", {"limit": limit})
        assert response.status_code == 200
        counts[limit] = len(ctx.captured_queries)
    assert len(response.json()["items"]) == 124
    assert counts[50] == counts[200]
    with django_assert_max_num_queries(10):
        client.get("/api/areas/S/households", {"limit": 200})


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 201}, {"limit": "many"}, {"cursor": "not-a-cursor!"},
    {"cursor": base64.urlsafe_b64encode(b'["a", 1]').decode()},
    {"cursor": base64.urlsafe_b64encode(json.dumps(["000001", "1", "101", "x"]).encode()).decode()},
    {"q": "长" * 51},
])
def test_bad_paging_parameters_are_422(client, street, params):
    response = get(client, street.staff_a, "/api/areas/CA/households", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] in {"invalid", "invalid_cursor"}
    assert body["detail"] and body["detail_en"]


def test_locate(client, street):
    inside = {"lng": "111.005", "lat": "26.005"}
    body = get(client, street.worker_a1, "/api/areas/locate", **inside).json()
    assert body["code"] == "CA-G1"
    assert get(client, street.staff_a, "/api/areas/locate", **inside).json()["code"] == "CA-G1"
    # Out of scope: the grid exists but this worker may not see it.
    hidden = get(client, street.worker_a2, "/api/areas/locate", **inside)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    outside = get(client, street.staff_a, "/api/areas/locate", lng="120", lat="30")
    assert outside.status_code == 404 and outside.json()["detail_en"]


@pytest.mark.parametrize("params", [
    {"lng": "abc", "lat": "26"}, {"lng": "200", "lat": "26"}, {"lng": "111", "lat": "-91"},
    {"lng": "111"}, {"lng": "nan", "lat": "26"},
])
def test_locate_rejects_bad_coordinates(client, street, params):
    response = get(client, street.staff_a, "/api/areas/locate", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["errors"]


def test_household_id_must_be_a_number(client, street):
    for bad in ("abc", "0", "-1", str(2**70)):
        response = get(client, street.admin, f"/api/households/{bad}")
        assert response.status_code == 422 and response.json()["code"] == "invalid", bad
    assert get(client, street.admin, f"/api/households/{2**62}").status_code == 404
    assert get(client, street.admin, f"/api/households/{street.h4.pk}").status_code == 200


def test_me(client, street):
    body = get(client, street.worker_a1, "/api/me").json()
    assert body["username"] == "worker_a1" and body["is_superuser"] is False
    assert body["roles"] == [{
        "role": "grid_worker", "role_label": "网格员",
        "area": {"code": "CA-G1", "name": "第一网格", "kind": "grid_large"},
        "organisation": None,
    }]
    member = get(client, street.property_member, "/api/me").json()
    assert [(r["role"], r["area"]["code"], r["organisation"]["code"]) for r in member["roles"]] == [
        ("org_member", "CA-G1-X1", "P1")]
