"""A real browser: community staff log in through the form, see the console, log out."""

import pytest

pytestmark = pytest.mark.browser


def test_staff_login_console_and_logout(page, live_server, street):
    page.goto(live_server.url + "/accounts/login/?next=/inbox/")
    page.get_by_label("手机号或用户名").fill("13000000001")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("手机号/用户名或密码不正确").wait_for()

    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/inbox/")

    nav = page.get_by_role("navigation", name="工作台导航")
    assert nav.get_by_role("link", name="审计日志").is_visible()
    assert nav.get_by_role("link", name="通知").get_attribute("aria-current") == "page"
    header = page.locator("header.site-header")
    assert header.get_by_text("staff_a", exact=True).is_visible()
    assert "社区工作者 · 活龙社区" in header.inner_text()

    nav.get_by_role("link", name="审计日志").click()
    page.wait_for_url(live_server.url + "/audit/")
    assert page.get_by_role("heading", name="审计日志").is_visible()

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("您已安全退出").is_visible()
    assert page.locator("header.site-header").get_by_role("link", name="登录").is_visible()
    assert page.locator(".console-nav").count() == 0
