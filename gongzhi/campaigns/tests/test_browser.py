"""A 最美 selection clicked through in a real browser: a resident nominates a family on their
phone (with a photo), staff pass it and open the vote, three residents vote, staff close the
vote, confirm the list and announce it; the resident finds the winner on the notice and on
the community's page of honour. Screenshots: /tmp/campaigns_*.png."""

from io import BytesIO

import pytest
from PIL import Image

from gongzhi.campaigns.models import Nomination, Stage, Vote
from gongzhi.campaigns.tests.conftest import end_voting

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def screen(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def log_in(page, base: str, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    form = page.locator("main form")
    form.get_by_label("手机号或用户名").fill(username)
    form.get_by_label("密码").fill("pass-1234-word")
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_url)


def arrive(page, url: str) -> None:
    """Wait for ``url``, whatever #anchor the page adds (it scrolls to what changed)."""
    page.wait_for_url(lambda at: at.split("#")[0] == url)


def photo(tmp_path) -> str:
    path = tmp_path / "zhao.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_nominate_review_vote_and_announce(browser, live_server, transactional_db, campaigns,
                                           tmp_path):
    n, base = campaigns, live_server.url
    selection = n.nominating
    url = f"/campaigns/{selection.pk}/"
    manage = f"/campaigns/manage/{selection.pk}/"
    phone_context, phone = screen(browser, PHONE)

    # The resident nominates a family of their building, on the phone, with a photo.
    log_in(phone, base, "resident", "/campaigns/")
    phone.get_by_role("link", name=selection.title).first.click()
    arrive(phone, base + url)
    phone.get_by_role("link", name="我要推荐").click()
    form = phone.locator("main form")
    form.get_by_label("评选类别").select_option(label="最美家庭")
    form.get_by_label("推荐对象").fill("赵大妈家庭")
    form.get_by_label("推荐理由和事迹").fill("十年如一日照顾楼里的独居老人")
    form.locator("input[type=file]").set_input_files(photo(tmp_path))
    form.get_by_role("button", name="提交推荐").click()
    arrive(phone, base + url)
    assert "社区审核通过后会列入投票名单" in phone.locator(".messages").inner_text()
    nomination = Nomination.objects.get(nominee="赵大妈家庭")
    assert (nomination.status, nomination.photos.count()) == ("pending", 1)
    phone.screenshot(path="/tmp/campaigns_nominated_phone.png")

    # Staff pass it and open the vote.
    desk_context, desk = screen(browser, DESK)
    log_in(desk, base, "staff_a", manage)
    review = desk.locator("#review")
    assert "赵大妈家庭" in review.inner_text()
    review.get_by_role("button", name="通过审核").click()
    arrive(desk, base + manage)
    desk.locator("#next").get_by_role("button", name="开始群众投票").click()
    arrive(desk, base + manage)
    selection.refresh_from_db()
    assert selection.stage == Stage.VOTING

    # Three residents of the community vote on their phones.
    for username in ("resident", "resident1", "resident3"):
        log_in(phone, base, username, url)
        phone.get_by_role("button", name="投票给赵大妈家庭").click()
        arrive(phone, base + url)
        assert "谢谢您的参与" in phone.locator(".messages").inner_text()
    assert Vote.objects.filter(nomination=nomination).count() == 3
    phone.screenshot(path="/tmp/campaigns_voted_phone.png")

    # After the close: staff close the vote, confirm the list the votes give, announce.
    end_voting(selection)
    desk.goto(base + manage)
    desk.locator("#next").get_by_role("button", name="结束投票").click()
    arrive(desk, base + manage)
    confirm = desk.locator("form#confirm")
    assert confirm.get_by_label("赵大妈家庭", exact=False).is_checked()
    confirm.get_by_role("button", name="审定名单").click()
    arrive(desk, base + manage)
    desk.locator("#next").get_by_role("button", name="公布结果").click()
    arrive(desk, base + manage)
    selection.refresh_from_db()
    assert selection.stage == Stage.ANNOUNCED and selection.notice_id
    desk.screenshot(path="/tmp/campaigns_announced_staff.png", full_page=True)
    desk_context.close()

    # The resident reads the notice and finds the winner on the page of honour.
    log_in(phone, base, "resident", url)
    phone.get_by_role("link", name="查看结果公示").click()
    phone.wait_for_url(f"{base}/notices/{selection.notice_id}/")
    assert "最美家庭：赵大妈家庭" in phone.locator("main").inner_text()
    phone.goto(f"{base}/campaigns/honour/{n.comm_a.code}/")
    honour = phone.locator("main").inner_text()
    assert "赵大妈家庭" in honour and selection.title in honour
    phone.screenshot(path="/tmp/campaigns_honour_phone.png", full_page=True)
    phone_context.close()
