"""门前三包 in a real browser: a grid worker on the phone inspects a shop, records a problem
with a photo from the camera input, re-inspects it as passed; community staff then read
the month's score on the shop's page (100 − 10 × 1 failed duty − 0 open = 90, 红榜).
Screenshots: /tmp/shops_*.png."""

import pytest

from gongzhi.campaigns.models import Inspection
from gongzhi.campaigns.tests.test_browser import DESK, PHONE, log_in, photo, screen

pytestmark = pytest.mark.browser


def test_inspect_reinspect_and_the_score(browser, live_server, transactional_db, shops,
                                         tmp_path):
    n, base = shops, live_server.url
    phone_context, phone = screen(browser, PHONE)
    log_in(phone, base, "worker_a1", "/campaigns/shops/")
    shop = phone.locator(f"[data-shop='{n.shop_a1.pk}']")
    shop.get_by_role("link", name="检查").click()
    form = phone.locator("#inspect-form")
    form.locator("#duty-sanitation").get_by_text("不合格").click()
    form.get_by_label("检查情况").fill("门前堆放纸箱和垃圾袋")
    form.locator("input[type=file]").set_input_files(photo(tmp_path))
    phone.screenshot(path="/tmp/shops_inspect_phone.png", full_page=True)
    form.get_by_role("button", name="提交检查").click()
    phone.wait_for_url(f"{base}/campaigns/shops/")
    assert "已记录问题并通知商户" in phone.locator(".messages").inner_text()
    assert "1 个问题待复查" in shop.inner_text()
    phone.screenshot(path="/tmp/shops_problem_phone.png", full_page=True)

    shop.get_by_role("link", name="检查 / 复查").click()
    phone.get_by_role("link", name="复查此问题").click()
    phone.locator("#inspect-form").get_by_role("button", name="提交复查").click()
    phone.wait_for_url(f"{base}/campaigns/shops/")
    assert "复查合格" in phone.locator(".messages").inner_text()
    problem = Inspection.objects.get(result="problem")
    assert problem.rectified_at is not None and problem.photos.count() == 1
    phone_context.close()

    desk_context, desk = screen(browser, DESK)
    url = f"/campaigns/manage/shops/{n.shop_a1.pk}/"
    log_in(desk, base, "staff_a", url)
    this_month = desk.locator("#month-scores tbody tr").first
    assert this_month.locator("[data-score]").inner_text() == "90"
    assert "红榜" in this_month.inner_text()
    assert desk.locator("#inspections tbody tr").count() == 2
    desk.screenshot(path="/tmp/shops_staff.png", full_page=True)
    desk_context.close()
