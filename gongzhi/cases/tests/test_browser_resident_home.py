"""A real browser on a phone (390×844): a resident logs in and finds, on their home page,
the residents' menu — large tiles for 我要报事, 我的诉求, 议事表决, 志愿服务, 小区改造 and 通知 —
taps 我要报事 and lands on their own building's report page; /cases/ takes them to their
own cases. Screenshots: /tmp/resident_home_phone.png (and the large-text one)."""

import pytest

from gongzhi.renewal import actions as renewal
from gongzhi.renewal.models import Management

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ENTRIES = ["我要报事", "我的诉求", "议事表决", "志愿服务", "小区改造", "通知"]
TOUCH = 44  # px: the smallest comfortable target for a finger


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, base: str, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    form = page.locator("main form")
    form.get_by_label("手机号或用户名").fill(username)
    form.get_by_label("密码").fill("pass-1234-word")
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_url)


def check_tiles(page) -> None:
    """Every entry is visible, above the fold, inside the screen and large enough to tap."""
    nav = page.get_by_role("navigation", name="居民导航")
    for label in ENTRIES:
        link = nav.get_by_role("link", name=label)
        assert link.is_visible(), label
        box = link.bounding_box()
        assert box["height"] >= TOUCH and box["width"] >= TOUCH, (label, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
        assert box["y"] + box["height"] <= PHONE["height"], (label, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_resident_home_on_a_phone(phone, live_server, transactional_db, street):
    page, base, n = phone, live_server.url, street
    renewal.save_compound_record(compound=n.compound, built_year=1992, floor_area="3600.50",
                                 management=Management.NONE, problems="楼道破损",
                                 acting_user=n.staff_a)
    renewal.create_project(name="铁路小区老旧小区改造", compounds=[n.compound],
                           acting_user=n.staff_a)

    log_in(page, base, "resident", "/")
    check_tiles(page)
    assert page.locator(".console-nav").count() == 0
    page.screenshot(path="/tmp/resident_home_phone.png")

    # 适老化: in large-text mode the tiles still fit the screen and stay tappable.
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_selector("body.large-text")
    check_tiles(page)
    page.screenshot(path="/tmp/resident_home_phone_large.png")
    page.get_by_role("button", name="标准字号").click()
    page.wait_for_selector("body:not(.large-text)")

    # One tap on 我要报事: the report page of the resident's own building.
    nav = page.get_by_role("navigation", name="居民导航")
    nav.get_by_role("link", name="我要报事").tap()
    page.wait_for_url(f"{base}/cases/report/{n.b1.code}/")
    assert page.get_by_role("heading", name="反映问题").is_visible()
    assert page.locator("h1 .place").inner_text() == "活龙社区 · 铁路小区 · 1栋"
    link = page.get_by_role("navigation", name="居民导航").get_by_role("link", name="我要报事")
    assert link.get_attribute("aria-current") == "page"
    page.screenshot(path="/tmp/resident_report_phone.png")

    # The menu is on every page: from the report page to my cases, then to the votes.
    page.get_by_role("navigation", name="居民导航").get_by_role("link", name="我的诉求").tap()
    page.wait_for_url(f"{base}/cases/mine/")
    page.get_by_role("navigation", name="居民导航").get_by_role("link", name="议事表决").tap()
    page.wait_for_url(f"{base}/deliberation/")
    check_tiles(page)

    # Typing /cases/ (the ledger) takes a resident to their own cases, not to a refusal.
    response = page.goto(f"{base}/cases/")
    assert page.url == f"{base}/cases/mine/" and response.status == 200
