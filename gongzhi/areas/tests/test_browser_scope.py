"""A real browser proves scope: each user sees their own areas and households, nothing else."""

import pytest

pytestmark = pytest.mark.browser

PHONE_A1 = "13812341234"


def log_in(page, base: str, username: str, next_url: str = "/areas/") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def status(page, url: str) -> int:
    return page.goto(url).status


def test_community_staff_sees_their_community_only(page, live_server, transactional_db, street):
    base = live_server.url
    log_in(page, base, "staff_a")
    page.wait_for_url(f"{base}/areas/CA/")  # one scope root: straight to it
    assert page.get_by_role("heading", name="活龙社区").is_visible()
    children = page.locator("#children-heading + .table-wrap table")
    assert children.get_by_role("link", name="第一网格").is_visible()
    assert children.get_by_role("link", name="第二网格").is_visible()
    households = page.locator("table.households")
    for text in ["王秀英", "张伟", PHONE_A1]:
        assert households.get_by_text(text, exact=True).is_visible()
    assert "138****1234" not in households.inner_text()

    # The map is plain SVG links: clicking grid A1 on it opens the grid, no script needed.
    page.locator("svg.area-map a[href='/areas/CA-G1/']").click()
    page.wait_for_url(f"{base}/areas/CA-G1/")
    assert page.get_by_role("heading", name="第一网格").is_visible()

    assert status(page, f"{base}/areas/CB/") == 404
    assert page.get_by_role("heading", name="找不到这个页面").is_visible()
    assert "德鑫社区" not in page.content()
    assert status(page, f"{base}/areas/CB-X1-B1/") == 404


def test_grid_worker_sees_their_grid_only(page, live_server, transactional_db, street):
    base = live_server.url
    log_in(page, base, "worker_a1")
    page.wait_for_url(f"{base}/areas/CA-G1/")
    page.get_by_role("link", name="铁路小区").first.click()
    page.wait_for_url(f"{base}/areas/CA-G1-X1/")
    page.get_by_role("link", name="1栋").first.click()
    page.wait_for_url(f"{base}/areas/CA-G1-X1-B1/")
    households = page.locator("table.households")
    assert households.get_by_text("王秀英", exact=True).is_visible()
    assert households.get_by_text(PHONE_A1, exact=True).is_visible()
    assert "张伟" not in households.inner_text()  # grid A2's household

    for url in ["/areas/CA-G2/", "/areas/CA-G2-X1-B1/", "/areas/CA/", "/areas/CB/"]:
        assert status(page, base + url) == 404, url


def test_street_staff_see_phone_numbers_masked(page, live_server, transactional_db, street):
    base = live_server.url
    log_in(page, base, "street", next_url="/areas/CA-G1-X1-B1/")
    page.wait_for_url(f"{base}/areas/CA-G1-X1-B1/")
    households = page.locator("table.households")
    assert households.get_by_text("138****1234", exact=True).is_visible()
    assert PHONE_A1 not in page.content()
