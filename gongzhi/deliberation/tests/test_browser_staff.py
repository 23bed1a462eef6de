"""A real browser on the console: community staff put a question to the owners, enter the
paper ballots, count, draft the resolution and send it up; the street approves; the
community publishes it and a resident reads the notice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.deliberation.models import Ballot, Poll, PollStatus, Resolution, ResolutionStatus
from gongzhi.deliberation.tests.test_browser_resident import log_in
from gongzhi.notices.models import NoticeStatus

pytestmark = pytest.mark.browser


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def enter_paper_ballot(page, unit: str, number: int) -> None:
    form = page.locator("#entry form")
    form.get_by_label("未投票的户（前 200 户）").select_option(label=unit)
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("依据").fill(f"第 {number} 号纸质表决票")
    form.get_by_role("button", name="录入").click()
    page.wait_for_load_state()


def test_poll_to_paper_ballots_to_resolution_to_notice(page, live_server, transactional_db,
                                                       delib):
    n, base = delib, live_server.url
    now = timezone.now()

    log_in(page, base, n.staff_a.username, "/deliberation/manage/")
    page.get_by_role("link", name="表决", exact=True).click()
    page.get_by_role("link", name="发起表决").click()
    page.get_by_label("表决事项").fill("更换单元门禁")
    page.get_by_label("表决人").select_option(value="households")
    page.get_by_label("区域", exact=True).select_option(value=str(n.comm_a.pk))
    page.get_by_label("共同决定事项").select_option(value="other")
    # Closing before it opens: a clear error and nothing saved.
    page.get_by_label("开始时间").fill(local(now + timedelta(days=1)))
    page.get_by_label("截止时间").fill(local(now + timedelta(hours=1)))
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("截止时间须晚于开始时间").wait_for()  # nothing saved
    assert not Poll.objects.exists()
    page.get_by_label("开始时间").fill(local(now - timedelta(hours=1)))
    page.get_by_label("截止时间").fill(local(now + timedelta(days=7)))
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="开始表决（确定表决人名单）").click()
    page.get_by_role("button", name="截止并计票").wait_for()
    poll = Poll.objects.get()
    assert poll.status == PollStatus.OPEN and poll.units.count() == 3

    # The owners of two of the three households handed in paper ballots.
    enter_paper_ballot(page, str(n.h1), 1)
    enter_paper_ballot(page, str(n.h2), 2)
    assert Ballot.objects.filter(poll=poll, source="paper", entered_by=n.staff_a).count() == 2
    page.get_by_role("button", name="截止并计票").click()
    page.get_by_role("link", name="拟定决议").click()
    page.get_by_label("决议名称").fill("关于更换单元门禁的决议")
    page.get_by_label("决议内容").fill("经业主表决通过，由物业公司于一个月内更换。")
    page.get_by_role("button", name="保存决议").click()
    page.get_by_role("button", name="报上级（街道）审批").click()
    page.locator("#awaiting").wait_for()
    resolution = Resolution.objects.get()
    assert resolution.status == ResolutionStatus.SUBMITTED and resolution.poll == poll

    # The street approves it.
    manage_url = f"/deliberation/manage/resolutions/{resolution.pk}/"
    log_in(page, base, n.street_staff.username, manage_url)
    form = page.locator("#form-decide")
    form.get_by_label("批准", exact=True).check()
    form.get_by_role("button", name="提交审批意见").click()
    page.locator("#form-decide").wait_for(state="detached")
    resolution.refresh_from_db()
    assert resolution.status == ResolutionStatus.APPROVED
    assert resolution.decided_by == n.street_staff

    # The community publishes it for seven days.
    log_in(page, base, n.staff_a.username, manage_url)
    form = page.locator("#form-publish")
    form.get_by_label("公示期（天）").fill("7")
    form.get_by_role("button", name="发布公示").click()
    page.get_by_role("link", name="查看公示").wait_for()
    resolution.refresh_from_db()
    assert resolution.status == ResolutionStatus.NOTICE
    assert resolution.notice.status == NoticeStatus.PUBLISHED

    # A resident of the community finds it among the notices and follows it to the count.
    log_in(page, base, n.resident.username, "/notices/")
    page.get_by_role("link", name="关于更换单元门禁的决议").click()
    page.get_by_role("link", name="查看决议的审批过程和表决结果").click()
    page.wait_for_url(f"{base}/deliberation/resolutions/{resolution.pk}/")
    assert "经业主表决通过" in page.locator("main").inner_text()
