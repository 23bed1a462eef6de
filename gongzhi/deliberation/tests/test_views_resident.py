"""Resident deliberation pages: 附议, proposals, voting once, secrecy, the result page
against tally, consultations, check-in, resolutions, contests and who may see what."""

import re
from datetime import timedelta
from fractions import Fraction

import pytest
from django.urls import reverse

from gongzhi.areas.actions import add_resident, create_household
from gongzhi.areas.models import Household
from gongzhi.conftest import make_user
from gongzhi.deliberation import actions, tally
from gongzhi.deliberation.models import (
    Attendance,
    Ballot,
    ConsultationAnswer,
    ContestEntry,
    PollUnit,
    Topic,
    TopicSource,
    TopicSupport,
)


def login(client, user):
    client.force_login(user)
    return client


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def proposal(n, user=None):
    return actions.propose_topic(council=n.council, title="小区增设充电桩",
                                 description="电动车乱拉电线，希望在车棚增设充电桩",
                                 acting_user=user or n.owner1)


def open_poll(n, area=None, **kw):
    kw.setdefault("rule", "simple")
    poll = actions.create_poll(title="更换单元门禁", area=area or n.comm_a,
                               electorate="households", acting_user=n.staff_a,
                               **(n.window | kw))
    return actions.open_poll(poll=poll, acting_user=n.staff_a)


def unit(poll, household):
    return PollUnit.objects.get(poll=poll, household=household)


def vote_url(poll):
    return reverse("deliberation:vote", args=[poll.pk])


# --- topics -----------------------------------------------------------------------------------


def test_support_raises_the_count_once(client, delib):
    n = delib
    topic = proposal(n)
    url = reverse("deliberation:topic", args=[topic.pk])
    login(client, n.owner3)
    body = page(client, url)
    assert "0 / 2 人" in body and reverse("deliberation:support", args=[topic.pk]) in body

    response = client.post(reverse("deliberation:support", args=[topic.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "已附议，谢谢您的支持！" in messages_of(response)
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    body = response.content.decode()
    assert "1 / 2 人" in body and "您已附议。" in body

    again = client.post(reverse("deliberation:support", args=[topic.pk]), follow=True)
    assert "您已附议过该议题" in messages_of(again)
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    # The proposer cannot support their own proposal and sees no button.
    login(client, n.owner1)
    assert reverse("deliberation:support", args=[topic.pk]) not in page(client, url)


def test_resident_proposes_a_topic(client, delib):
    n = delib
    login(client, n.owner1)
    body = page(client, reverse("deliberation:propose"))
    assert n.council.name in body
    response = client.post(reverse("deliberation:propose"),
                           {"council": n.council.pk, "title": " ", "description": "x"})
    assert response.status_code == 200 and "请填写议题" in response.content.decode()
    assert not Topic.objects.exists()
    response = client.post(reverse("deliberation:propose"), {
        "council": n.council.pk, "title": "楼道照明", "description": "2楼灯坏了很久"},
        follow=True)
    topic = Topic.objects.get()
    assert (topic.proposer, topic.source, topic.council) == (n.owner1, TopicSource.PROPOSAL,
                                                             n.council)
    assert response.redirect_chain[-1][0] == reverse("deliberation:topic", args=[topic.pk])
    assert any("满 2 位居民附议" in m for m in messages_of(response))
    # Community B's resident is offered no council of community A, and cannot force one.
    login(client, n.outsider)
    assert "还没有议事会" in page(client, reverse("deliberation:propose"))
    client.post(reverse("deliberation:propose"), {"council": n.council.pk, "title": "t",
                                                 "description": "d"})
    assert Topic.objects.count() == 1


# --- polls ------------------------------------------------------------------------------------


def test_owner_votes_once(client, delib):
    n = delib
    poll = open_poll(n)
    u1 = unit(poll, n.h1)
    login(client, n.owner1)
    body = page(client, reverse("deliberation:poll", args=[poll.pk]))
    assert 'name="choice"' in body and "简单多数" in body
    response = client.post(vote_url(poll), {"unit": u1.pk, "choice": "yes"}, follow=True)
    assert any("表决票已提交" in m for m in messages_of(response))
    assert Ballot.objects.get(poll=poll).choice == "yes"
    body = response.content.decode()
    assert "已投票</strong>：同意" in body and 'name="choice"' not in body  # open ballot

    again = client.post(vote_url(poll), {"unit": u1.pk, "choice": "no"}, follow=True)
    assert any("已经投过票，每户只能投一票" in m for m in messages_of(again))
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.get(poll=poll).choice == "yes"
    # Another household's unit is refused, nothing recorded.
    other = client.post(vote_url(poll), {"unit": unit(poll, n.h3).pk, "choice": "no"},
                        follow=True)
    assert any("不能代为投票" in m for m in messages_of(other))
    assert Ballot.objects.filter(poll=poll).count() == 1
    # No choice at all: a Chinese message, no ballot.
    login(client, n.owner2)
    empty = client.post(vote_url(poll), {"unit": unit(poll, n.h2).pk}, follow=True)
    assert "请选择您的意见" in messages_of(empty)
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_tenant_and_non_head_get_no_vote_form(client, delib):
    n = delib
    Household.objects.filter(pk=n.h2.pk).update(tenure="tenant")
    member = add_resident(household=n.h1, name="王小明", is_head=False, acting_user=None)
    son = make_user("son", resident=member)
    poll = open_poll(n)
    url = reverse("deliberation:poll", args=[poll.pk])
    for user in (n.owner2, son):
        login(client, user)
        body = page(client, url)
        assert 'name="choice"' not in body and "自有住房的户主" in body
    response = client.post(vote_url(poll), {"unit": unit(poll, n.h1).pk, "choice": "yes"},
                           follow=True)
    assert any("不能代为投票" in m for m in messages_of(response))
    assert not Ballot.objects.exists()


def test_secret_poll_never_shows_choices(client, delib):
    n = delib
    poll = open_poll(n, secret=True)
    login(client, n.owner1)
    client.post(vote_url(poll), {"unit": unit(poll, n.h1).pk, "choice": "no"})
    assert Ballot.objects.get(poll=poll).choice == "no"
    body = page(client, reverse("deliberation:poll", args=[poll.pk]))
    done = re.search(r'<p class="done">(.*?)</p>', body, re.S).group(1)
    assert "已投票" in done and "反对" not in done and "：" not in done
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h2), choice="yes", acting_user=n.owner2)
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="abstain", source="paper",
                         record="第 3 号", acting_user=n.staff_a)
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    login(client, n.staff_a)
    body = page(client, reverse("deliberation:result", args=[poll.pk]))
    for hidden in ("王秀英", "李建国", "张伟", "owner1", "owner2", "owner3", "1栋1单元101",
                   "1栋1单元201", "1栋301", "110105194901011235", "第 3 号"):
        assert hidden not in body, hidden


def test_result_matches_tally_and_waits_for_the_count(client, delib):
    n = delib
    poll = open_poll(n, matter="use_fund")  # 双过半
    login(client, n.owner2)
    result_url = reverse("deliberation:result", args=[poll.pk])
    page(client, result_url, status=404)  # not counted yet
    ballots = {unit(poll, n.h1).pk: "yes", unit(poll, n.h2).pk: "no",
               unit(poll, n.h3).pk: "yes"}
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes", acting_user=n.owner1)
    client.post(vote_url(poll), {"unit": unit(poll, n.h2).pk, "choice": "no"})
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="yes", source="paper",
                         record="第 1 号", acting_user=n.staff_a)
    assert Ballot.objects.filter(poll=poll).count() == 3
    actions.close_poll(poll=poll, acting_user=n.staff_a)

    units = [(u.pk, u.owner_key, u.area) for u in poll.units.all()]
    expected = tally.decide("art278_half", units, ballots)
    body = page(client, result_url)

    def shown(value: Fraction) -> str:
        return f"{float(value) * 100:.2f}%（{value.numerator}/{value.denominator}）"

    for value in (expected.turnout_area, expected.turnout_owners, expected.approval_area,
                  expected.approval_owners, expected.quorum, expected.threshold):
        assert shown(value) in body, shown(value)
    assert str(expected.area) in body and str(expected.yes_area) in body
    steps = expected.steps()
    assert len(steps) == 4
    printed = body.split("计票步骤")[1]
    assert printed.count('<span class="met">达到</span>') == sum(s.met for s in steps)
    assert printed.count('<span class="unmet">未达到</span>') == sum(not s.met for s in steps)
    verdict = re.search(r'id="verdict"[^>]*>(.*?)</p>', body).group(1)
    assert verdict == ("通过" if expected.passed else "未通过")
    assert "@media print" in body



def test_result_counts_an_owner_whose_homes_split_without_naming_them(client, delib):
    n = delib
    second = create_household(building=n.b1, unit="1", room="102", floor=1,
                              floor_area=n.h1.floor_area, acting_user=n.staff_a)
    add_resident(household=second, name="王秀英", is_head=True, id_number=n.r1.id_number,
                 acting_user=n.staff_a)
    poll = open_poll(n)
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes", acting_user=n.owner1)
    actions.cast_ballot(poll=poll, unit=unit(poll, second), choice="no", acting_user=n.owner1)
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    body = page(login(client, n.owner2), reverse("deliberation:result", args=[poll.pk]))
    assert "1 位业主名下各户意见不一" in body
    assert n.r1.id_number not in body and "王秀英" not in body

def test_plan_poll_shows_each_plan_and_the_adopted_one(client, delib):
    n = delib
    poll = open_poll(n, options=["方案一：原址改造", "方案二：异地新建"])
    plan1, plan2 = poll.options.order_by("order")
    login(client, n.owner1)
    body = page(client, reverse("deliberation:poll", args=[poll.pk]))
    assert f'value="option-{plan2.pk}"' in body and 'value="abstain"' in body
    client.post(vote_url(poll), {"unit": unit(poll, n.h1).pk, "choice": f"option-{plan2.pk}"})
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h2), choice="option", option_id=plan2.pk,
                        acting_user=n.owner2)
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    body = page(client, reverse("deliberation:result", args=[poll.pk]))
    assert "采纳的方案：方案二：异地新建" in body and "方案一：原址改造" in body


def test_draft_poll_is_not_found(client, delib):
    n = delib
    poll = actions.create_poll(title="草稿", area=n.comm_a, electorate="households",
                               rule="simple", acting_user=n.staff_a, **n.window)
    login(client, n.owner1)
    page(client, reverse("deliberation:poll", args=[poll.pk]), status=404)
    page(client, reverse("deliberation:result", args=[poll.pk]), status=404)


# --- consultations ------------------------------------------------------------------------


def test_consultation_answer_saved_once(client, delib):
    n = delib
    c = actions.create_consultation(title="1栋加装电梯", area=n.b1, acting_user=n.staff_a,
                                    **n.window)
    url = reverse("deliberation:consultation", args=[c.pk])
    answer_url = reverse("deliberation:answer", args=[c.pk])
    login(client, n.owner1)
    assert 'name="answer"' in page(client, url)
    response = client.post(answer_url, {"answer": "conditional", "condition": ""})
    assert response.status_code == 200 and "请写明同意的条件" in response.content.decode()
    assert not ConsultationAnswer.objects.exists()
    response = client.post(answer_url, {"answer": "conditional", "condition": "一楼补偿"},
                           follow=True)
    row = ConsultationAnswer.objects.get()
    assert (row.household, row.answer, row.condition, row.answered_by) == (
        n.h1, "conditional", "一楼补偿", n.owner1)
    assert "有条件同意</strong>：一楼补偿" in response.content.decode()
    again = client.post(answer_url, {"answer": "disagree"}, follow=True)
    assert any("已经回复过" in m for m in messages_of(again))
    assert ConsultationAnswer.objects.get().answer == "conditional"
    # After closing, everyone in the area reads the summary by floor.
    actions.close_consultation(consultation=c, acting_user=n.staff_a)
    login(client, n.owner2)
    body = page(client, url)
    assert "征询结果（按楼层）" in body and "1 层" in body and "2 层" in body
    assert 'name="answer"' not in body


# --- who may see --------------------------------------------------------------------------


def test_other_community_and_anonymous_are_kept_out(client, delib):
    n = delib
    poll = open_poll(n)
    topic = proposal(n)
    c = actions.create_consultation(title="1栋加装电梯", area=n.b1, acting_user=n.staff_a,
                                    **n.window)
    contest = actions.create_contest(council=n.council, title="金点子", rounds=[("初评", 2)],
                                     judges=[n.staff_a], acting_user=n.staff_a)
    urls = [reverse("deliberation:poll", args=[poll.pk]),
            reverse("deliberation:topic", args=[topic.pk]),
            reverse("deliberation:consultation", args=[c.pk]),
            reverse("deliberation:council", args=[n.council.pk]),
            reverse("deliberation:contest", args=[contest.pk])]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (n.outsider, n.staff_b):
        login(client, user)
        for url in urls:
            page(client, url, status=404)
    response = client.post(reverse("deliberation:support", args=[topic.pk]))
    assert response.status_code == 404 and not TopicSupport.objects.exists()
    login(client, n.street_staff)  # oversees the street: may read
    for url in urls:
        page(client, url)
    login(client, n.staff_a)
    assert client.get(urls[0]).context["is_runner"] is True
    login(client, n.owner1)
    assert client.get(urls[0]).context["is_runner"] is False


# --- meetings -------------------------------------------------------------------------------


def test_meeting_check_in_by_token(client, delib):
    n = delib
    meeting = actions.schedule_meeting(council=n.council, title="十二月联席会议",
                                       starts_at=n.now + timedelta(hours=1), place="社区活动室",
                                       acting_user=n.staff_a)
    url = reverse("deliberation:checkin", args=[meeting.checkin_token])
    login(client, n.owner1)
    body = page(client, url)
    assert "十二月联席会议" in body and "<button" in body
    response = client.post(url, follow=True)
    assert "签到成功！" in messages_of(response)
    assert Attendance.objects.filter(meeting=meeting, member=n.m1, method="qr").exists()
    assert 'id="signed"' in response.content.decode()
    again = client.post(url, follow=True)
    assert any("已签到" in m for m in messages_of(again))
    assert Attendance.objects.count() == 1
    assert "1 / 2 人" in page(client, reverse("deliberation:meeting", args=[meeting.pk]))

    login(client, n.owner3)  # lives in the area, not a member
    body = page(client, url, status=403)
    assert "无需签到" in body and "<button" not in body.split("<main")[1].split("</main>")[0]
    client.post(url)
    assert Attendance.objects.count() == 1
    assert "签到码无效" in page(client, reverse("deliberation:checkin", args=["nope"]),
                                status=404)


# --- resolutions and contests ---------------------------------------------------------------


def _passed_poll(n):
    poll = open_poll(n, area=n.b1)
    for household in (n.h1, n.h2):
        actions.enter_ballot(poll=poll, unit=unit(poll, household), choice="yes",
                             source="paper", record="纸质票", acting_user=n.staff_a)
    return actions.close_poll(poll=poll, acting_user=n.staff_a)


def test_resolution_steps_and_notice_link(client, delib):
    n = delib
    poll = _passed_poll(n)
    res = actions.draft_resolution(title="更换门禁", body="更换1栋单元门禁", poll=poll,
                                   acting_user=n.staff_a)
    url = reverse("deliberation:resolution", args=[res.pk])
    login(client, n.owner1)
    page(client, url, status=404)  # a draft is the staff's
    login(client, n.staff_a)
    assert "更换1栋单元门禁" in page(client, url)

    actions.submit_resolution(resolution=res, acting_user=n.staff_a)
    actions.decide_resolution(resolution=res, approve=True, note="同意实施",
                              acting_user=n.street_staff)
    res = actions.publish_resolution(resolution=res, acting_user=n.staff_a)
    login(client, n.owner1)
    body = page(client, url)
    assert re.search(r'id="status">公示中<', body)
    assert f'href="/notices/{res.notice_id}/"' in body
    assert reverse("deliberation:result", args=[poll.pk]) in body
    assert "同意实施" in body
    reached = re.findall(r'<li class="reached[^"]*">\s*<strong>(.*?)</strong>', body)
    assert reached == ["拟定", "报批", "批准", "公示"]
    login(client, n.outsider)
    page(client, url, status=404)


def test_resident_enters_a_contest(client, delib):
    n = delib
    contest = actions.create_contest(council=n.council, title="金点子提案大赛",
                                     rounds=[("初评", 2), ("决赛", 1)], judges=[n.staff_a],
                                     acting_user=n.staff_a)
    url = reverse("deliberation:contest", args=[contest.pk])
    login(client, n.owner3)
    assert 'name="title"' in page(client, url)
    bad = client.post(reverse("deliberation:enter_contest", args=[contest.pk]),
                      {"title": "", "description": "x"})
    assert bad.status_code == 200 and "请填写提案名称" in bad.content.decode()
    response = client.post(reverse("deliberation:enter_contest", args=[contest.pk]),
                           {"title": "楼顶菜园", "description": "利用闲置楼顶种菜"},
                           follow=True)
    entry = ContestEntry.objects.get()
    assert entry.topic.proposer == n.owner3
    assert "楼顶菜园" in response.content.decode()
    actions.start_judging(contest=contest, acting_user=n.staff_a)
    late = client.post(reverse("deliberation:enter_contest", args=[contest.pk]),
                       {"title": "晚到的", "description": "d"}, follow=True)
    assert "提案征集已结束" in messages_of(late)
    assert ContestEntry.objects.count() == 1 and 'name="title"' not in late.content.decode()


# --- home and panel ------------------------------------------------------------------------


def test_home_and_panel_count_what_awaits_me(client, delib):
    n = delib
    poll = open_poll(n)
    topic = proposal(n, user=n.owner3)
    login(client, n.owner1)
    body = page(client, reverse("deliberation:home"))
    assert poll.title in body and "待您投票" in body and topic.title in body
    assert "附议 0/2" in body
    panel = page(client, reverse("core:home"))
    assert reverse("deliberation:home") in panel and "1 项表决待投票" in panel
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes", acting_user=n.owner1)
    assert "已投票" in page(client, reverse("deliberation:home"))
    assert "项表决待投票" not in page(client, reverse("core:home"))
    # Staff without a resident record get no resident panel.
    from gongzhi.deliberation.panels import resident_panel

    class Req:
        user = n.staff_a

    assert resident_panel(Req()) is None


def test_home_lists_finished_consultations_and_recent_decisions(client, delib):
    n = delib
    consultation = actions.create_consultation(title="1栋加装电梯意见征询", area=n.b1,
                                               acting_user=n.staff_a, **n.window)
    decided = actions.raise_topic(council=n.council, title="楼道照明改造", description="灯暗",
                                  acting_user=n.staff_a)
    login(client, n.owner1)
    body = page(client, reverse("deliberation:home"))
    assert "征询结果" not in body and 'id="decided"' not in body
    actions.close_consultation(consultation=consultation, acting_user=n.staff_a)
    actions.decide_topic(topic=decided, decision="更换声控灯", acting_user=n.staff_a)
    body = page(client, reverse("deliberation:home"))
    assert "征询结果" in body and reverse("deliberation:consultation",
                                        args=[consultation.pk]) in body
    assert "楼道照明改造" in body.split('id="decided"')[1]

@pytest.mark.parametrize("name", ["home", "propose"])
def test_pages_need_login(client, name):
    response = client.get(reverse(f"deliberation:{name}"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
