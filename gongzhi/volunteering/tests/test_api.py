"""The volunteering API: the four orders end to end, micro-wishes and the first claim
winning, who sees which order, refusals as bilingual JSON (403 / 404 / 409 / 422), the
waiting list of an activity, and the volunteer's card agreeing with the ledgers."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from gongzhi.cases.tests.api_client import get, post
from gongzhi.conftest import make_user
from gongzhi.volunteering.actions import ledger
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.actions.activities import publish_activity
from gongzhi.volunteering.actions.menu import save_service_item
from gongzhi.volunteering.actions.volunteers import register_volunteer
from gongzhi.volunteering.models import (
    ActivitySignup,
    HoursEntry,
    PointsEntry,
    PointsRule,
    ServiceOrder,
    TimeBankEntry,
)

API = "/api/volunteering"


def menu_item(n, area=None, by=None, **kw):
    values = {"library": "daily", "name": "上门维修水电", "usual_hours": "1.5",
              "area": area or n.comm_a, "team": n.team}
    return save_service_item(acting_user=by or n.staff_a, **(values | kw))


def assert_error(response, status: int, code: str) -> dict:
    """A JSON error with a Chinese detail, an English detail_en and a machine code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    assert body["detail_en"] and body["detail_en"].isascii(), body
    return body


def fresh(pk: int) -> ServiceOrder:
    return ServiceOrder.objects.get(pk=pk)


def order_via_api(client, n, **body) -> dict:
    response = post(client, n.resident, f"{API}/orders",
                    {"item": menu_item(n).pk, "description": "厨房水管漏水"} | body)
    assert response.status_code == 201, response.content
    return response.json()


def wish_via_api(client, n) -> dict:
    response = post(client, n.resident, f"{API}/wishes",
                    {"title": "想请人帮忙换灯泡", "description": "卫生间的灯坏了"})
    assert response.status_code == 201, response.content
    return response.json()


def done_order(client, n) -> int:
    """An order accepted by vol1 and reported done (2 hours), through the API."""
    pk = order_via_api(client, n)["id"]
    actions.dispatch_order(order=fresh(pk), volunteer=n.v1, acting_user=n.staff_a)
    assert post(client, n.u1, f"{API}/orders/{pk}/accept").status_code == 200
    response = post(client, n.u1, f"{API}/orders/{pk}/complete",
                    {"hours": "2", "report": "已更换水管"})
    assert response.status_code == 200, response.content
    return pk


# --- the four orders -------------------------------------------------------------------------


def test_the_four_orders_through_the_api(client, vol):
    n = vol
    PointsRule.objects.create(code="per_hour", points=10)
    PointsRule.objects.create(code="per_rated_order", points=5)
    here = menu_item(n)
    elsewhere = menu_item(n, area=n.comm_b, by=n.staff_b, team=n.team_b, name="理发")
    menu = get(client, n.resident, f"{API}/menu")
    assert menu.status_code == 200, menu.content
    (item,) = menu.json()["items"]  # community B's item does not serve this home
    assert item["id"] == here.pk != elsewhere.pk
    assert (item["library"], item["library_label"], item["usual_hours"]) == (
        "daily", "生活服务", "1.5")
    assert item["team"] == {"id": n.team.pk, "name": "活龙志愿服务队"}

    # 点单
    placed = post(client, n.resident, f"{API}/orders",
                  {"item": item["id"], "description": "厨房水管漏水"})
    assert placed.status_code == 201, placed.content
    body = placed.json()
    pk = body["id"]
    assert (body["status"], body["kind"], body["title"]) == ("ordered", "menu", "上门维修水电")
    assert body["area"]["code"] == n.b1.code and body["mine"] is True
    assert body["next_steps"] == ["cancel"]
    order = fresh(pk)
    assert (order.status, order.requester, order.item_id) == ("ordered", n.resident, item["id"])

    # 派单 (staff, from the console: the action)
    actions.dispatch_order(order=order, volunteer=n.v1, acting_user=n.staff_a)
    tasks = get(client, n.u1, f"{API}/orders", {"as": "volunteer"}).json()
    assert [o["id"] for o in tasks["items"]] == [pk] and tasks["count"] == 1
    assert get(client, n.u1, f"{API}/orders").json()["items"] == []  # vol1 ordered nothing
    detail = get(client, n.u1, f"{API}/orders/{pk}").json()
    assert detail["next_steps"] == ["accept", "decline"] and detail["mine"] is False

    # 接单
    accepted = post(client, n.u1, f"{API}/orders/{pk}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["volunteer"] == {"id": n.v1.pk, "name": "王秀英"}
    assert fresh(pk).status == "accepted" and fresh(pk).accepted_at is not None

    done = post(client, n.u1, f"{API}/orders/{pk}/complete",
                {"hours": "2.5", "report": "已更换水管"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["hours"]) == ("done", "2.5")
    order = fresh(pk)
    assert (order.status, order.hours, order.report) == ("done", Decimal("2.5"), "已更换水管")
    entry = HoursEntry.objects.get(volunteer=n.v1)
    assert (entry.hours, entry.source_key) == (Decimal("2.5"), f"order:{pk}")
    # Reporting it done again credits nothing twice.
    again = post(client, n.u1, f"{API}/orders/{pk}/complete", {"hours": "3", "report": "再报"})
    assert_error(again, 409, "already_done")
    assert HoursEntry.objects.filter(volunteer=n.v1).count() == 1

    # 评单
    assert get(client, n.resident, f"{API}/orders/{pk}").json()["next_steps"] == ["rate"]
    rated = post(client, n.resident, f"{API}/orders/{pk}/rate",
                 {"rating": "satisfied", "comment": "很及时"})
    assert rated.status_code == 200, rated.content
    body = rated.json()
    assert (body["status"], body["rating"], body["rating_label"]) == ("rated", "satisfied", "满意")
    assert [e["kind"] for e in body["events"]] == [
        "ordered", "dispatched", "accepted", "done", "rated"]
    assert body["events"][-1]["note"] == "很及时"
    order = fresh(pk)
    assert (order.status, order.rating, order.rating_comment) == ("rated", "satisfied", "很及时")
    assert ledger.points_balance(n.u1) == 25 + 5  # per hour, and per rated order
    assert_error(post(client, n.resident, f"{API}/orders/{pk}/rate", {"rating": "basic"}),
                 409, "already_rated")
    assert fresh(pk).rating == "satisfied"
    mine = get(client, n.resident, f"{API}/orders", {"status": "rated"}).json()
    assert [o["id"] for o in mine["items"]] == [pk]


def test_team_dispatch_the_first_member_to_accept_takes_it(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    actions.dispatch_order(order=fresh(pk), team=n.team, acting_user=n.staff_a)
    assert post(client, n.u2, f"{API}/orders/{pk}/accept").status_code == 200
    assert_error(post(client, n.u1, f"{API}/orders/{pk}/accept"), 409, "taken")
    assert_error(post(client, n.u2, f"{API}/orders/{pk}/accept"), 409, "already_accepted")
    assert fresh(pk).volunteer == n.v2
    assert fresh(pk).events.filter(kind="accepted").count() == 1


def test_wish_claim_and_a_second_claim_is_told_it_is_taken(client, vol):
    n = vol
    body = wish_via_api(client, n)
    pk = body["id"]
    assert (body["status"], body["kind"]) == ("open", "wish")
    for user in (n.u1, n.u2):
        board = get(client, user, f"{API}/board").json()
        assert [o["id"] for o in board["items"]] == [pk]
    assert get(client, n.u2, f"{API}/orders/{pk}").json()["next_steps"] == ["claim"]

    claimed = post(client, n.u1, f"{API}/orders/{pk}/claim")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["status"] == "accepted"
    second = assert_error(post(client, n.u2, f"{API}/orders/{pk}/claim"), 409, "taken")
    assert second["detail"] == "该需求已被其他志愿者认领"
    assert_error(post(client, n.u1, f"{API}/orders/{pk}/claim"), 409, "already_claimed")
    order = fresh(pk)
    assert (order.status, order.volunteer) == ("accepted", n.v1)
    assert order.events.filter(kind="claimed").count() == 1
    assert get(client, n.u2, f"{API}/board").json()["items"] == []
    # The one who lost the race no longer sees the order's details.
    assert_error(get(client, n.u2, f"{API}/orders/{pk}"), 404, "not_found")


def test_another_communitys_people_never_see_the_order(client, vol):
    n = vol
    pk = wish_via_api(client, n)["id"]
    outsider = make_user("outsider_b", resident=None)
    for user in (n.ub, n.staff_b, outsider):
        assert_error(get(client, user, f"{API}/orders/{pk}"), 404, "not_found")
    assert_error(post(client, n.ub, f"{API}/orders/{pk}/claim"), 404, "not_found")
    assert_error(post(client, n.ub, f"{API}/orders/{pk}/cancel", {"reason": "不要了"}),
                 404, "not_found")
    assert get(client, n.ub, f"{API}/board").json()["items"] == []
    assert fresh(pk).status == "open"
    # Staff of the area and above see it; a caller without a login is refused.
    assert get(client, n.staff_a, f"{API}/orders/{pk}").status_code == 200
    assert get(client, n.street_staff, f"{API}/orders/{pk}").status_code == 200
    client.logout()
    assert_error(client.get(f"{API}/orders/{pk}"), 401, "not_authenticated")


def test_only_the_requester_rates_and_bad_ratings_change_nothing(client, vol):
    n = vol
    pk = done_order(client, n)
    refused = assert_error(post(client, n.u1, f"{API}/orders/{pk}/rate",
                                {"rating": "satisfied"}), 403, "forbidden")
    assert refused["detail"] == "只有点单人可以评价"
    assert_error(post(client, n.resident, f"{API}/orders/{pk}/rate", {"rating": "excellent"}),
                 422, "invalid")
    body = assert_error(post(client, n.resident, f"{API}/orders/{pk}/rate",
                             {"rating": "unsatisfied"}), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "comment"]
    assert body["detail"] == "不满意时请说明原因"
    order = fresh(pk)
    assert (order.status, order.rating) == ("done", "")


def test_bad_hours_and_non_residents_are_refused_and_nothing_is_written(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    actions.dispatch_order(order=fresh(pk), volunteer=n.v1, acting_user=n.staff_a)
    post(client, n.u1, f"{API}/orders/{pk}/accept")
    for hours in ("30", "1.25", "abc"):
        response = post(client, n.u1, f"{API}/orders/{pk}/complete",
                        {"hours": hours, "report": "已完成"})
        assert response.status_code == 422, (hours, response.content)
    assert fresh(pk).status == "accepted" and not HoursEntry.objects.exists()
    # Another volunteer may not report it done.
    assert_error(post(client, n.u2, f"{API}/orders/{pk}/complete",
                      {"hours": "1", "report": "已完成"}), 404, "not_found")
    staff = assert_error(post(client, n.staff_a, f"{API}/wishes", {"title": "心愿"}),
                         403, "forbidden")
    assert staff["detail"] == "只有登记在册的居民可以点单或发布心愿"
    missing = assert_error(post(client, n.resident, f"{API}/orders", {"item": 999999}),
                           422, "invalid")
    assert missing["errors"][0]["loc"] == ["body", "item"]
    assert ServiceOrder.objects.count() == 1


def test_cancel_and_decline(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    cancelled = post(client, n.resident, f"{API}/orders/{pk}/cancel", {"reason": "已自行修好"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert fresh(pk).status == "cancelled"
    assert_error(post(client, n.resident, f"{API}/orders/{pk}/cancel", {"reason": "再取消"}),
                 409, "already_cancelled")

    pk = order_via_api(client, n)["id"]
    actions.dispatch_order(order=fresh(pk), volunteer=n.v1, acting_user=n.staff_a)
    assert_error(post(client, n.u1, f"{API}/orders/{pk}/decline", {"reason": " "}),
                 422, "invalid")
    declined = post(client, n.u1, f"{API}/orders/{pk}/decline", {"reason": "这两天出差"})
    assert declined.status_code == 200, declined.content
    assert declined.json()["status"] == "ordered"
    order = fresh(pk)
    assert (order.status, order.volunteer) == ("ordered", None)
    # Given back: vol1 is no longer concerned with it.
    assert_error(get(client, n.u1, f"{API}/orders/{pk}"), 404, "not_found")


# --- activities ------------------------------------------------------------------------------


def test_signup_to_capacity_then_the_waiting_list(client, vol):
    n = vol
    starts = timezone.now() + timedelta(days=1)
    activity = publish_activity(title="清洁家园", area=n.comm_a, place="社区广场",
                                starts_at=starts, ends_at=starts + timedelta(hours=3),
                                capacity=2, hours="3", acting_user=n.staff_a)
    extra = [register_volunteer(user=make_user(f"extra{i}", full_name=f"志愿者{i}"),
                                community=n.comm_a, acting_user=n.staff_a).user
             for i in range(2)]
    url = f"{API}/activities/{activity.pk}/signup"
    replies = [post(client, user, url) for user in (n.u1, n.u2, *extra)]
    assert [r.status_code for r in replies] == [201] * 4
    assert [(r.json()["status"], r.json()["position"]) for r in replies] == [
        ("signed", None), ("signed", None), ("waiting", 1), ("waiting", 2)]
    assert replies[-1].json()["signed_count"] == 2 and replies[-1].json()["capacity"] == 2
    assert ActivitySignup.objects.filter(activity=activity, status="signed").count() == 2
    assert_error(post(client, n.u1, url), 409, "already_signed_up")
    assert_error(post(client, n.ub, url), 404, "not_found")  # community B's volunteer
    assert_error(post(client, n.resident, url), 403, "not_a_volunteer")

    listed = get(client, extra[1], f"{API}/activities").json()
    (row,) = listed["items"]
    assert (row["id"], row["signed_count"], row["waiting_count"]) == (activity.pk, 2, 2)
    assert (row["my_status"], row["my_position"]) == ("waiting", 2)

    cancelled = post(client, n.u1, f"{API}/activities/{activity.pk}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert ActivitySignup.objects.get(activity=activity, volunteer__user=extra[0]).status == (
        "signed")
    row = get(client, extra[1], f"{API}/activities").json()["items"][0]
    assert (row["my_status"], row["my_position"]) == ("waiting", 1)
    assert_error(post(client, n.u1, f"{API}/activities/{activity.pk}/cancel"),
                 409, "already_cancelled")


# --- the volunteer's card --------------------------------------------------------------------


def test_card_balances_are_the_sums_of_the_ledgers(client, vol):
    n = vol
    PointsRule.objects.create(code="per_hour", points=10)
    done_order(client, n)  # 2 hours
    ledger.credit_hours(volunteer=n.v1, hours=Decimal("1.5"), source="shift",
                        source_key="shift:test", served_on=timezone.localdate(),
                        acting_user=n.staff_a, note="值守")
    ledger.award_points(holder=n.u1, points=7, reason="activity", source_key="activity:test")
    card = get(client, n.u1, f"{API}/me")
    assert card.status_code == 200, card.content
    body = card.json()

    hours = HoursEntry.objects.filter(volunteer=n.v1).aggregate(s=Sum("hours"))["s"]
    units = TimeBankEntry.objects.filter(holder=n.u1).aggregate(s=Sum("units"))["s"]
    points = PointsEntry.objects.filter(holder=n.u1).aggregate(s=Sum("points"))["s"]
    assert Decimal(body["hours"]) == Decimal(str(hours)) == Decimal("3.5")
    assert Decimal(body["time_bank_units"]) == Decimal(str(units)) == Decimal("3.5")
    assert body["points"] == points == 35 + 7
    assert (body["stars"], body["next_star_hours"], body["hours_to_next_star"]) == (
        0, "100.0", "96.5")
    assert body["volunteer"]["id"] == n.v1.pk and body["volunteer"]["area"]["code"] == "CA"

    # Not a volunteer: no hours, no stars; the (empty) balances still answer.
    other = get(client, n.resident, f"{API}/me").json()
    assert other["volunteer"] is None and other["hours"] is None and other["stars"] is None
    assert (other["points"], other["time_bank_units"]) == (0, "0.0")
