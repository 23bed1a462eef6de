"""A real browser through the staff pages: accept, dispatch, start, resolve — no script needed."""

import re

import pytest

from gongzhi.cases.models import Case, Status

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill("pass-1234-word")
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{next_url}")


def test_staff_accept_and_dispatch_then_department_starts_and_resolves(
        page, live_server, transactional_db, ledger):
    n = ledger
    base = live_server.url
    other = n.new_case(title="另一件事", description="小区健身器材损坏")
    case = n.new_case(title="路面坑洼", description="小区门口道路破损，雨天积水")

    # Community staff: the ledger lists the submitted case; open it.
    log_in(page, base, "staff_a", "/cases/")
    row = page.locator(f'tr[data-case="{case.pk}"]')
    assert row.locator(".status").inner_text() == "待受理"
    assert page.locator(f'tr[data-case="{other.pk}"]').is_visible()
    row.get_by_role("link", name="路面坑洼").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")

    accept = page.locator("#action-accept form")
    accept.locator("select[name=accept-category]").select_option(label="市政设施 › 道路破损")
    accept.get_by_role("button", name="受理").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert page.get_by_text("已受理", exact=True).first.is_visible()
    assert page.locator("#case-category").inner_text() == "市政设施 › 道路破损"

    # Dispatch: the routing rule's department is already chosen.
    dispatch = page.locator("#action-dispatch form")
    assert dispatch.locator("select[name=dispatch-to_org] option:checked").inner_text() == \
        "城管执法中队"
    dispatch.locator("input[name=dispatch-note]").fill("请尽快到场")
    dispatch.get_by_role("button", name="派单").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert page.locator("#case-assignee").inner_text() == "城管执法中队"
    assert page.locator("#case-status").inner_text() == "已派单"

    # The department member: their ledger holds the case; start, then resolve.
    log_in(page, base, "dept_member", "/cases/")
    assert page.locator(f'tr[data-case="{other.pk}"]').count() == 0
    page.locator(f'tr[data-case="{case.pk}"]').get_by_role("link", name="路面坑洼").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    start = page.locator("#action-start form")
    start.locator("input[name=start-note]").fill("已到现场查看")
    start.get_by_role("button", name="开始办理").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert page.locator("#case-status").inner_text() == "办理中"

    resolve = page.locator("#action-resolve form")
    resolve.locator("textarea[name=resolve-result]").fill("已重新铺设路面")
    resolve.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert page.locator("#case-status").inner_text() == "已办结"

    steps = [re.sub(r"\s+", " ", t)
             for t in page.locator(".timeline > li > strong").all_inner_texts()]
    assert steps == ["上报", "受理", "派单", "开始办理", "办结"]
    timeline = page.locator(".timeline").inner_text()
    for text in ["请尽快到场", "已到现场查看", "已重新铺设路面", "staff_a", "dept_member"]:
        assert text in timeline, text
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
