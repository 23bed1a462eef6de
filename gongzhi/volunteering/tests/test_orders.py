"""The four orders (四单): 点单 → 派单 → 接单 → 评单, micro-wishes on the open board, who may
take each step, bad input, stale orders flagged to staff, and two claims at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.actions.ledger import hours_total, points_balance, time_bank_balance
from gongzhi.volunteering.actions.menu import retire_service_item, save_service_item
from gongzhi.volunteering.actions.volunteers import register_volunteer, set_volunteer_status
from gongzhi.volunteering.models import (
    HoursEntry,
    OrderStatus,
    PointsEntry,
    PointsRule,
    ServiceOrder,
)


def menu_item(n, area=None, team=None):
    return save_service_item(acting_user=n.staff_a, library="daily", name="上门维修水电",
                             usual_hours="1.5", area=area or n.comm_a, team=team or n.team)


def placed(n, **kw):
    return actions.place_order(item=kw.pop("item", None) or menu_item(n),
                               acting_user=n.resident, description="厨房水管漏水", **kw)


def wish(n, **kw):
    return actions.post_wish(title="想请人帮忙换灯泡", description="卫生间的灯坏了",
                             acting_user=n.resident, **kw)


def dispatched(n, **kw):
    return actions.dispatch_order(order=placed(n), acting_user=n.staff_a, **kw)


def accepted(n):
    return actions.accept_order(order=dispatched(n, volunteer=n.v1), acting_user=n.u1)


def fresh(order):
    return ServiceOrder.objects.get(pk=order.pk)


def inbox(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def events(order):
    return list(order.events.values_list("kind", flat=True))


def test_the_whole_path_from_the_menu_to_a_good_rating(vol):
    n = vol
    PointsRule.objects.create(code="per_hour", points=10)
    PointsRule.objects.create(code="per_rated_order", points=5)
    before = timezone.now()
    order = placed(n)
    assert (order.status, order.kind, order.area, order.requester) == (
        OrderStatus.ORDERED, "menu", n.b1, n.resident)  # the resident's home building
    assert order.title == "上门维修水电"
    assert before + timedelta(hours=24) <= order.take_by <= timezone.now() + timedelta(hours=24)
    # The nearest staff over the building are told: the community's, not the street's,
    # not community B's.
    assert inbox(n.staff_a, "volunteering.order_placed") == 1
    assert inbox(n.street_staff, "volunteering.order_placed") == 0
    assert inbox(n.staff_b, "volunteering.order_placed") == 0

    actions.dispatch_order(order=order, acting_user=n.staff_a, team=n.team)
    order = fresh(order)
    assert (order.status, order.team, order.volunteer) == (OrderStatus.DISPATCHED, n.team, None)
    assert inbox(n.u1, "volunteering.order_dispatched") == 1
    assert inbox(n.u2, "volunteering.order_dispatched") == 1
    assert inbox(n.ub, "volunteering.order_dispatched") == 0

    actions.accept_order(order=order, acting_user=n.u2)  # a member of the team takes it
    order = fresh(order)
    assert (order.status, order.volunteer) == (OrderStatus.ACCEPTED, n.v2)
    assert inbox(n.resident, "volunteering.order_accepted") == 1
    with pytest.raises(ValidationError) as err:  # the other member is too late
        actions.accept_order(order=order, acting_user=n.u1)
    assert "该订单已被其他志愿者接单" in err.value.messages

    actions.complete_order(order=order, hours="2.5", report="已更换水管接头",
                           acting_user=n.u2)
    order = fresh(order)
    assert (order.status, order.hours, order.report) == (OrderStatus.DONE, Decimal("2.5"),
                                                         "已更换水管接头")
    assert hours_total(n.v2) == Decimal("2.5")
    assert HoursEntry.objects.get(volunteer=n.v2).source_key == f"order:{order.pk}"
    assert time_bank_balance(n.u2) == Decimal("2.5")
    assert points_balance(n.u2) == 25  # 10 a hour
    assert inbox(n.resident, "volunteering.order_done") == 1

    actions.rate_order(order=order, rating="satisfied", comment="师傅很耐心",
                       acting_user=n.resident)
    order = fresh(order)
    assert (order.status, order.rating, order.rating_comment) == (
        OrderStatus.RATED, "satisfied", "师傅很耐心")
    assert points_balance(n.u2) == 30  # and 5 for the good rating
    assert inbox(n.u2, "volunteering.order_rated") == 1
    with pytest.raises(ValidationError) as err:
        actions.rate_order(order=order, rating="satisfied", acting_user=n.resident)
    assert "您已评价过该订单" in err.value.messages
    assert points_balance(n.u2) == 30  # once
    assert hours_total(n.v1) == 0 and points_balance(n.u1) == 0

    assert events(order) == ["ordered", "dispatched", "accepted", "done", "rated"]
    for name in ["place_order", "dispatch_order", "accept_order", "complete_order",
                 "rate_order", "credit_hours"]:
        assert AuditEvent.objects.filter(action=f"volunteering.{name}").count() == 1, name


def test_a_basic_rating_earns_the_points_an_unsatisfied_one_does_not(vol):
    n = vol
    PointsRule.objects.create(code="per_rated_order", points=5)
    first = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                   acting_user=n.u1)
    actions.rate_order(order=first, rating="basic", acting_user=n.resident)
    assert PointsEntry.objects.filter(holder=n.u1, reason="rated_order").count() == 1
    second = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                    acting_user=n.u1)
    actions.rate_order(order=second, rating="unsatisfied", comment="迟到了两个小时",
                       acting_user=n.resident)
    assert PointsEntry.objects.filter(holder=n.u1, reason="rated_order").count() == 1
    assert fresh(second).rating_comment == "迟到了两个小时"
    assert inbox(n.staff_a, "volunteering.order_unsatisfied") == 1


def test_a_micro_wish_goes_on_the_board_and_a_volunteer_claims_it(vol):
    n = vol
    order = wish(n)
    assert (order.status, order.kind, order.item, order.area) == (OrderStatus.OPEN, "wish",
                                                                  None, n.b1)
    assert inbox(n.staff_a, "volunteering.wish_posted") == 1
    assert list(selectors.open_board(n.u1)) == [order]
    assert list(selectors.open_board(n.ub)) == []  # community B's volunteer does not see it
    assert list(selectors.open_board(n.resident)) == []  # not a volunteer

    actions.claim_order(order=order, acting_user=n.u1)
    order = fresh(order)
    assert (order.status, order.volunteer) == (OrderStatus.ACCEPTED, n.v1)
    assert inbox(n.resident, "volunteering.order_accepted") == 1
    assert list(selectors.open_board(n.u1)) == []
    assert list(selectors.volunteer_orders(n.u1)) == [order]
    assert events(order) == ["wished", "claimed"]


def test_a_second_claim_in_a_row_is_refused(vol):
    n = vol
    order = wish(n)
    actions.claim_order(order=order, acting_user=n.u1)
    with pytest.raises(ValidationError) as err:
        actions.claim_order(order=order, acting_user=n.u2)
    assert "该需求已被其他志愿者认领" in err.value.messages
    assert fresh(order).volunteer == n.v1
    assert AuditEvent.objects.filter(action="volunteering.claim_order").count() == 1


def test_only_open_orders_can_be_claimed(vol):
    n = vol
    order = placed(n)  # waiting for staff, not on the board
    with pytest.raises(ValidationError):
        actions.claim_order(order=order, acting_user=n.u1)
    assert fresh(order).status == OrderStatus.ORDERED


def test_a_declined_order_returns_to_staff_and_can_go_on_the_board(vol):
    n = vol
    order = dispatched(n, volunteer=n.v1)
    with pytest.raises(PermissionDenied):  # dispatched to v1, not to v2
        actions.accept_order(order=order, acting_user=n.u2)
    old_take_by = fresh(order).take_by
    actions.decline_order(order=order, reason="这周出差", acting_user=n.u1)
    order = fresh(order)
    assert (order.status, order.volunteer, order.team) == (OrderStatus.ORDERED, None, None)
    assert order.take_by > old_take_by
    assert order.events.get(kind="declined").note == "这周出差"
    assert inbox(n.staff_a, "volunteering.order_declined") == 1

    actions.post_to_board(order=order, acting_user=n.staff_a)
    assert fresh(order).status == OrderStatus.OPEN
    actions.claim_order(order=order, acting_user=n.u2)
    assert (fresh(order).status, fresh(order).volunteer) == (OrderStatus.ACCEPTED, n.v2)
    assert events(order) == ["ordered", "dispatched", "declined", "posted", "claimed"]


def test_the_volunteer_who_took_it_may_give_it_back_before_it_is_done(vol):
    n = vol
    order = accepted(n)
    with pytest.raises(PermissionDenied):  # a teammate may not give back v1's order
        actions.decline_order(order=order, reason="忙", acting_user=n.u2)
    actions.decline_order(order=order, reason="临时有事", acting_user=n.u1)
    assert fresh(order).status == OrderStatus.ORDERED
    done = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                  acting_user=n.u1)
    with pytest.raises(ValidationError):
        actions.decline_order(order=done, reason="算了", acting_user=n.u1)
    assert fresh(done).status == OrderStatus.DONE


def test_a_team_order_is_in_every_members_list_until_one_takes_it(vol):
    n = vol
    order = dispatched(n, team=n.team)
    assert list(selectors.volunteer_orders(n.u1)) == [order]
    assert list(selectors.volunteer_orders(n.u2)) == [order]
    assert list(selectors.volunteer_orders(n.ub)) == []
    actions.accept_order(order=order, acting_user=n.u1)
    assert list(selectors.volunteer_orders(n.u1)) == [order]
    assert list(selectors.volunteer_orders(n.u2)) == []
    assert list(selectors.resident_orders(n.resident)) == [order]
    assert list(selectors.resident_orders(n.u1)) == []


def test_a_party_member_reporting_to_the_community_may_be_dispatched(vol):
    n = vol
    member = make_user("party", full_name="赵党员")  # lives elsewhere, reports here (双报到)
    reporting = register_volunteer(user=member, community=n.comm_a, is_party_member=True,
                                   party_unit="区财政局", acting_user=member)
    order = dispatched(n, volunteer=reporting)
    actions.accept_order(order=order, acting_user=member)
    assert fresh(order).volunteer == reporting


# --- who may take each step ------------------------------------------------------------------


def test_outsiders_may_not_order_or_wish(vol):
    n = vol
    stranger = make_user("stranger")
    with pytest.raises(PermissionDenied):
        actions.place_order(item=menu_item(n), acting_user=stranger)
    with pytest.raises(PermissionDenied):
        actions.post_wish(title="帮忙", description="", acting_user=stranger)
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize("who", ["resident", "staff_b", "u1", "worker_a1"])
def test_only_staff_of_the_area_dispatch_or_post_to_the_board(vol, who):
    n = vol
    order = placed(n)
    with pytest.raises(PermissionDenied):
        actions.dispatch_order(order=order, acting_user=getattr(n, who), volunteer=n.v1)
    with pytest.raises(PermissionDenied):
        actions.post_to_board(order=order, acting_user=getattr(n, who))
    assert fresh(order).status == OrderStatus.ORDERED
    assert not AuditEvent.objects.filter(action__in=["volunteering.dispatch_order",
                                                     "volunteering.post_to_board"]).exists()


@pytest.mark.parametrize(("kw", "field"), [
    ({"volunteer": "vb"}, "volunteer"),  # community B's volunteer
    ({"team": "team_b"}, "team"),  # community B's team
    ({"team": "property_co"}, "team"),  # not a volunteer team
    ({}, "team"),  # nobody
    ({"team": "team", "volunteer": "v1"}, "team"),  # both
])
def test_dispatch_goes_to_one_team_or_volunteer_of_the_community(vol, kw, field):
    n = vol
    order = placed(n)
    with pytest.raises(ValidationError) as err:
        actions.dispatch_order(order=order, acting_user=n.staff_a,
                               **{k: getattr(n, v) for k, v in kw.items()})
    assert field in err.value.message_dict
    assert fresh(order).status == OrderStatus.ORDERED


def test_a_suspended_volunteer_is_not_dispatched_nor_claims(vol):
    n = vol
    set_volunteer_status(volunteer=n.v1, status="suspended", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        dispatched(n, volunteer=n.v1)
    with pytest.raises(ValidationError):
        actions.claim_order(order=wish(n), acting_user=n.u1)


def test_volunteers_of_another_community_and_non_volunteers_may_not_claim(vol):
    n = vol
    order = wish(n)
    with pytest.raises(PermissionDenied):
        actions.claim_order(order=order, acting_user=n.ub)
    with pytest.raises(PermissionDenied):
        actions.claim_order(order=order, acting_user=n.staff_a)  # not a volunteer
    assert fresh(order).status == OrderStatus.OPEN


def test_a_volunteer_may_not_claim_their_own_wish(vol):
    n = vol
    own = actions.post_wish(title="帮我取快递", description="", acting_user=n.u1)
    with pytest.raises(ValidationError):
        actions.claim_order(order=own, acting_user=n.u1)
    assert fresh(own).status == OrderStatus.OPEN


def test_outsiders_may_not_accept_decline_or_complete(vol):
    n = vol
    order = dispatched(n, team=n.team)
    for who in [n.ub, n.staff_a, n.resident]:
        with pytest.raises(PermissionDenied):
            actions.accept_order(order=order, acting_user=who)
        with pytest.raises(PermissionDenied):
            actions.decline_order(order=order, reason="不去", acting_user=who)
    actions.accept_order(order=order, acting_user=n.u1)
    for who in [n.u2, n.ub, n.resident]:
        with pytest.raises(PermissionDenied):
            actions.complete_order(order=order, hours="1", report="完成", acting_user=who)
    assert fresh(order).status == OrderStatus.ACCEPTED and not HoursEntry.objects.exists()


def test_only_the_requester_rates(vol):
    n = vol
    order = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                   acting_user=n.u1)
    for who in [n.u1, n.staff_a, n.u2]:
        with pytest.raises(PermissionDenied):
            actions.rate_order(order=order, rating="satisfied", acting_user=who)
    assert fresh(order).status == OrderStatus.DONE and not PointsEntry.objects.filter(
        reason="rated_order").exists()


def test_an_order_is_rated_only_once_it_is_done(vol):
    n = vol
    order = accepted(n)
    with pytest.raises(ValidationError):
        actions.rate_order(order=order, rating="satisfied", acting_user=n.resident)
    assert fresh(order).status == OrderStatus.ACCEPTED


def test_the_requester_cancels_before_it_is_taken_staff_until_it_is_done(vol):
    n = vol
    waiting = placed(n)
    with pytest.raises(PermissionDenied):
        actions.cancel_order(order=waiting, reason="不需要了", acting_user=n.u1)
    actions.cancel_order(order=waiting, reason="自己修好了", acting_user=n.resident)
    assert fresh(waiting).status == OrderStatus.CANCELLED
    assert inbox(n.staff_a, "volunteering.order_cancelled") == 1

    taken = accepted(n)
    with pytest.raises(ValidationError) as err:
        actions.cancel_order(order=taken, reason="不需要了", acting_user=n.resident)
    assert "志愿者已接单，如需取消请联系社区工作人员" in err.value.messages
    with pytest.raises(PermissionDenied):
        actions.cancel_order(order=taken, reason="越权", acting_user=n.staff_b)
    actions.cancel_order(order=taken, reason="居民电话说不需要了", acting_user=n.staff_a)
    assert fresh(taken).status == OrderStatus.CANCELLED
    assert inbox(n.u1, "volunteering.order_cancelled") == 1
    assert inbox(n.resident, "volunteering.order_cancelled") == 1

    done = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                  acting_user=n.u1)
    with pytest.raises(ValidationError):
        actions.cancel_order(order=done, reason="晚了", acting_user=n.staff_a)
    assert fresh(done).status == OrderStatus.DONE
    with pytest.raises(ValidationError):  # cancelled cannot be dispatched
        actions.dispatch_order(order=waiting, acting_user=n.staff_a, volunteer=n.v1)


# --- bad input: a Chinese error and nothing changed ------------------------------------------


@pytest.mark.parametrize("title", ["", "   ", None])
def test_a_blank_wish_is_refused(vol, title):
    with pytest.raises(ValidationError) as err:
        actions.post_wish(title=title, description="", acting_user=vol.resident)
    assert err.value.message_dict["title"] == ["请填写心愿内容"]
    assert not ServiceOrder.objects.exists()
    assert inbox(vol.staff_a, "volunteering.wish_posted") == 0


def test_unsatisfied_without_a_reason_is_refused(vol):
    n = vol
    order = actions.complete_order(order=accepted(n), hours="1", report="好了",
                                   acting_user=n.u1)
    with pytest.raises(ValidationError) as err:
        actions.rate_order(order=order, rating="unsatisfied", comment="  ",
                           acting_user=n.resident)
    assert err.value.message_dict["comment"] == ["不满意时请说明原因"]
    with pytest.raises(ValidationError) as err:
        actions.rate_order(order=order, rating="great", acting_user=n.resident)
    assert err.value.message_dict["rating"] == ["请选择评价"]
    order = fresh(order)
    assert (order.status, order.rating) == (OrderStatus.DONE, "")
    assert not order.events.filter(kind="rated").exists()


@pytest.mark.parametrize(("hours", "message"), [
    ("0", "服务时长须在 0 到 24 小时之间"), ("-2", "服务时长须在 0 到 24 小时之间"),
    ("25", "服务时长须在 0 到 24 小时之间"), ("1.25", "时长最多保留一位小数"),
    ("", "请填写有效的时长（小时）"), ("一小时", "请填写有效的时长（小时）")])
def test_bad_hours_are_refused_and_nothing_is_credited(vol, hours, message):
    n = vol
    order = accepted(n)
    with pytest.raises(ValidationError) as err:
        actions.complete_order(order=order, hours=hours, report="好了", acting_user=n.u1)
    assert err.value.message_dict["hours"] == [message]
    order = fresh(order)
    assert (order.status, order.hours) == (OrderStatus.ACCEPTED, None)
    assert not HoursEntry.objects.exists() and time_bank_balance(n.u1) == 0


def test_a_blank_report_or_decline_reason_is_refused(vol):
    n = vol
    order = accepted(n)
    with pytest.raises(ValidationError) as err:
        actions.complete_order(order=order, hours="1", report=" ", acting_user=n.u1)
    assert err.value.message_dict["report"] == ["请填写服务情况"]
    with pytest.raises(ValidationError) as err:
        actions.decline_order(order=order, reason="", acting_user=n.u1)
    assert err.value.message_dict["reason"] == ["请说明不能承接的原因"]
    assert fresh(order).status == OrderStatus.ACCEPTED and not HoursEntry.objects.exists()


def test_the_item_must_be_on_the_menu_for_the_residents_area(vol):
    n = vol
    elsewhere = save_service_item(acting_user=n.staff_b, library="daily", name="理发",
                                  usual_hours="1", area=n.comm_b, team=n.team_b)
    with pytest.raises(ValidationError) as err:
        placed(n, item=elsewhere)
    assert err.value.message_dict["item"] == ["该服务项目不在您所在区域提供"]
    other_grid = menu_item(n, area=n.grid_a2)  # resident lives in grid A1
    with pytest.raises(ValidationError):
        placed(n, item=other_grid)
    retired = retire_service_item(item=menu_item(n), acting_user=n.staff_a)
    with pytest.raises(ValidationError) as err:
        placed(n, item=retired)
    assert err.value.message_dict["item"] == ["该服务项目已下架"]
    assert not ServiceOrder.objects.exists()


def test_the_service_place_may_be_elsewhere_in_the_home_community_only(vol):
    n = vol
    assert placed(n, area=n.grid_a1).area == n.grid_a1
    with pytest.raises(ValidationError) as err:
        wish(n, area=n.b3)
    assert err.value.message_dict["area"] == ["服务地点须在您居住的社区内"]


# --- stale orders ----------------------------------------------------------------------------


def test_orders_nobody_takes_in_time_are_flagged_to_staff_once(vol):
    n = vol
    waiting, on_board = placed(n), wish(n)
    taken = accepted(n)
    assert actions.flag_stale_orders(now=timezone.now() + timedelta(hours=23)) == 0
    later = timezone.now() + timedelta(hours=25)
    assert actions.flag_stale_orders(now=later) == 2
    assert {o.pk for o in selectors.stale_orders(n.staff_a)} == {waiting.pk, on_board.pk}
    assert list(selectors.stale_orders(n.staff_b)) == []
    assert fresh(waiting).flagged_at == later and fresh(taken).flagged_at is None
    assert inbox(n.staff_a, "volunteering.order_stale") == 2
    assert inbox(n.staff_b, "volunteering.order_stale") == 0
    assert actions.flag_stale_orders(now=later + timedelta(hours=1)) == 0  # once
    assert inbox(n.staff_a, "volunteering.order_stale") == 2
    assert AuditEvent.objects.filter(action="volunteering.flag_stale_orders",
                                     actor=None).count() == 2
    assert events(waiting) == ["ordered", "flagged"]
    actions.claim_order(order=on_board, acting_user=n.u1)  # taken at last: no longer stale
    assert [o.pk for o in selectors.stale_orders(n.staff_a)] == [waiting.pk]


# --- at the same moment (PostgreSQL) ---------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_claim_the_same_wish_at_once(vol):
    n = vol
    order = wish(n)
    results, errors = race(
        lambda: actions.claim_order(order=order, acting_user=n.u1),
        lambda: actions.claim_order(order=order, acting_user=n.u2),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "该需求已被其他志愿者认领" in errors[0].messages
    order = fresh(order)
    assert order.status == OrderStatus.ACCEPTED and order.volunteer == results[0].volunteer
    assert order.events.filter(kind="claimed").count() == 1
    assert AuditEvent.objects.filter(action="volunteering.claim_order").count() == 1


def test_the_workers_scan_flags_an_untaken_order_once(vol):
    from gongzhi.cases.tasks import scan_deadlines

    order = wish(vol)
    assert scan_deadlines.call()["stale_orders"] == 0
    ServiceOrder.objects.filter(pk=order.pk).update(take_by=timezone.now() - timedelta(minutes=1))
    assert scan_deadlines.call()["stale_orders"] == 1
    assert fresh(order).flagged_at is not None
    assert scan_deadlines.call()["stale_orders"] == 0


def test_where_no_community_staff_manage_the_street_is_told(vol):
    from gongzhi.accounts.actions import revoke_role

    for grant in vol.staff_a.role_grants.all():
        revoke_role(grant=grant, acting_user=None)
    placed(vol)
    assert inbox(vol.street_staff, "volunteering.order_placed") == 1
