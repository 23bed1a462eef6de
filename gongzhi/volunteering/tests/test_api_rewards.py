"""Rewards and coupons in the volunteering API: redeeming takes points (balance from the
ledger) and stock, none left is refused (409), a coupon's code is seen by its holder only,
and staff add menu items and rewards of their own area only."""

from django.db.models import Sum

from gongzhi.cases.tests.api_client import get, post
from gongzhi.volunteering.models import CouponCode, PointsEntry, Reward, ServiceItem
from gongzhi.volunteering.tests.test_api import assert_error
from gongzhi.volunteering.tests.test_rewards import coupon, give, reward, shop

API = "/api/volunteering"


def ledger_points(user) -> int:
    return PointsEntry.objects.filter(holder=user).aggregate(s=Sum("points"))["s"] or 0


def test_redeem_takes_points_and_stock_and_none_left_is_refused(client, vol):
    n = vol
    give(n.u1, 120)
    item = reward(n, stock=1, points=50)
    shelf = get(client, n.u1, f"{API}/rewards")
    assert shelf.status_code == 200, shelf.content
    assert shelf.json()["points"] == 120
    assert [(r["id"], r["stock"]) for r in shelf.json()["rewards"]] == [(item.pk, 1)]

    made = post(client, n.u1, f"{API}/rewards/{item.pk}/redeem")
    assert made.status_code == 201, made.content
    assert (made.json()["points"], made.json()["balance"]) == (50, 70)
    assert ledger_points(n.u1) == 70 and Reward.objects.get(pk=item.pk).stock == 0
    assert get(client, n.u1, f"{API}/rewards").json()["points"] == 70

    gone = assert_error(post(client, n.u1, f"{API}/rewards/{item.pk}/redeem"), 409,
                        "out_of_stock")
    assert gone["detail"] == "已兑完"
    assert ledger_points(n.u1) == 70


def test_too_few_points_and_other_communities(client, vol):
    n = vol
    give(n.u1, 10)
    item = reward(n, stock=3, points=50)
    poor = assert_error(post(client, n.u1, f"{API}/rewards/{item.pk}/redeem"), 422, "invalid")
    assert "积分不足" in poor["detail"]
    # Community B's volunteer is not offered community A's shelf.
    give(n.ub, 100)
    assert get(client, n.ub, f"{API}/rewards").json()["rewards"] == []
    assert_error(post(client, n.ub, f"{API}/rewards/{item.pk}/redeem"), 404, "not_found")
    assert Reward.objects.get(pk=item.pk).stock == 3 and ledger_points(n.ub) == 100


def test_a_coupon_code_is_seen_by_its_holder_only(client, vol):
    n = vol
    give(n.u1, 100)
    merchant, _clerk = shop(n)
    offer = coupon(n, merchant, stock=2, points=30)
    assert [c["id"] for c in get(client, n.u1, f"{API}/rewards").json()["coupons"]] == [offer.pk]
    bought = post(client, n.u1, f"{API}/coupons/{offer.pk}/buy")
    assert bought.status_code == 201, bought.content
    body = bought.json()
    code = CouponCode.objects.get()
    assert (body["code"], body["balance"], code.holder) == (code.code, 70, n.u1)
    assert ledger_points(n.u1) == 70
    mine = get(client, n.u1, f"{API}/coupons/mine").json()["items"]
    assert [c["code"] for c in mine] == [code.code]
    assert get(client, n.u2, f"{API}/coupons/mine").json()["items"] == []
    assert code.code not in get(client, n.u2, f"{API}/coupons/mine").content.decode()


# --- staff -----------------------------------------------------------------------------------


def item_body(n, **fields) -> dict:
    return {"library": "daily", "name": "上门理发", "usual_hours": "1.5",
            "area": n.comm_a.code, "team": "ZY-A"} | fields


def test_staff_add_and_retire_a_menu_item(client, vol):
    n = vol
    made = post(client, n.staff_a, f"{API}/manage/menu", item_body(n))
    assert made.status_code == 201, made.content
    item = ServiceItem.objects.get(pk=made.json()["id"])
    assert (item.name, item.area, item.team, str(item.usual_hours)) == (
        "上门理发", n.comm_a, n.team, "1.5")
    bad = assert_error(post(client, n.staff_a, f"{API}/manage/menu",
                            item_body(n, usual_hours="30")), 422, "invalid")
    assert bad["errors"][0]["loc"] == ["body", "usual_hours"]
    assert_error(post(client, n.staff_b, f"{API}/manage/menu", item_body(n, team=None)),
                 403, "forbidden")
    assert_error(post(client, n.u1, f"{API}/manage/menu", item_body(n)), 403, "forbidden")
    assert ServiceItem.objects.count() == 1

    assert_error(post(client, n.staff_b, f"{API}/manage/menu/{item.pk}/retire"), 404,
                 "not_found")
    retired = post(client, n.staff_a, f"{API}/manage/menu/{item.pk}/retire")
    assert retired.status_code == 200 and not ServiceItem.objects.get(pk=item.pk).is_active
    assert_error(post(client, n.staff_a, f"{API}/manage/menu/{item.pk}/retire"), 409,
                 "already_retired")


def test_staff_add_and_restock_a_reward(client, vol):
    n = vol
    body = {"name": "环保袋", "points": 50, "stock": 3, "area": n.comm_a.code}
    made = post(client, n.staff_a, f"{API}/manage/rewards", body)
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert (Reward.objects.get(pk=pk).points, Reward.objects.get(pk=pk).stock) == (50, 3)
    bad = assert_error(post(client, n.staff_a, f"{API}/manage/rewards", body | {"points": 0}),
                       422, "invalid")
    assert bad["errors"][0]["loc"] == ["body", "points"]
    assert_error(post(client, n.staff_b, f"{API}/manage/rewards", body), 403, "forbidden")
    assert_error(post(client, n.u1, f"{API}/manage/rewards", body), 403, "forbidden")
    assert Reward.objects.count() == 1

    url = f"{API}/manage/rewards/{pk}/restock"
    assert_error(post(client, n.staff_b, url, {"add": 2}), 404, "not_found")
    assert_error(post(client, n.staff_a, url, {"add": 0}), 422, "invalid")
    assert_error(post(client, n.u1, url, {"add": 2}), 403, "forbidden")
    done = post(client, n.staff_a, url, {"add": 2})
    assert done.status_code == 200 and done.json()["stock"] == 5
    assert Reward.objects.get(pk=pk).stock == 5
