"""A 居民公约 clicked through in a real browser: staff publish a convention whose
consultation has closed, a resident reads and signs it on the phone (from the notice), and
staff see the building's rate change; the building head records a paper signature on the
phone. Screenshots: /tmp/conventions_*.png."""

import pytest

from gongzhi.campaigns.models import ConventionSignature, ConventionStage
from gongzhi.campaigns.tests.test_browser import DESK, PHONE, arrive, log_in, screen
from gongzhi.notices.subjects import register_subject

pytestmark = pytest.mark.browser


def test_publish_read_sign_and_see_the_rate(browser, live_server, transactional_db,
                                             conventions):
    n, base = conventions, live_server.url
    # The line the lead adds to CampaignsConfig.ready().
    register_subject("campaigns.convention", "阅读公约并签署",
                     lambda pk: f"/campaigns/conventions/{pk}/")
    convention = n.closed
    manage = f"/campaigns/manage/conventions/{convention.pk}/"
    desk_context, desk = screen(browser, DESK)

    # Staff publish: the consultation's counts are on the page, then the rate table.
    log_in(desk, base, "staff_a", manage)
    assert desk.locator('[data-count="disagree"]').inner_text() == "1"
    desk.get_by_role("button", name="公布公约").click()
    arrive(desk, base + manage)
    assert desk.locator("#stage").inner_text() == "已公布"
    b1 = desk.locator(f'tr[data-building="{n.b1.pk}"]')
    assert b1.locator('[data-count="rate"]').inner_text() == "0.0%"
    desk.screenshot(path="/tmp/conventions_published.png", full_page=True)
    convention.refresh_from_db()
    assert convention.stage == ConventionStage.PUBLISHED

    # The resident finds it on the phone, reads the notice, follows its link and signs.
    phone_context, phone = screen(browser, PHONE)
    log_in(phone, base, "resident", "/campaigns/conventions/")
    phone.get_by_role("link", name=convention.title).click()
    phone.get_by_role("link", name="查看公告").click()
    phone.get_by_role("link", name="阅读公约并签署").click()
    arrive(phone, f"{base}/campaigns/conventions/{convention.pk}/")
    assert "邻里和睦，互帮互助。" in phone.locator("#articles").inner_text()
    phone.get_by_role("button", name="我家签署").click()
    phone.locator("#signed").wait_for()
    assert "李建国 代表全家签署" in phone.locator("#signed-by").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path="/tmp/conventions_signed.png", full_page=True)
    assert ConventionSignature.objects.filter(convention=convention, household=n.h2).exists()

    # Staff see 1栋 of 铁路小区 at one household of three.
    desk.goto(base + manage)
    assert b1.locator('[data-count="signed"]').inner_text() == "1"
    assert b1.locator('[data-count="rate"]').inner_text() == "33.3%"
    assert desk.locator('#rate-total [data-count="rate"]').inner_text() == "20.0%"

    # The building head, on the phone, records 301's signature given on paper.
    log_in(phone, base, "head_b1", "/campaigns/manage/conventions/chase/")
    phone.locator(f'section[data-convention="{convention.pk}"] li[data-building="{n.b1.pk}"]'
                  ).get_by_role("link").click()
    phone.locator(f'li[data-household="{n.h5.pk}"]').get_by_role(
        "button", name="登记纸质签署").click()
    phone.locator(f'li[data-household="{n.h5.pk}"] .voted').wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path="/tmp/conventions_paper.png", full_page=True)
    desk.goto(base + manage)
    assert b1.locator('[data-count="rate"]').inner_text() == "66.7%"
    phone_context.close()
    desk_context.close()
