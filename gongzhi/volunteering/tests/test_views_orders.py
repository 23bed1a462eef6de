"""Residents' ordering pages and volunteers' order pages: 点单 from the menu, micro-wishes
claimed from the board, accepting, completing with hours, rating, declining, cancelling;
who may see an order, masked phones, and bad input refused in Chinese with nothing changed."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from gongzhi.areas.actions import add_resident
from gongzhi.conftest import make_user
from gongzhi.core.models import Notification
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.actions.ledger import hours_total
from gongzhi.volunteering.actions.menu import retire_service_item, save_service_item
from gongzhi.volunteering.models import HoursEntry, OrderKind, OrderStatus, ServiceOrder
from gongzhi.volunteering.panels_orders import home_panel


def item(n, *, name="上门维修水电", area=None, library="daily", staff=None):
    return save_service_item(acting_user=staff or n.staff_a, library=library, name=name,
                             usual_hours="1.5", area=area or n.comm_a,
                             team=n.team if area is None else None)


def placed(n, **kw):
    return actions.place_order(item=kw.pop("item", None) or item(n), acting_user=n.resident,
                               description="厨房水管漏水", **kw)


def dispatched(n, **kw):
    kw.setdefault("volunteer", n.v1)
    return actions.dispatch_order(order=placed(n), acting_user=n.staff_a, **kw)


def accepted(n):
    return actions.accept_order(order=dispatched(n), acting_user=n.u1)


def done(n):
    return actions.complete_order(order=accepted(n), hours="2", report="已更换水管",
                                  acting_user=n.u1)


def fresh(order):
    return ServiceOrder.objects.get(pk=order.pk)


def order_url(order):
    return reverse("volunteering:order", args=[order.pk])


def act_url(order, step):
    return reverse("volunteering:order_act", args=[order.pk, step])


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- 点单 and 微心愿 ---------------------------------------------------------------------------


def test_menu_shows_what_serves_my_home_and_ordering_creates_the_order(client, vol):
    n = vol
    fix = item(n)
    item(n, name="法律咨询", library="legal")
    retired = item(n, name="理发")
    retire_service_item(item=retired, acting_user=n.staff_a)
    item(n, name="德鑫社区代购", area=n.comm_b, staff=n.staff_b)

    html = get(client, n.resident, reverse("volunteering:menu"))
    assert "上门维修水电" in html and "活龙志愿服务队" in html and "一般用时 1.5 小时" in html
    assert "生活服务" in html and "法律服务" in html
    assert html.index("生活服务") < html.index("法律服务")  # the libraries' own order
    assert "理发" not in html and "德鑫社区代购" not in html

    response = post(client, n.resident, reverse("volunteering:order_item", args=[fix.pk]),
                    {"description": "厨房水管漏水，下午在家"})
    order = ServiceOrder.objects.get()
    assert response.redirect_chain[-1][0] == order_url(order)
    assert "点单成功，社区将尽快为您安排志愿者。" in messages_of(response)
    assert (order.requester, order.item, order.status, order.kind) == (
        n.resident, fix, OrderStatus.ORDERED, OrderKind.MENU)
    assert order.description == "厨房水管漏水，下午在家"
    assert Notification.objects.filter(recipient=n.staff_a,
                                       kind="volunteering.order_placed").count() == 1
    assert not Notification.objects.filter(recipient=n.staff_b).exists()
    assert "社区正在为您安排志愿者" in response.content.decode()


def test_ordering_an_item_of_another_community_is_refused(client, vol):
    n = vol
    elsewhere = item(n, name="德鑫社区代购", area=n.comm_b, staff=n.staff_b)
    response = post(client, n.resident, reverse("volunteering:order_item",
                                                args=[elsewhere.pk]))
    assert "该服务项目不在您所在区域提供" in messages_of(response)
    assert not ServiceOrder.objects.exists()
    response = post(client, n.resident, reverse("volunteering:order_item", args=[99999]))
    assert response.status_code == 404


def test_who_is_not_a_resident_cannot_order(client, vol):
    n = vol
    fix = item(n)
    assert "只有登记在册的居民可以点单" in get(client, n.staff_a, reverse("volunteering:menu"))
    response = post(client, n.staff_a, reverse("volunteering:order_item", args=[fix.pk]))
    assert "只有登记在册的居民可以点单或发布心愿" in messages_of(response)
    assert not ServiceOrder.objects.exists()


def test_a_wish_goes_on_the_board_and_a_volunteer_claims_it_there(client, vol):
    n = vol
    response = post(client, n.resident, reverse("volunteering:wish_new"),
                    {"title": "想请人帮忙换灯泡", "description": "卫生间的灯坏了"})
    wish = ServiceOrder.objects.get()
    assert response.redirect_chain[-1][0] == order_url(wish)
    assert (wish.kind, wish.status, wish.requester) == (OrderKind.WISH, OrderStatus.OPEN,
                                                         n.resident)

    board = get(client, n.u2, reverse("volunteering:board"))
    assert "想请人帮忙换灯泡" in board and act_url(wish, "claim") in board
    # Community B's volunteer sees nothing of it, not even its page.
    assert "想请人帮忙换灯泡" not in get(client, n.ub, reverse("volunteering:board"))
    get(client, n.ub, order_url(wish), status=404)

    response = post(client, n.u2, act_url(wish, "claim"))
    assert response.redirect_chain[-1][0] == order_url(wish)
    assert "认领成功，请尽快联系居民提供服务。" in messages_of(response)
    wish = fresh(wish)
    assert (wish.status, wish.volunteer) == (OrderStatus.ACCEPTED, n.v2)
    # Gone from the board; a second volunteer can no longer claim (nor see) it.
    assert "想请人帮忙换灯泡" not in get(client, n.u1, reverse("volunteering:board"))
    response = post(client, n.u1, act_url(wish, "claim"))
    assert response.redirect_chain[-1][0] == reverse("volunteering:board")
    assert "该需求已被其他志愿者认领或已撤回" in messages_of(response)
    get(client, n.u1, order_url(wish), status=404)
    assert fresh(wish).volunteer == n.v2
    assert post(client, n.ub, act_url(wish, "claim")).status_code == 404  # community B


def test_a_wish_needs_a_title(client, vol):
    n = vol
    client.force_login(n.resident)
    response = client.post(reverse("volunteering:wish_new"), {"title": " ", "description": ""})
    assert response.status_code == 200
    assert "请填写心愿内容" in response.content.decode()
    assert not ServiceOrder.objects.exists()


# --- 接单, completing, rating ----------------------------------------------------------------


def test_accept_complete_with_hours_and_rate(client, vol):
    n = vol
    order = dispatched(n)
    html = get(client, n.u1, order_url(order))
    assert act_url(order, "accept") in html and act_url(order, "rate") not in html
    post(client, n.u1, act_url(order, "accept"))
    assert (fresh(order).status, fresh(order).volunteer) == (OrderStatus.ACCEPTED, n.v1)

    html = get(client, n.u1, order_url(order))
    assert act_url(order, "complete") in html and 'value="1.5"' in html  # the usual hours
    response = post(client, n.u1, act_url(order, "complete"),
                    {"hours": "2.5", "report": "已更换厨房水管"})
    assert "服务已完成，时长已记入您的志愿服务记录。" in messages_of(response)
    order = fresh(order)
    assert (order.status, order.hours, order.report) == (OrderStatus.DONE, Decimal("2.5"),
                                                         "已更换厨房水管")
    assert hours_total(n.v1) == Decimal("2.5")

    # The requester sees who served them and rates it.
    html = get(client, n.resident, order_url(order))
    assert "王秀英" in html and act_url(order, "rate") in html
    response = post(client, n.resident, act_url(order, "rate"),
                    {"rating": "satisfied", "comment": "很及时"})
    assert "谢谢您的评价！" in messages_of(response)
    order = fresh(order)
    assert (order.status, order.rating, order.rating_comment) == (
        OrderStatus.RATED, "satisfied", "很及时")
    assert act_url(order, "rate") not in response.content.decode()


def test_a_team_member_accepts_an_order_sent_to_the_team(client, vol):
    n = vol
    order = dispatched(n, volunteer=None, team=n.team)
    assert order.title in get(client, n.u2, reverse("volunteering:tasks"))
    post(client, n.u2, act_url(order, "accept"))
    assert (fresh(order).status, fresh(order).volunteer) == (OrderStatus.ACCEPTED, n.v2)


def test_bad_hours_are_refused_in_chinese_and_nothing_is_credited(client, vol):
    n = vol
    order = accepted(n)
    client.force_login(n.u1)
    for hours, message in (("abc", "请填写有效的时长（小时）"),
                           ("30", "服务时长须在 0 到 24 小时之间")):
        response = client.post(act_url(order, "complete"), {"hours": hours, "report": "完成"})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert fresh(order).status == OrderStatus.ACCEPTED
    assert not HoursEntry.objects.exists()


def test_a_volunteer_cannot_rate(client, vol):
    n = vol
    order = done(n)
    assert act_url(order, "rate") not in get(client, n.u1, order_url(order))
    response = post(client, n.u1, act_url(order, "rate"), {"rating": "satisfied"})
    assert "只有点单人可以评价" in messages_of(response)
    order = fresh(order)
    assert (order.status, order.rating) == (OrderStatus.DONE, "")


def test_unsatisfied_without_a_comment_shows_the_error_and_changes_nothing(client, vol):
    n = vol
    order = done(n)
    client.force_login(n.resident)
    response = client.post(act_url(order, "rate"), {"rating": "unsatisfied", "comment": ""})
    assert response.status_code == 200
    assert "不满意时请说明原因" in response.content.decode()
    order = fresh(order)
    assert (order.status, order.rating, order.rated_at) == (OrderStatus.DONE, "", None)
    assert not Notification.objects.filter(kind="volunteering.order_rated").exists()


def test_declining_returns_the_order_to_staff(client, vol):
    n = vol
    order = dispatched(n)
    client.force_login(n.u1)
    response = client.post(act_url(order, "decline"), {"reason": ""})
    assert response.status_code == 200 and "请说明不能承接的原因" in response.content.decode()
    assert fresh(order).status == OrderStatus.DISPATCHED

    response = post(client, n.u1, act_url(order, "decline"), {"reason": "这周出差"})
    # It no longer concerns them: back to their tasks, with the message.
    assert response.redirect_chain[-1][0] == reverse("volunteering:tasks")
    assert "已退回，社区将重新安排。" in messages_of(response)
    order = fresh(order)
    assert (order.status, order.volunteer, order.team) == (OrderStatus.ORDERED, None, None)
    assert order.events.last().note == "这周出差"
    assert Notification.objects.filter(recipient=n.staff_a,
                                       kind="volunteering.order_declined").count() == 1
    get(client, n.u1, order_url(order), status=404)


def test_the_volunteer_who_took_it_can_give_it_back(client, vol):
    n = vol
    order = accepted(n)
    post(client, n.u1, act_url(order, "decline"), {"reason": "身体不适"})
    assert fresh(order).status == OrderStatus.ORDERED and fresh(order).volunteer is None


def test_requester_cancels_before_it_is_taken_but_not_after(client, vol):
    n = vol
    order = placed(n)
    response = post(client, n.resident, act_url(order, "cancel"), {"reason": "已自行修好"})
    assert "订单已取消。" in messages_of(response)
    assert fresh(order).status == OrderStatus.CANCELLED

    taken = accepted(n)
    html = get(client, n.resident, order_url(taken))
    assert act_url(taken, "cancel") not in html and "如需取消请联系社区工作人员" in html
    response = post(client, n.resident, act_url(taken, "cancel"), {"reason": "不需要了"})
    assert "志愿者已接单，如需取消请联系社区工作人员" in messages_of(response)
    assert fresh(taken).status == OrderStatus.ACCEPTED


# --- who sees what -----------------------------------------------------------------------------


def test_an_order_is_a_404_for_whom_it_does_not_concern(client, vol):
    n = vol
    order = dispatched(n)
    other = make_user("neighbour_b", resident=add_resident(  # lives in community B
        household=n.h4, name="陈静", phone="13500004444", acting_user=None))
    for user in (other, n.ub, n.staff_b, n.u2):
        get(client, user, order_url(order), status=404)
    assert post(client, other, act_url(order, "cancel"), {"reason": "x"}).status_code == 404
    assert fresh(order).status == OrderStatus.DISPATCHED
    for user in (n.resident, n.u1, n.staff_a, n.street_staff):
        get(client, user, order_url(order))
    get(client, n.resident, reverse("volunteering:order_act", args=[order.pk, "nope"]),
        status=405)
    assert post(client, n.resident, act_url(order, "nope")).status_code == 404


def test_the_requesters_phone_is_masked_for_the_volunteer(client, vol):
    n = vol
    order = dispatched(n)
    html = get(client, n.u1, order_url(order))
    assert "李建国" in html and "铁路小区 1栋1单元201" in html
    assert "139****1111" in html and "13900001111" not in html
    html = get(client, n.resident, order_url(order))
    assert "13900001111" in html  # their own
    # On the open board a volunteer sees where, not who.
    wish = actions.post_wish(title="想请人陪同就医", description="", acting_user=n.resident)
    html = get(client, n.u2, order_url(wish))
    assert "李建国" not in html and "1111" not in html and act_url(wish, "claim") in html


def test_pages_need_a_login(client, vol):
    for name in ("home", "menu", "wish_new", "my_orders", "board", "tasks"):
        response = client.get(reverse(f"volunteering:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- home, lists, the home panel ----------------------------------------------------------


def test_home_for_a_resident_and_for_a_volunteer(client, vol):
    n = vol
    order = placed(n)
    html = get(client, n.resident, reverse("volunteering:home"))
    assert reverse("volunteering:menu") in html and reverse("volunteering:wish_new") in html
    assert order.title in html and "待派单" in html
    assert reverse("volunteering:board") not in html  # not a volunteer

    actions.post_wish(title="想请人帮忙换灯泡", description="", acting_user=n.resident)
    actions.dispatch_order(order=order, acting_user=n.staff_a, volunteer=n.v1)
    html = get(client, n.u1, reverse("volunteering:home"))
    assert '<span class="count" id="board-count">1</span>' in html
    assert order_url(order) in html  # dispatched to me, among my tasks


def test_my_orders_newest_first_and_paginated(client, vol):
    n = vol
    for i in range(23):
        actions.post_wish(title=f"心愿{i:02d}", description="", acting_user=n.resident)
    html = get(client, n.resident, reverse("volunteering:my_orders"))
    assert "心愿22" in html and "心愿03" in html and "心愿02" not in html
    assert html.index("心愿22") < html.index("心愿21")
    html = get(client, n.resident, reverse("volunteering:my_orders") + "?page=2")
    assert "心愿02" in html and "心愿00" in html and "心愿22" not in html


def test_tasks_list_waiting_doing_and_past(client, vol):
    n = vol
    first = done(n)
    waiting = dispatched(n)
    html = get(client, n.u1, reverse("volunteering:tasks"))
    assert order_url(waiting) in html and order_url(first) in html and "2.0 小时" in html
    assert "注册成为志愿者" in get(client, n.resident, reverse("volunteering:tasks"))


@pytest.mark.parametrize("who", ["resident", "u1", "staff_a"])
def test_home_panel(rf, vol, who):
    n = vol
    order = done(n)
    request = rf.get("/")
    request.user = getattr(n, who)
    panel = home_panel(request)
    if who == "staff_a":
        assert panel is None
    elif who == "resident":
        assert panel["to_rate"] == 1 and panel["rate_order"] == {"pk": order.pk}
        assert not panel["volunteer"]
        html = render_to_string("volunteering/orders/panel.html", {"panel": panel})
        assert f'href="{order_url(order)}"' in html and "1 个服务待评价" in html
    else:
        dispatched(n)
        actions.post_wish(title="想请人帮忙换灯泡", description="", acting_user=n.resident)
        panel = home_panel(request)
        assert panel["waiting"] == 1 and panel["board"] == 1
        html = render_to_string("volunteering/orders/panel.html", {"panel": panel})
        assert reverse("volunteering:tasks") in html and "1 个任务待处理" in html
