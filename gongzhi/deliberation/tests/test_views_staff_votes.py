"""Staff console pages for polls, consultations and resolutions."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import (
    Ballot,
    Consultation,
    ConsultationAnswer,
    Poll,
    PollStatus,
    PollUnit,
    Resolution,
    ResolutionStatus,
)

M = "/deliberation/manage"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def row(page: str, attr: str, value) -> str:
    """The <tr> of a table whose data attribute is ``value``."""
    match = re.search(rf'<tr data-{attr}="{value}">(.*?)</tr>', page, re.S)
    assert match, f"no row data-{attr}={value}"
    return match.group(1)


def poll_data(n, **extra) -> dict:
    data = {"title": "1栋外墙维修", "area_code": "CA-G1-X1-B1", "electorate": "households",
            "rule": "simple", "opens_at": local(n.now - timedelta(hours=1)),
            "closes_at": local(n.now + timedelta(days=3))}
    return data | extra


def unit_of(poll, household) -> PollUnit:
    return PollUnit.objects.get(poll=poll, household=household)


def ballot_data(**extra) -> dict:
    return {"unit_label": "1栋1单元101", "choice": "yes", "source": "paper",
            "record": "第 12 号纸质表决票"} | extra


# --- polls ---------------------------------------------------------------------------------------


def test_create_poll_from_the_page(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    assert c.get(f"{M}/polls/new/").status_code == 200
    response = c.post(f"{M}/polls/new/", poll_data(n, options="方案一：真石漆\n方案二：涂料\n"))
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{M}/polls/{poll.pk}/"
    assert (poll.title, poll.area, poll.rule, poll.status) == ("1栋外墙维修", n.b1, "simple",
                                                               PollStatus.DRAFT)
    assert [o.label for o in poll.options.all()] == ["方案一：真石漆", "方案二：涂料"]
    assert poll.created_by == n.staff_a
    page = html(c.get(f"{M}/polls/"))
    assert "1栋外墙维修" in page and f"{M}/polls/{poll.pk}/" in page


def test_create_poll_matter_sets_the_rule(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    c.post(f"{M}/polls/new/", poll_data(n, rule="", matter="rebuild"))
    assert Poll.objects.get().rule == "art278_three_quarters"


def test_bad_poll_is_refused_in_chinese_and_nothing_is_made(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}/polls/new/", poll_data(
        n, opens_at=local(n.now + timedelta(days=2)), closes_at=local(n.now)))
    assert response.status_code == 400
    assert "截止时间须晚于开始时间" in html(response)
    response = c.post(f"{M}/polls/new/", poll_data(n, electorate="council", rule="simple"))
    assert response.status_code == 400 and "议事会成员表决须选择议事会" in html(response)
    response = c.post(f"{M}/polls/new/", poll_data(n, area_code="CB-X1-B1"))  # comm B
    assert response.status_code == 400 and "不在您的辖区内" in html(response)
    assert not Poll.objects.exists()


def test_open_enter_paper_ballot_and_count(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    c.post(f"{M}/polls/new/", poll_data(n))
    poll = Poll.objects.get()
    assert c.post(f"{M}/polls/{poll.pk}/open/").status_code == 302
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN and poll.units.count() == 2
    page = html(c.get(f"{M}/polls/{poll.pk}/"))
    assert "已投 0 / 应投 2" in page and "录入纸质票" in page

    response = c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data())
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.unit == unit_of(poll, n.h1)
    assert (ballot.source, ballot.record, ballot.entered_by, ballot.choice) == (
        "paper", "第 12 号纸质表决票", n.staff_a, "yes")
    page = html(c.get(f"{M}/polls/{poll.pk}/"))
    assert "已投 1 / 应投 2" in page and "已投面积 88.50 / 180.50 m²" in page
    listing = c.get(f"{M}/polls/?status=open")
    assert "1 / 2" in row(html(listing), "poll", poll.pk)
    assert f'data-poll="{poll.pk}"' not in html(c.get(f"{M}/polls/?status=closed"))
    h1_row = row(page, "unit", unit_of(poll, n.h1).pk)
    assert "已投" in h1_row and "纸质表决票" in h1_row and "第 12 号纸质表决票" in h1_row
    assert "staff_a" in h1_row

    # The same unit again, from the select this time: a clear refusal, still one ballot.
    response = c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data(
        unit_label="", unit=unit_of(poll, n.h1).pk, choice="no", record="第 13 号"))
    assert response.status_code == 400
    assert "1栋1单元101 已经投过票，每户只能投一票" in html(response)
    assert Ballot.objects.count() == 1 and Ballot.objects.get().choice == "yes"

    # Without a record (依据): refused, nothing entered.
    response = c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data(unit_label="1栋1单元201",
                                                                  record=" "))
    assert response.status_code == 400 and "请写明依据" in html(response)
    assert Ballot.objects.count() == 1

    c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data(unit_label="1栋1单元201", source="hands",
                                                       record="议事会举手表决记录"))
    assert c.post(f"{M}/polls/{poll.pk}/close/").status_code == 302
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED and poll.outcome["passed"] is True
    assert poll.outcome["yes_units"] == 2
    page = html(c.get(f"{M}/polls/{poll.pk}/"))
    assert f'href="/deliberation/polls/{poll.pk}/result/"' in page
    assert f"{M}/resolutions/new/?poll={poll.pk}" in page  # 拟定决议
    # An open (named) vote shows each choice once counted.
    assert "同意" in row(page, "unit", unit_of(poll, n.h1).pk)
    # No more entry once counted.
    response = c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data(unit_label="1栋1单元201"))
    assert response.status_code == 400 and Ballot.objects.count() == 2


def test_secret_poll_never_shows_a_choice(client, delib):
    n = delib
    poll = actions.create_poll(title="选聘物业", area=n.b1, electorate="households",
                               rule="simple", secret=True, acting_user=n.staff_a,
                               options=["甲物业", "乙物业"], **n.window)
    actions.open_poll(poll=poll, acting_user=n.staff_a)
    c = as_user(client, n.staff_a)
    plan = poll.options.get(label="乙物业")
    response = c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data(choice=f"option:{plan.pk}"))
    assert response.status_code == 302
    assert Ballot.objects.get().option == plan
    unit = unit_of(poll, n.h1)
    for stage in ("open", "closed"):
        page = html(c.get(f"{M}/polls/{poll.pk}/"))
        unit_row = row(page, "unit", unit.pk)
        assert "已投" in unit_row and "第 12 号纸质表决票" in unit_row
        for word in ("乙物业", "甲物业", "同意", "反对", "弃权", "option"):
            assert word not in unit_row, (stage, word)
        assert "乙物业" not in row(html(c.get(f"{M}/polls/")), "poll", poll.pk)
        if stage == "open":
            actions.close_poll(poll=poll, acting_user=n.staff_a)
    assert "乙物业：赞成 1" in page  # once counted, only the totals per plan


def test_poll_from_a_topic_and_resolution_from_a_decided_topic(client, delib):
    n = delib
    topic = actions.raise_topic(council=n.council, title="楼道堆物清理", description="清理楼道",
                                area=n.b1, acting_user=n.staff_a)
    c = as_user(client, n.staff_a)
    form = html(c.get(f"{M}/polls/new/?topic={topic.pk}"))
    assert 'value="楼道堆物清理"' in form and 'value="CA-G1-X1-B1"' in form
    response = c.post(f"{M}/polls/new/?topic={topic.pk}",
                      poll_data(n, title="楼道堆物清理", topic=topic.pk))
    assert response.status_code == 302 and Poll.objects.get().topic == topic
    actions.decide_topic(topic=topic, decision="一周内清理完毕", acting_user=n.staff_a)
    form = html(c.get(f"{M}/resolutions/new/?topic={topic.pk}"))
    assert "一周内清理完毕" in form
    c.post(f"{M}/resolutions/new/?topic={topic.pk}", {"title": "清理楼道", "body": "一周内清理"})
    res = Resolution.objects.get()
    assert (res.topic, res.area, res.poll) == (topic, n.b1, None)
    assert as_user(client, n.staff_b).get(f"{M}/polls/new/?topic={topic.pk}").status_code == 404


def test_poll_pages_are_scoped(client, delib):
    n = delib
    poll = actions.create_poll(title="t", area=n.b1, electorate="households", rule="simple",
                               acting_user=n.staff_a, **n.window)
    actions.open_poll(poll=poll, acting_user=n.staff_a)
    c = as_user(client, n.staff_b)
    assert c.get(f"{M}/polls/{poll.pk}/").status_code == 404
    assert c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data()).status_code == 404
    assert c.post(f"{M}/polls/{poll.pk}/close/").status_code == 404
    assert str(poll.pk) not in re.findall(r'data-poll="(\d+)"', html(c.get(f"{M}/polls/")))
    assert not Ballot.objects.exists() and Poll.objects.get().status == PollStatus.OPEN
    assert as_user(client, n.street_staff).get(f"{M}/polls/{poll.pk}/").status_code == 200
    assert as_user(client, n.resident).get(f"{M}/polls/").status_code == 403


# --- consultations -------------------------------------------------------------------------------


def test_consultation_answers_summary_and_consent_record(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}/consultations/new/", {
        "title": "1栋加装电梯意见征询", "area_code": "CA-G1-X1-B1", "matter": "rebuild",
        "opens_at": local(n.now - timedelta(hours=1)),
        "closes_at": local(n.now + timedelta(days=10))})
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert (consultation.area, consultation.matter) == (n.b1, "rebuild")

    url = f"{M}/consultations/{consultation.pk}/"
    r1 = c.post(url + "answer/", {"room": "1栋1单元101", "answer": "agree",
                                  "record": "入户签字意见书（王秀英）"})
    assert r1.status_code == 302
    # Conditional without a condition: refused, nothing saved.
    bad = c.post(url + "answer/", {"household": n.h2.pk, "answer": "conditional",
                                   "record": "入户签字意见书"})
    assert bad.status_code == 400 and "请写明同意的条件" in html(bad)
    assert ConsultationAnswer.objects.count() == 1
    c.post(url + "answer/", {"household": n.h2.pk, "answer": "conditional",
                             "condition": "一楼补偿", "record": "入户签字意见书（李建国）"})
    again = c.post(url + "answer/", {"room": "1栋1单元101", "answer": "disagree",
                                     "record": "x"})
    assert again.status_code == 400 and "已经回复过" in html(again)
    answer = ConsultationAnswer.objects.get(household=n.h1)
    assert (answer.answer, answer.entered_by, answer.record) == (
        "agree", n.staff_a, "入户签字意见书（王秀英）")

    page = html(c.get(url))
    cells = lambda r: re.findall(r'<td class="num">(\d+)</td>', r)  # noqa: E731
    assert cells(row(page, "floor", 1)) == ["1", "1", "0", "0", "0"]
    assert cells(row(page, "floor", 2)) == ["1", "0", "1", "0", "0"]
    assert cells(row(page, "floor", "total")) == ["2", "1", "1", "0", "0"]
    # 双四分之三: agreed area 88.5 / 180.5 falls short; with the condition met both agree.
    answered = page.split('id="outcome-answered"')[1].split('id="outcome-if-met"')[0]
    if_met = page.split('id="outcome-if-met"')[1].split("</table>")[0]
    assert "未达到" in answered and "已达到" in if_met and "未达到" not in if_met

    consent = c.get(url + "consent/")
    text = html(consent)
    assert consent.status_code == 200 and "征询意见汇总表" in text and "@media print" in text
    h1_row, h2_row = row(text, "household", n.h1.pk), row(text, "household", n.h2.pk)
    assert "101" in h1_row and "88.50" in h1_row and "同意" in h1_row and "王秀英" in h1_row
    assert "有条件同意" in h2_row and "一楼补偿" in h2_row and "staff_a" in h2_row
    assert "共 2 户：同意 1 户，有条件同意 1 户，不同意 0 户，未回复 0 户" in text
    assert "议事会（签字）" in text and "社区居民委员会（盖章）" in text

    assert c.post(url + "close/").status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    assert as_user(client, n.staff_b).get(url).status_code == 404
    assert as_user(client, n.staff_b).get(url + "consent/").status_code == 404


def test_bad_consultation_is_refused(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}/consultations/new/", {
        "title": "加装电梯", "area_code": "CA-G1-X1-B1", "unit": "9", "matter": "rebuild",
        "opens_at": local(n.now), "closes_at": local(n.now + timedelta(days=1))})
    assert response.status_code == 400 and "征询范围内没有住户" in html(response)
    assert not Consultation.objects.exists()


# --- resolutions ---------------------------------------------------------------------------------


def passed_poll(n) -> Poll:
    poll = actions.create_poll(title="更换水泵", area=n.b1, electorate="households",
                               rule="simple", acting_user=n.staff_a, **n.window)
    actions.open_poll(poll=poll, acting_user=n.staff_a)
    for household in (n.h1, n.h2):
        actions.enter_ballot(poll=poll, unit=unit_of(poll, household), choice="yes",
                             source="paper", record="纸质票", acting_user=n.staff_a)
    return actions.close_poll(poll=poll, acting_user=n.staff_a)


def test_resolution_from_poll_to_notice(client, delib):
    n = delib
    poll = passed_poll(n)
    c = as_user(client, n.staff_a)
    form = html(c.get(f"{M}/resolutions/new/?poll={poll.pk}"))
    assert "更换水泵" in form
    response = c.post(f"{M}/resolutions/new/?poll={poll.pk}",
                      {"title": "更换1栋水泵", "body": "使用维修资金更换1栋水泵"})
    res = Resolution.objects.get()
    assert response.status_code == 302 and (res.poll, res.area) == (poll, n.b1)
    url = f"{M}/resolutions/{res.pk}/"

    c.post(url + "submit/")
    res.refresh_from_db()
    assert res.status == ResolutionStatus.SUBMITTED
    page = html(c.get(url))
    assert 'id="form-decide"' not in page and "等待上级（街道）审批" in page
    # Community staff may not approve: the action refuses them.
    assert c.post(url + "decide/", {"decide-decision": "approve"}).status_code == 403
    res.refresh_from_db()
    assert res.status == ResolutionStatus.SUBMITTED

    street = as_user(client, n.street_staff)
    assert 'id="form-decide"' in html(street.get(url))
    bad = street.post(url + "decide/", {"decide-decision": "reject", "decide-note": ""})
    assert bad.status_code == 400 and "不予批准须写明理由" in html(bad)
    assert street.post(url + "decide/", {"decide-decision": "approve",
                                         "decide-note": "同意"}).status_code == 302
    res.refresh_from_db()
    assert res.status == ResolutionStatus.APPROVED and res.decided_by == n.street_staff

    c = as_user(client, n.staff_a)
    assert c.post(url + "publish/", {"publish-period_days": "5"}).status_code == 302
    res.refresh_from_db()
    assert res.status == ResolutionStatus.NOTICE and res.notice.period_days == 5
    page = html(c.get(url))
    assert f'href="/notices/{res.notice_id}/"' in page
    assert f'href="/notices/{res.notice_id}/manage/"' in page

    refused = c.post(url + "carry_out/", {"carry_out-note": "已更换"})
    assert refused.status_code == 400 and "公示期未满，暂不能实施" in html(refused)
    res.refresh_from_db()
    assert res.status == ResolutionStatus.NOTICE and not res.carried_out_note

    assert as_user(client, n.staff_b).get(url).status_code == 404
    assert as_user(client, n.staff_b).post(url + "submit/").status_code == 404


def test_resolution_needs_a_passed_poll(client, delib):
    n = delib
    poll = actions.create_poll(title="t", area=n.b1, electorate="households", rule="simple",
                               acting_user=n.staff_a, **n.window)
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}/resolutions/new/?poll={poll.pk}", {"title": "x", "body": "y"})
    assert response.status_code == 400 and "只有已通过的表决可以形成决议" in html(response)
    assert not Resolution.objects.exists()
    other = actions.create_poll(title="b", area=n.b3, electorate="households", rule="simple",
                                acting_user=n.staff_b, **n.window)
    assert c.get(f"{M}/resolutions/new/?poll={other.pk}").status_code == 404


@pytest.mark.parametrize("url", ["polls/", "consultations/", "resolutions/", "polls/new/"])
def test_lists_refuse_non_runners(client, delib, url):
    assert as_user(client, delib.worker_a1).get(f"{M}/{url}").status_code == 403




def test_poll_list_is_paginated(client, delib):
    n = delib
    for i in range(51):
        actions.create_poll(title=f"表决{i}", area=n.b1, electorate="households", rule="simple",
                            acting_user=n.staff_a, **n.window)
    c = as_user(client, n.staff_a)
    first, second = html(c.get(f"{M}/polls/")), html(c.get(f"{M}/polls/?page=2"))
    assert first.count("<tr data-poll=") == 50 and 'href="?page=2"' in first
    assert second.count("<tr data-poll=") == 1


def test_after_the_deadline_paper_ballots_may_still_be_entered_before_the_count(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    c.post(f"{M}/polls/new/", poll_data(n))
    poll = Poll.objects.get()
    c.post(f"{M}/polls/{poll.pk}/open/")
    assert 'id="awaiting-count"' not in html(c.get(f"{M}/polls/{poll.pk}/"))
    Poll.objects.filter(pk=poll.pk).update(closes_at=n.now - timedelta(minutes=1))
    page = html(c.get(f"{M}/polls/{poll.pk}/"))
    assert 'id="awaiting-count"' in page and "已过截止时间，线上投票已停止" in page
    assert c.post(f"{M}/polls/{poll.pk}/ballot/", ballot_data()).status_code == 302
    assert Ballot.objects.filter(poll=poll, source="paper").count() == 1
