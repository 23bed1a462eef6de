"""A real browser: a resident supports a neighbour's proposal, votes in an owners' poll under
art. 278 and, once it is counted, reads the published result with its computation."""

import pytest

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Ballot, PollUnit, TopicSupport

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    form = page.locator("main form")
    form.get_by_label("手机号或用户名").fill(username)
    form.get_by_label("密码").fill("pass-1234-word")
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_url)


def test_support_vote_and_read_the_result(page, live_server, transactional_db, delib):
    n, base = delib, live_server.url
    topic = actions.propose_topic(council=n.council, title="小区增设充电桩",
                                  description="电动车乱拉电线，希望在车棚增设充电桩",
                                  acting_user=n.owner1)
    poll = actions.create_poll(title="更换单元门禁", area=n.comm_a, electorate="households",
                               matter="other", acting_user=n.staff_a, **n.window)
    actions.open_poll(poll=poll, acting_user=n.staff_a)
    actions.cast_ballot(poll=poll, unit=PollUnit.objects.get(poll=poll, household=n.h1),
                        choice="yes", acting_user=n.owner1)

    # The resident finds the proposal on their neighbourhood's page and supports it.
    log_in(page, base, "resident", "/deliberation/")
    page.get_by_role("link", name="小区增设充电桩").click()
    assert page.locator("#supports").inner_text().startswith("0 / 2")
    page.get_by_role("button", name="附议", exact=True).click()
    page.get_by_text("您已附议").wait_for()
    assert page.locator("#supports").inner_text().startswith("1 / 2")
    assert TopicSupport.objects.filter(topic=topic, user=n.resident).count() == 1

    # Then votes in the open poll: one ballot for their household, no second chance.
    page.goto(base + "/deliberation/")
    page.get_by_role("link", name="更换单元门禁").click()
    page.get_by_label("同意").check()
    page.get_by_role("button", name="提交表决票").click()
    page.get_by_text("已投票").first.wait_for()
    assert page.get_by_role("button", name="提交表决票").count() == 0
    ballot = Ballot.objects.get(poll=poll, unit__household=n.h2)
    assert ballot.choice == "yes" and ballot.cast_by == n.resident

    # Staff count it; the resident reads the result and how it was reached.
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    page.goto(base + "/deliberation/")
    assert page.get_by_text("目前没有进行中的表决").is_visible()
    page.get_by_role("link", name="更换单元门禁").click()  # now under 表决结果
    page.wait_for_url(f"{base}/deliberation/polls/{poll.pk}/result/")
    text = page.locator("main").inner_text()
    assert "通过" in text and "未通过" not in text
    # Two of the three owners took part: 2/3 by headcount, exactly at the quorum.
    assert "2/3" in text and "66.67%" in text
    assert "参与表决的专有部分面积占比" in text and "同意的人数占参与表决人数的比例" in text
    assert "李建国" not in text and "王秀英" not in text  # who voted is never listed
