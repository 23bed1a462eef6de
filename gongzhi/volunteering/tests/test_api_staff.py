"""The staff side of the volunteering API: dispatching an order (the volunteer is told),
who is refused (403) and who never sees it (404), publishing an activity and its bad
input, confirming attendance credits hours once, and the uncovered-shift report and the
rankings agreeing with the selectors."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.cases.tests.api_client import get, post
from gongzhi.core.models import Notification
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.actions.activities import publish_activity, sign_up
from gongzhi.volunteering.actions.ledger import credit_hours
from gongzhi.volunteering.actions.rosters import (
    create_shift_template,
    generate_shifts,
    sign_up_shift,
)
from gongzhi.volunteering.models import Activity, HoursEntry, ServiceOrder, Shift
from gongzhi.volunteering.tests.test_api import assert_error, order_via_api

API = "/api/volunteering/manage"


def fresh(pk: int) -> ServiceOrder:
    return ServiceOrder.objects.get(pk=pk)


def told(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


# --- orders ----------------------------------------------------------------------------------


def test_staff_dispatch_an_order_to_a_volunteer_who_is_told(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    listed = get(client, n.staff_a, f"{API}/orders", {"status": "ordered"})
    assert listed.status_code == 200, listed.content
    assert [o["id"] for o in listed.json()["items"]] == [pk] and listed.json()["count"] == 1

    replied = post(client, n.staff_a, f"{API}/orders/{pk}/dispatch", {"volunteer": n.v1.pk})
    assert replied.status_code == 200, replied.content
    body = replied.json()
    assert body["status"] == "dispatched" and body["volunteer"] == {"id": n.v1.pk,
                                                                  "name": "王秀英"}
    order = fresh(pk)
    assert (order.status, order.volunteer, order.team) == ("dispatched", n.v1, None)
    assert order.events.filter(kind="dispatched").count() == 1
    assert told(n.u1, "volunteering.order_dispatched") == 1
    assert get(client, n.staff_a, f"{API}/orders", {"status": "ordered"}).json()["items"] == []

    # Dispatched already: the order has moved on (409), nobody is told again.
    assert_error(post(client, n.staff_a, f"{API}/orders/{pk}/dispatch", {"team": "ZY-A"}),
                 409, "wrong_status")
    assert fresh(pk).volunteer == n.v1 and told(n.u2, "volunteering.order_dispatched") == 0

    # Withdrawn to the open board: the volunteer hears so.
    posted = post(client, n.staff_a, f"{API}/orders/{pk}/board")
    assert posted.status_code == 200 and posted.json()["status"] == "open"
    assert (fresh(pk).status, fresh(pk).volunteer) == ("open", None)
    assert told(n.u1, "volunteering.order_withdrawn") == 1
    assert_error(post(client, n.staff_a, f"{API}/orders/{pk}/board"), 409, "wrong_status")


def test_team_dispatch_and_bad_bodies_change_nothing(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    url = f"{API}/orders/{pk}/dispatch"
    both = assert_error(post(client, n.staff_a, url, {}), 422, "invalid")
    assert both["errors"][0]["loc"] == ["body", "team"]
    assert_error(post(client, n.staff_a, url, {"team": "NO-SUCH"}), 422, "invalid")
    # Community B's team does not serve here; the action says so.
    far = assert_error(post(client, n.staff_a, url, {"team": "ZY-B"}), 422, "invalid")
    assert far["detail"] == "该志愿服务队不在此区域服务"
    assert_error(post(client, n.staff_a, url, {"volunteer": n.vb.pk}), 422, "invalid")
    assert fresh(pk).status == "ordered" and not fresh(pk).events.filter(
        kind="dispatched").exists()

    done = post(client, n.staff_a, url, {"team": "ZY-A"})
    assert done.status_code == 200, done.content
    assert fresh(pk).team == n.team and fresh(pk).status == "dispatched"
    assert told(n.u1, "volunteering.order_dispatched") == 1
    assert told(n.u2, "volunteering.order_dispatched") == 1


def test_volunteers_are_refused_and_other_communities_never_see_the_order(client, vol):
    n = vol
    pk = order_via_api(client, n)["id"]
    for user in (n.u1, n.resident):
        assert_error(post(client, user, f"{API}/orders/{pk}/dispatch", {"volunteer": n.v1.pk}),
                     403, "forbidden")
        assert_error(get(client, user, f"{API}/orders"), 403, "forbidden")
    assert_error(post(client, n.staff_b, f"{API}/orders/{pk}/dispatch", {"volunteer": n.v1.pk}),
                 404, "not_found")
    assert_error(post(client, n.staff_b, f"{API}/orders/{pk}/board"), 404, "not_found")
    assert get(client, n.staff_b, f"{API}/orders").json()["count"] == 0
    assert fresh(pk).status == "ordered" and told(n.u1, "volunteering.order_dispatched") == 0
    # The street's staff manage both communities.
    assert get(client, n.street_staff, f"{API}/orders").json()["count"] == 1
    client.logout()
    assert_error(client.get(f"{API}/orders"), 401, "not_authenticated")


def test_flagged_filter_lists_stale_orders_only(client, vol):
    n = vol
    stale = order_via_api(client, n)["id"]
    order_via_api(client, n)
    actions.flag_stale_orders(now=timezone.now() + timedelta(days=30))
    fresh_pk = order_via_api(client, n)["id"]
    rows = get(client, n.staff_a, f"{API}/orders", {"flagged": "true"}).json()["items"]
    assert stale in [r["id"] for r in rows] and fresh_pk not in [r["id"] for r in rows]
    assert all(r["flagged_at"] for r in rows) and len(rows) == 2


# --- activities ------------------------------------------------------------------------------


def activity_body(n, **fields) -> dict:
    starts = timezone.localtime() + timedelta(days=2)
    return {"title": "清洁家园", "area": n.comm_a.code, "place": "社区广场",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "capacity": 10, "hours": "3", "team": "ZY-A"} | fields


def test_publish_an_activity_and_bad_input_is_refused(client, vol):
    n = vol
    made = post(client, n.staff_a, f"{API}/activities", activity_body(n))
    assert made.status_code == 201, made.content
    body = made.json()
    activity = Activity.objects.get(pk=body["id"])
    assert (activity.title, activity.area, activity.team, activity.capacity) == (
        "清洁家园", n.comm_a, n.team, 10)
    assert activity.organiser == n.staff_a and activity.hours == Decimal("3")
    assert (body["hours"], body["signed_count"], body["team"]["id"]) == ("3.0", 0, n.team.pk)
    assert told(n.u1, "volunteering.activity_published") == 1

    starts = timezone.localtime() + timedelta(days=2)
    backwards = assert_error(post(client, n.staff_a, f"{API}/activities", activity_body(
        n, ends_at=(starts - timedelta(hours=1)).isoformat(), starts_at=starts.isoformat())),
        422, "invalid")
    assert backwards["errors"][0]["loc"] == ["body", "ends_at"]
    too_long = assert_error(post(client, n.staff_a, f"{API}/activities",
                                 activity_body(n, hours="5")), 422, "invalid")
    assert too_long["errors"][0]["loc"] == ["body", "hours"]
    assert_error(post(client, n.staff_a, f"{API}/activities", activity_body(n, area="NOPE")),
                 422, "invalid")
    assert_error(post(client, n.staff_a, f"{API}/activities",
                      activity_body(n, starts_at="明天")), 422, "invalid")
    # Another community's area, and a volunteer: not theirs to publish.
    assert_error(post(client, n.staff_a, f"{API}/activities",
                      activity_body(n, area=n.comm_b.code, team=None)), 403, "forbidden")
    assert_error(post(client, n.u1, f"{API}/activities", activity_body(n)), 403, "forbidden")
    assert Activity.objects.count() == 1


def test_attendance_credits_hours_once(client, vol, monkeypatch):
    n = vol
    starts = n.now + timedelta(days=1)
    activity = publish_activity(title="清洁家园", area=n.comm_a, place="社区广场",
                                starts_at=starts, ends_at=starts + timedelta(hours=3),
                                capacity=5, hours="3", acting_user=n.staff_a)
    sign_up(activity=activity, acting_user=n.u1)
    sign_up(activity=activity, acting_user=n.u2)
    url = f"{API}/activities/{activity.pk}/attendance"
    early = assert_error(post(client, n.staff_a, url, {"present": [n.v1.pk]}), 422, "invalid")
    assert early["detail"] == "活动尚未开始，不能确认时长"

    monkeypatch.setattr(timezone, "now", lambda: starts + timedelta(hours=4))
    # Not signed up, or no such volunteer: refused, nobody credited.
    assert_error(post(client, n.staff_a, url, {"present": [n.v1.pk, n.vb.pk]}), 422, "invalid")
    assert_error(post(client, n.staff_a, url, {"present": [999999]}), 422, "invalid")
    assert not HoursEntry.objects.exists()
    assert_error(post(client, n.staff_b, url, {"present": [n.v1.pk]}), 404, "not_found")
    assert_error(post(client, n.u1, url, {"present": [n.v1.pk]}), 403, "forbidden")

    first = post(client, n.staff_a, url, {"present": [n.v1.pk]})
    assert first.status_code == 200, first.content
    assert first.json() == {"activity": activity.pk, "status": "confirmed", "credited": 1,
                            "credited_volunteers": [n.v1.pk]}
    again = post(client, n.staff_a, url, {"present": [n.v1.pk]})
    assert again.status_code == 200 and again.json()["credited"] == 0
    entry = HoursEntry.objects.get()
    assert (entry.volunteer, entry.hours, entry.source_key) == (
        n.v1, Decimal("3"), f"activity:{activity.pk}")
    # Someone missed the first time is added; the one credited is not credited twice.
    later = post(client, n.staff_a, url, {"present": [n.v1.pk, n.v2.pk]}).json()
    assert (later["credited"], later["credited_volunteers"]) == (1, [n.v2.pk])
    assert HoursEntry.objects.count() == 2


# --- reports ---------------------------------------------------------------------------------


def test_uncovered_shifts_match_the_selector(client, vol):
    n = vol
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    patrol = create_shift_template(title="夜间巡逻", area=n.comm_a, place="社区各小区",
                                   weekdays="0123456", start_time=time(19), hours="2",
                                   slots=2, acting_user=n.staff_a)
    generate_shifts(template=patrol, start=monday, end=monday + timedelta(days=2),
                    acting_user=n.staff_a)
    first = Shift.objects.filter(template=patrol).order_by("starts_at").first()
    sign_up_shift(shift=first, acting_user=n.u1)
    sign_up_shift(shift=first, acting_user=n.u2)  # Monday covered

    params = {"start": monday.isoformat(), "end": (monday + timedelta(days=2)).isoformat()}
    replied = get(client, n.staff_a, f"{API}/shifts/uncovered", params)
    assert replied.status_code == 200, replied.content
    body = replied.json()
    expected = list(selectors.uncovered_shifts(n.staff_a, monday, monday + timedelta(days=2)))
    assert [r["id"] for r in body["items"]] == [s.pk for s in expected] and len(expected) == 2
    assert first.pk not in [r["id"] for r in body["items"]]
    assert [(r["signed_count"], r["missing"]) for r in body["items"]] == [(0, 2), (0, 2)]
    assert (body["count"], body["missing"]) == (2, 4)
    assert get(client, n.staff_b, f"{API}/shifts/uncovered", params).json()["items"] == []
    assert_error(get(client, n.staff_a, f"{API}/shifts/uncovered",
                     {"start": params["end"], "end": params["start"]}), 422, "invalid")
    assert_error(get(client, n.u1, f"{API}/shifts/uncovered", params), 403, "forbidden")


def test_rankings_match_the_selector(client, vol):
    n = vol
    for volunteer, hours, key, day in ((n.v1, "4", "a", date(2026, 11, 3)),
                                       (n.v2, "6", "b", date(2026, 11, 4)),
                                       (n.v1, "5", "c", date(2025, 5, 1)),
                                       (n.vb, "9", "d", date(2026, 11, 5))):
        credit_hours(volunteer=volunteer, hours=Decimal(hours), source="order",
                     source_key=f"order:{key}", served_on=day, acting_user=n.staff_a,
                     note="服务")
    params = {"start": "2026-11-01", "end": "2026-11-30"}
    body = get(client, n.street_staff, f"{API}/rankings", params).json()
    expected = selectors.rankings(n.street_staff, start=date(2026, 11, 1),
                                  end=date(2026, 11, 30))
    assert [(r["volunteer"]["id"], r["period_hours"], r["total_hours"], r["stars"])
            for r in body["items"]] == [(v.pk, str(v.period_hours), str(v.total_hours),
                                         v.stars) for v in expected]
    assert [r["volunteer"]["id"] for r in body["items"]] == [n.vb.pk, n.v2.pk, n.v1.pk]
    assert body["items"][2]["total_hours"] == "9.0" and body["items"][0]["rank"] == 1

    by_area = get(client, n.street_staff, f"{API}/rankings", params | {"area": n.comm_a.code})
    assert [r["volunteer"]["id"] for r in by_area.json()["items"]] == [
        v.pk for v in selectors.rankings(n.street_staff, area=n.comm_a,
                                         start=date(2026, 11, 1), end=date(2026, 11, 30))]
    by_team = get(client, n.staff_a, f"{API}/rankings", {"team": "ZY-A"}).json()
    assert [r["volunteer"]["id"] for r in by_team["items"]] == [n.v1.pk, n.v2.pk]
    # Another community's area or team is not the caller's to rank.
    assert_error(get(client, n.staff_a, f"{API}/rankings", {"area": n.comm_b.code}),
                 404, "not_found")
    assert_error(get(client, n.staff_a, f"{API}/rankings", {"team": "ZY-B"}), 404, "not_found")
    assert_error(get(client, n.u1, f"{API}/rankings"), 403, "forbidden")
