"""A real browser on a phone-sized screen: a resident orders a service from the menu, staff
dispatch it, the volunteer accepts it and reports it done with the hours, the resident rates
it. The database is checked after each step."""

from decimal import Decimal

import pytest

from gongzhi.deliberation.tests.test_browser_resident import log_in
from gongzhi.volunteering.actions import orders as actions
from gongzhi.volunteering.actions.ledger import hours_total
from gongzhi.volunteering.actions.menu import save_service_item
from gongzhi.volunteering.models import OrderStatus, ServiceOrder

pytestmark = pytest.mark.browser


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_order_dispatch_accept_complete_and_rate(page, live_server, transactional_db, vol):
    n, base = vol, live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    save_service_item(acting_user=n.staff_a, library="daily", name="上门维修水电",
                      usual_hours="1.5", area=n.comm_a, team=n.team)

    # The resident orders from the menu.
    log_in(page, base, "resident", "/volunteering/")
    page.get_by_role("link", name="我要点单").click()
    page.wait_for_url(base + "/volunteering/menu/")
    assert fits_the_screen(page)
    entry = page.locator("li", has_text="上门维修水电")
    assert "活龙志愿服务队" in entry.inner_text()
    entry.get_by_label("需求说明").fill("厨房水管漏水，下午在家")
    entry.get_by_role("button", name="点单：上门维修水电").click()
    page.get_by_text("点单成功").wait_for()
    order = ServiceOrder.objects.get()
    page.wait_for_url(f"{base}/volunteering/orders/{order.pk}/")
    assert (order.status, order.requester, order.description) == (
        OrderStatus.ORDERED, n.resident, "厨房水管漏水，下午在家")
    assert page.locator("#status").inner_text() == "待派单"

    # Staff dispatch it to a volunteer (their page is the console's).
    actions.dispatch_order(order=order, acting_user=n.staff_a, volunteer=n.v1)
    assert ServiceOrder.objects.get().status == OrderStatus.DISPATCHED

    # The volunteer finds it among their tasks, accepts, and reports it done.
    log_in(page, base, "vol1", "/volunteering/tasks/")
    page.get_by_role("link", name="上门维修水电").click()
    assert "139****1111" in page.locator("#phone").inner_text()
    page.get_by_role("button", name="接单", exact=True).click()
    page.get_by_text("已接单，请按约定提供服务。").wait_for()
    order = ServiceOrder.objects.get()
    assert (order.status, order.volunteer) == (OrderStatus.ACCEPTED, n.v1)

    assert page.get_by_label("服务时长（小时）").input_value() == "1.5"
    page.get_by_label("服务时长（小时）").fill("2")
    page.get_by_label("服务情况").fill("已更换厨房水管接头")
    page.get_by_role("button", name="提交完成").click()
    page.get_by_text("服务已完成").wait_for()
    order = ServiceOrder.objects.get()
    assert (order.status, order.hours) == (OrderStatus.DONE, Decimal("2.0"))
    assert hours_total(n.v1) == Decimal("2.0")
    assert fits_the_screen(page)

    # The resident is asked to rate it, and does.
    log_in(page, base, "resident", "/volunteering/")
    page.get_by_role("link", name="上门维修水电").click()
    assert page.locator("#volunteer").inner_text() == "王秀英"
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("评价意见").fill("很及时，谢谢")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("谢谢您的评价！").wait_for()
    order = ServiceOrder.objects.get()
    assert (order.status, order.rating, order.rating_comment) == (
        OrderStatus.RATED, "satisfied", "很及时，谢谢")
    assert page.locator("#rating").inner_text().startswith("满意")
    assert page.get_by_role("button", name="提交评价").count() == 0
