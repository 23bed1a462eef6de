"""Staff console pages for councils, meetings, topics and proposal contests."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.models import CaseEvent
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    Contest,
    ContestStatus,
    Council,
    CouncilMember,
    Meeting,
    MeetingStatus,
    RoundStatus,
    Score,
    Topic,
    TopicSource,
    TopicStatus,
)

M = "/deliberation/manage/"


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def staff_topic(n, title="楼道堆物清理") -> Topic:
    return actions.raise_topic(council=n.council, title=title, description="楼道堆放杂物，影响消防",
                               acting_user=n.staff_a)


def meeting_for(n, topics=()) -> Meeting:
    return actions.schedule_meeting(council=n.council, title="三月议事会",
                                    starts_at=n.now + timedelta(days=2), place="社区会议室",
                                    topics=list(topics), acting_user=n.staff_a)


# --- home and who gets in ---------------------------------------------------------------------


def test_home_lists_councils_meetings_topics_and_proposals(client, delib):
    n = delib
    topic = staff_topic(n)
    meeting_for(n, [topic])
    proposal = actions.propose_topic(council=n.council, title="增设电动车充电桩",
                                     description="小区没有充电桩", acting_user=n.owner1)
    response = as_user(client, n.staff_a).get(M)
    page = html(response)
    assert response.status_code == 200
    for text in ["活龙社区居民议事会", "三月议事会", "楼道堆物清理", "增设电动车充电桩", "0 / 2"]:
        assert text in page
    assert f'href="{M}topics/{proposal.pk}/"' in page
    assert f'href="{M}polls/"' in page  # the polls pages exist: linked from here

    other = html(as_user(client, n.staff_b).get(M))
    assert "活龙社区居民议事会" not in other and "楼道堆物清理" not in other


def test_residents_may_not_open_the_console_pages(client, delib):
    c = as_user(client, delib.resident)
    assert c.get(M).status_code == 403
    assert c.get(M + "councils/new/").status_code == 403


# --- councils -----------------------------------------------------------------------------------


def test_staff_creates_a_council(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    assert "铁路小区" in html(c.get(M + "councils/new/"))
    response = c.post(M + "councils/new/", {
        "kind": "renovation", "name": "铁路小区改造议事会", "area": n.compound.pk,
        "support_threshold": 5, "term_start": "2026-03-01", "term_end": "2029-02-28"})
    council = Council.objects.get(name="铁路小区改造议事会")
    assert response.status_code == 302 and response.url == f"{M}councils/{council.pk}/"
    assert (council.area, council.support_threshold, council.term_end) == (
        n.compound, 5, date(2029, 2, 28))
    # A building council by the building's area code.
    c.post(M + "councils/new/", {"kind": "building", "name": "1栋楼宇理事会",
                                 "area_code": n.b1.code, "support_threshold": 3,
                                 "term_start": "2026-03-01"})
    assert Council.objects.get(name="1栋楼宇理事会").area == n.b1


@pytest.mark.parametrize(("data", "error"), [
    ({"name": "  "}, "请填写名称"),
    ({"term_end": "2025-12-31"}, "任期结束须晚于任期开始"),
    ({"area": None, "area_code": "CB"}, "未找到编码为“CB”的区域"),
    ({"area": None}, "请选择服务区域"),
])
def test_bad_council_input_shows_the_error_and_creates_nothing(client, delib, data, error):
    n = delib
    before = Council.objects.count()
    fields = {"kind": "residents", "name": "新议事会", "area": n.comm_a.pk,
              "support_threshold": 10, "term_start": "2026-01-01"} | data
    response = as_user(client, n.staff_a).post(
        M + "councils/new/", {k: v for k, v in fields.items() if v is not None})
    assert response.status_code == 400
    assert error in html(response)
    assert Council.objects.count() == before


def test_staff_b_cannot_pick_community_a(client, delib):
    n = delib
    response = as_user(client, n.staff_b).post(M + "councils/new/", {
        "kind": "residents", "name": "越权议事会", "area": n.comm_a.pk,
        "support_threshold": 10, "term_start": "2026-01-01"})
    assert response.status_code == 400
    assert not Council.objects.filter(name="越权议事会").exists()


def test_edit_council_and_members(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    url = f"{M}councils/{n.council.pk}/"
    page = html(c.get(url))
    assert n.m1.name in page and "居民代表" in page

    response = c.post(url + "members/", {"capacity": "resident", "username": "owner3"})
    assert response.status_code == 302
    seat = CouncilMember.objects.get(council=n.council, user=n.owner3)
    assert seat.name == n.owner3.display_name
    c.post(url + "members/", {"capacity": "property", "name": "赵经理",
                              "organisation": n.property_co.pk})
    assert CouncilMember.objects.get(council=n.council, name="赵经理").organisation == n.property_co

    response = c.post(url + "members/", {"capacity": "resident", "username": "nobody"})
    assert response.status_code == 400 and "未找到该账号" in html(response)
    response = c.post(url + "members/", {"capacity": "resident", "username": "owner3"})
    assert response.status_code == 400 and "该账号已是本议事会成员" in html(response)
    response = c.post(url + "members/", {"capacity": "resident"})
    assert response.status_code == 400 and "请填写姓名或关联账号" in html(response)
    assert n.council.members.count() == 4

    assert c.post(f"{url}members/{seat.pk}/remove/").status_code == 302
    seat.refresh_from_db()
    assert seat.left_on == timezone.localdate()

    response = c.post(url + "edit/", {"name": "活龙社区居民议事会（第二届）",
                                      "support_threshold": 20, "is_active": "on"})
    n.council.refresh_from_db()
    assert response.status_code == 302
    assert (n.council.name, n.council.support_threshold) == ("活龙社区居民议事会（第二届）", 20)
    response = c.post(url + "edit/", {"name": "", "support_threshold": 20, "is_active": "on"})
    assert response.status_code == 400 and "请填写名称" in html(response)
    n.council.refresh_from_db()
    assert n.council.name == "活龙社区居民议事会（第二届）"


def test_another_community_gets_404_and_nothing_changes(client, delib):
    n = delib
    topic = staff_topic(n)
    meeting = meeting_for(n, [topic])
    c = as_user(client, n.staff_b)
    for url in [f"councils/{n.council.pk}/", f"meetings/{meeting.pk}/",
                f"meetings/{meeting.pk}/qr.svg", f"topics/{topic.pk}/",
                f"meetings/new/?council={n.council.pk}"]:
        assert c.get(M + url).status_code == 404, url
    assert c.post(f"{M}councils/{n.council.pk}/members/",
                  {"capacity": "resident", "name": "某人"}).status_code == 404
    assert c.post(f"{M}councils/{n.council.pk}/members/{n.m1.pk}/remove/").status_code == 404
    assert c.post(f"{M}meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert c.post(f"{M}meetings/{meeting.pk}/minutes/", {
        "minutes": "纪要", f"decision_{topic.pk}": "同意", f"adopted_{topic.pk}": "1"},
    ).status_code == 404
    assert c.post(f"{M}topics/{topic.pk}/decide/", {"decision": "否", "adopted": "0"}
                  ).status_code == 404
    assert n.council.members.count() == 2 and n.m1.left_on is None
    meeting.refresh_from_db()
    topic.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and topic.status == TopicStatus.AGENDA
    assert not CouncilMember.objects.filter(name="某人").exists()


# --- meetings -----------------------------------------------------------------------------------


def test_meeting_from_schedule_to_minutes(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    response = c.post(M + "topics/new/", {"council": n.council.pk, "title": "停车位划线",
                                          "description": "小区停车混乱，需要统一划线"})
    topic = Topic.objects.get(title="停车位划线")
    assert response.url == f"{M}topics/{topic.pk}/"
    assert (topic.source, topic.status) == (TopicSource.STAFF, TopicStatus.AGENDA)
    later = staff_topic(n, "垃圾分类督导")

    form = html(c.get(f"{M}meetings/new/?council={n.council.pk}"))
    assert "停车位划线" in form
    starts = n.now + timedelta(days=3)
    response = c.post(f"{M}meetings/new/?council={n.council.pk}", {
        "council": n.council.pk, "title": "四月议事会", "starts_at": local(starts),
        "place": "社区会议室", "topics": [topic.pk]})
    meeting = Meeting.objects.get(title="四月议事会")
    assert response.url == f"{M}meetings/{meeting.pk}/"
    assert list(meeting.agenda.values_list("topic_id", flat=True)) == [topic.pk]
    assert local(meeting.starts_at) == local(starts)

    c.post(f"{M}meetings/{meeting.pk}/agenda/", {"topic": later.pk})
    assert AgendaItem.objects.filter(meeting=meeting, topic=later).exists()

    assert c.post(f"{M}meetings/{meeting.pk}/attendance/",
                  {"members": [n.m1.pk]}).status_code == 302
    row = Attendance.objects.get(meeting=meeting)
    assert (row.member, row.method, row.recorded_by) == (n.m1, "staff", n.staff_a)
    page = html(c.get(f"{M}meetings/{meeting.pk}/"))
    assert "1 / 2" in page and "工作人员登记" in page

    response = c.post(f"{M}meetings/{meeting.pk}/minutes/", {
        "minutes": "到会 1 人，议定停车位划线方案。",
        f"decision_{topic.pk}": "同意按方案划线，物业一周内完成", f"adopted_{topic.pk}": "1",
        f"decision_{later.pk}": "", f"adopted_{later.pk}": "1"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    topic.refresh_from_db()
    later.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and "停车位划线方案" in meeting.minutes
    assert topic.status == TopicStatus.DECIDED
    assert topic.decision == "同意按方案划线，物业一周内完成"
    assert later.status == TopicStatus.AGENDA  # not discussed: stays for the next meeting
    page = html(c.get(f"{M}topics/{topic.pk}/"))
    assert "同意按方案划线" in page and "四月议事会" in page


def test_meeting_bad_input_changes_nothing(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    before = Meeting.objects.count()
    response = c.post(M + "meetings/new/", {"council": n.council.pk, "title": "",
                                            "starts_at": local(n.now), "place": "会议室"})
    assert response.status_code == 400 and "请填写会议名称" in html(response)
    response = c.post(M + "meetings/new/", {"council": n.council.pk, "title": "会",
                                            "starts_at": "明天", "place": "会议室"})
    assert response.status_code == 400 and "输入一个有效的日期/时间" in html(response)
    assert Meeting.objects.count() == before

    meeting = meeting_for(n)
    response = c.post(f"{M}meetings/{meeting.pk}/minutes/", {"minutes": "  "})
    assert response.status_code == 400 and "请填写会议纪要" in html(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_meeting_page_shows_checkin_url_and_qr_code(client, delib):
    n = delib
    meeting = meeting_for(n, [staff_topic(n)])
    c = as_user(client, n.staff_a)
    page = html(c.get(f"{M}meetings/{meeting.pk}/"))
    assert f"http://testserver/deliberation/checkin/{meeting.checkin_token}/" in page
    assert f'src="{M}meetings/{meeting.pk}/qr.svg"' in page
    response = c.get(f"{M}meetings/{meeting.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert "<svg" in body and "<path" in body and body.rstrip().endswith("</svg>")


def test_cancel_meeting(client, delib):
    n = delib
    meeting = meeting_for(n)
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}meetings/{meeting.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "请说明取消原因" in html(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert c.post(f"{M}meetings/{meeting.pk}/cancel/", {"reason": "台风停课"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    page = html(c.get(f"{M}meetings/{meeting.pk}/"))
    assert "已取消" in page and "form-cancel" not in page and "form-minutes" not in page


def test_late_forms_show_why_nothing_changed(client, delib):
    n = delib
    topic, late = staff_topic(n), staff_topic(n, "垃圾分类督导")
    meeting = meeting_for(n, [topic])
    actions.record_minutes(meeting=meeting, minutes="纪要", acting_user=n.staff_a)
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}meetings/{meeting.pk}/agenda/", {"topic": late.pk})
    assert response.status_code == 400 and "会议已召开或已取消，不能再调整议程" in html(response)
    assert not AgendaItem.objects.filter(topic=late).exists()
    actions.decide_topic(topic=topic, decision="同意", acting_user=n.staff_a)
    response = c.post(f"{M}topics/{topic.pk}/decide/", {"decision": "改为不同意",
                                                        "adopted": "0"})
    assert response.status_code == 400 and "该议题已有决定" in html(response)
    topic.refresh_from_db()
    assert (topic.status, topic.decision) == (TopicStatus.DECIDED, "同意")


# --- topics -------------------------------------------------------------------------------------


def test_decide_topic_on_its_page(client, delib):
    n = delib
    topic = staff_topic(n)
    c = as_user(client, n.staff_a)
    response = c.post(f"{M}topics/{topic.pk}/decide/", {"decision": "", "adopted": "0"})
    assert response.status_code == 400 and "请填写决定内容或不予采纳的理由" in html(response)
    c.post(f"{M}topics/{topic.pk}/decide/", {"decision": "属物业职责，转物业处理", "adopted": "0"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECLINED and topic.decision == "属物业职责，转物业处理"


def test_raise_from_a_case(client, delib, ledger):
    n = delib
    case = ledger.new_case("accepted")
    c = as_user(client, n.staff_a)
    assert f"{M}cases/{case.pk}/raise/" in html(c.get(f"/cases/{case.pk}/"))
    page = html(c.get(f"{M}cases/{case.pk}/raise/"))
    assert case.title in page and "活龙社区居民议事会" in page
    response = c.post(f"{M}cases/{case.pk}/raise/", {
        "council": n.council.pk, "title": "门口道路整修", "description": case.description})
    topic = Topic.objects.get(case=case)
    assert response.url == f"{M}topics/{topic.pk}/"
    assert (topic.council, topic.source, topic.status, topic.title) == (
        n.council, TopicSource.CASE, TopicStatus.AGENDA, "门口道路整修")
    assert CaseEvent.objects.filter(case=case, kind="deliberated").exists()
    assert case.reference in html(c.get(f"{M}topics/{topic.pk}/"))
    assert "该诉求已提交议事协商" in html(c.get(f"{M}cases/{case.pk}/raise/"))
    # Community B's staff do not see the case.
    assert as_user(client, n.staff_b).get(f"{M}cases/{case.pk}/raise/").status_code == 404


def test_raise_from_a_case_needs_the_right_to_run_councils(client, delib, ledger):
    n = delib
    case = ledger.new_case("accepted")
    c = as_user(client, n.worker_a1)  # sees the case, does not run councils
    assert c.get(f"{M}cases/{case.pk}/raise/").status_code == 403
    assert c.post(f"{M}cases/{case.pk}/raise/", {"council": n.council.pk}).status_code == 403
    assert not Topic.objects.filter(case=case).exists()


# --- contests -----------------------------------------------------------------------------------


def test_contest_from_creation_to_winners(client, delib):
    n = delib
    c = as_user(client, n.staff_a)
    response = c.post(M + "contests/new/", {"council": n.council.pk, "title": "金点子大赛",
                                            "rounds": "初评 1", "judges": "staff_a, head_b1"})
    contest = Contest.objects.get(title="金点子大赛")
    assert response.url == f"{M}contests/{contest.pk}/"
    assert set(contest.judges.all()) == {n.staff_a, n.head_b1}
    e1 = actions.enter_contest(contest=contest, title="屋顶花园", description="楼顶种菜",
                               acting_user=n.owner1)
    e2 = actions.enter_contest(contest=contest, title="共享工具箱", description="借工具",
                               acting_user=n.owner3)

    assert c.post(f"{M}contests/{contest.pk}/start/").status_code == 302
    assert contest.rounds.get().status == RoundStatus.JUDGING

    score = f"{M}contests/{contest.pk}/entries/{{}}/score/"
    response = c.post(score.format(e1.pk), {f"e{e1.pk}-points": 150})
    assert response.status_code == 400 and "确保该值小于或等于100" in html(response)
    assert not Score.objects.exists()
    c.post(score.format(e1.pk), {f"e{e1.pk}-points": 70})
    c.post(score.format(e2.pk), {f"e{e2.pk}-points": 90, f"e{e2.pk}-comment": "实用"})
    judge = as_user(client, n.head_b1)  # a judge who does not run councils
    assert "屋顶花园" in html(judge.get(f"{M}contests/{contest.pk}/"))
    judge.post(score.format(e1.pk), {f"e{e1.pk}-points": 81})
    judge.post(score.format(e2.pk), {f"e{e2.pk}-points": 80})
    assert Score.objects.count() == 4
    assert judge.post(f"{M}contests/{contest.pk}/close/").status_code == 403

    page = html(as_user(client, n.staff_a).get(f"{M}contests/{contest.pk}/"))
    assert "75.50" in page and "85.00" in page
    c.post(f"{M}contests/{contest.pk}/close/")
    contest.refresh_from_db()
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert contest.status == ContestStatus.FINISHED
    assert (e2.won, e2.rank, e1.won, e1.rank) == (True, 1, False, 2)
    assert Topic.objects.get(pk=e2.topic_id).status == TopicStatus.AGENDA
    page = html(c.get(f"{M}contests/{contest.pk}/"))
    winners = page.split('id="winners"')[1].split("</section>")[0]
    assert "共享工具箱" in winners and "屋顶花园" not in winners


def test_only_judges_score(client, delib):
    n = delib
    contest = actions.create_contest(council=n.council, title="大赛", rounds=[("初评", 1)],
                                     judges=[n.head_b1], acting_user=n.staff_a)
    entry = actions.enter_contest(contest=contest, title="点子", description="说明",
                                  acting_user=n.owner1)
    actions.start_judging(contest=contest, acting_user=n.staff_a)
    response = as_user(client, n.staff_a).post(
        f"{M}contests/{contest.pk}/entries/{entry.pk}/score/", {f"e{entry.pk}-points": 60})
    assert response.status_code == 403
    assert as_user(client, n.staff_b).get(f"{M}contests/{contest.pk}/").status_code == 404
    assert not Score.objects.exists()


@pytest.mark.parametrize(("data", "error"), [
    ({"rounds": "初评 十"}, "第 1 行应写作"),
    ({"rounds": "初评 1\n决赛 3"}, "逐轮不增加"),
    ({"judges": "staff_a ghost"}, "未找到账号：ghost"),
    ({"title": ""}, "请填写大赛名称"),
])
def test_bad_contest_input(client, delib, data, error):
    n = delib
    fields = {"council": n.council.pk, "title": "大赛", "rounds": "初评 3", "judges": "staff_a"}
    response = as_user(client, n.staff_a).post(M + "contests/new/", fields | data)
    assert response.status_code == 400 and error in html(response)
    assert not Contest.objects.exists()
