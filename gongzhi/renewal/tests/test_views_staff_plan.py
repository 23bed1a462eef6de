"""Staff console: items of the plan, the residents' vote, submission, the street's decision
and the start of works."""

import re
from datetime import timedelta

from django.utils import timezone

from gongzhi.deliberation import actions as deliberation
from gongzhi.deliberation.models import Consultation, Poll, PollStatus
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import PlanStatus, Stage, WorkItem
from gongzhi.renewal.tests.conftest import approve_plan, vote_plan_through
from gongzhi.renewal.tests.pages import html, login

M = "/renewal/manage"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def vote_data(**extra) -> dict:
    now = timezone.now()
    return {"via": "poll", "matter": "rebuild", "opens_at": local(now - timedelta(minutes=5)),
            "closes_at": local(now + timedelta(days=7))} | extra


def section(page: str, ident: str) -> str:
    match = re.search(rf'<section[^>]*id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section #{ident}"
    return match.group(1)


# --- items --------------------------------------------------------------------------------------


def test_add_an_item_from_the_project_page(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/{n.project.pk}/items/add/", {
        "category": "improvement", "name": "加装电梯", "quantity": "2", "unit": "台",
        "budget": "1,200,000.00", "contractor": n.contractor.pk, "planned_start": "2026-05-01"})
    assert response.status_code == 302
    assert response["Location"] == f"{M}/projects/{n.project.pk}/#plan"
    item = WorkItem.objects.get(name="加装电梯")
    assert (item.category, str(item.budget), str(item.quantity), item.unit) == (
        "improvement", "1200000.00", "2.00", "台")
    assert item.contractor == n.contractor and str(item.planned_start) == "2026-05-01"
    assert "完善类（2 项）" in html(c.get(f"{M}/projects/{n.project.pk}/"))


def test_a_bad_item_is_refused_next_to_the_field(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    url = f"{M}/projects/{n.project.pk}/items/add/"
    response = c.post(url, {"category": "basic", "name": "外墙", "budget": "很多"})
    assert response.status_code == 400
    assert re.search(r'field-error">\s*<label for="id_budget">.*?请填写金额（元）', html(response),
                     re.S)
    response = c.post(url, {"category": "", "name": "外墙", "budget": "10"})
    assert "请选择类别：基础类、完善类或提升类" in html(response)
    response = c.post(url, {"category": "basic", "name": "外墙", "budget": "10.005"})
    assert "金额最多保留两位小数（到分）" in html(response)
    assert n.project.items.count() == 3


def test_edit_an_item_and_the_plan_is_fixed_once_out_to_vote(client, renewal):
    n = renewal
    item = n.items[2]
    c = login(client, n.staff_a)
    assert 'name="name"' in html(c.get(f"{M}/items/{item.pk}/"))
    response = c.post(f"{M}/items/{item.pk}/edit/", {
        "category": "enhancement", "name": "适老化扶手和坡道", "budget": "45000"})
    assert response.status_code == 302 and response["Location"] == f"{M}/items/{item.pk}/"
    item.refresh_from_db()
    assert (item.name, str(item.budget)) == ("适老化扶手和坡道", "45000.00")

    c.post(f"{M}/projects/{n.project.pk}/vote/", vote_data())
    page = html(c.get(f"{M}/items/{item.pk}/"))
    assert 'name="name"' not in page and 'name="budget"' in page
    assert "改造内容、工程量和类别不能再改" in page
    response = c.post(f"{M}/items/{item.pk}/edit/", {"budget": "50000", "name": "别的"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, str(item.budget)) == ("适老化扶手和坡道", "50000.00")
    response = c.post(f"{M}/projects/{n.project.pk}/items/add/", {
        "category": "basic", "name": "x", "budget": "1"})
    assert response.status_code == 400 and "不能再增加改造内容" in html(response)


# --- the vote --------------------------------------------------------------------------------


def test_put_the_plan_to_an_owners_vote_and_follow_it(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/{n.project.pk}/vote/", vote_data())
    assert response.status_code == 302
    n.project.refresh_from_db()
    poll = Poll.objects.get()
    assert n.project.poll == poll and n.project.plan_status == PlanStatus.VOTING
    assert poll.status == PollStatus.OPEN and "雨污分流" in poll.description
    page = html(c.get(f"{M}/projects/{n.project.pk}/"))
    vote = section(page, "vote")
    assert f'href="/deliberation/manage/polls/{poll.pk}/"' in vote
    assert "进行中，尚未计票" in vote
    assert "居民表决（征询）尚未结束计票" in section(page, "next")

    response = c.post(f"{M}/projects/{n.project.pk}/submit/")  # not counted yet
    assert response.status_code == 400
    assert "居民表决（征询）尚未结束计票，不能报批" in section(html(response), "next")
    n.project.refresh_from_db()
    assert n.project.plan_status == PlanStatus.VOTING

    for unit in poll.units.all():
        deliberation.enter_ballot(poll=poll, unit=unit, choice="yes", source="paper",
                                  record="表决票", acting_user=n.staff_a)
    deliberation.close_poll(poll=poll, acting_user=n.staff_a)
    assert "居民已通过" in section(html(c.get(f"{M}/projects/{n.project.pk}/")), "vote")
    assert c.post(f"{M}/projects/{n.project.pk}/submit/").status_code == 302
    n.project.refresh_from_db()
    assert n.project.plan_status == PlanStatus.SUBMITTED and n.project.resolution is not None
    page = html(c.get(f"{M}/projects/{n.project.pk}/"))
    assert "等待街道批复" in page and 'name="decision"' not in page


def test_a_failed_vote_is_shown_and_cannot_be_submitted(client, renewal):
    n = renewal
    project = vote_plan_through(n.project, n.staff_a, passed=False)
    c = login(client, n.staff_a)
    assert "居民未通过" in section(html(c.get(f"{M}/projects/{project.pk}/")), "vote")
    response = c.post(f"{M}/projects/{project.pk}/submit/")
    assert response.status_code == 400 and "居民未通过改造方案，不能报批" in html(response)
    project.refresh_from_db()
    assert project.plan_status != PlanStatus.SUBMITTED and project.resolution is None


def test_the_plan_may_go_to_a_consultation(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    assert c.post(f"{M}/projects/{n.project.pk}/vote/",
                  vote_data(via="consultation")).status_code == 302
    consultation = Consultation.objects.get()
    n.project.refresh_from_db()
    assert n.project.consultation == consultation and n.project.poll is None
    assert f'href="/deliberation/manage/consultations/{consultation.pk}/"' in html(
        c.get(f"{M}/projects/{n.project.pk}/"))


def test_a_bad_vote_window_is_refused_and_nothing_goes_out(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    now = timezone.now()
    response = c.post(f"{M}/projects/{n.project.pk}/vote/", vote_data(
        opens_at=local(now + timedelta(days=2)), closes_at=local(now)))
    assert response.status_code == 400 and "截止时间须晚于开始时间" in html(response)
    response = c.post(f"{M}/projects/{n.project.pk}/vote/", vote_data(closes_at="明天"))
    assert response.status_code == 400 and "请按“年-月-日 时:分”填写时间" in html(response)
    n.project.refresh_from_db()
    assert n.project.plan_status == PlanStatus.DRAFT and not Poll.objects.exists()


# --- the street's decision and the start of works ---------------------------------------------


def submitted(n):
    n.project = vote_plan_through(n.project, n.staff_a)
    n.project = ra.submit_plan(project=n.project, acting_user=n.staff_a)
    return n.project


def test_the_street_approves_and_community_staff_cannot(client, renewal):
    n = renewal
    project = submitted(n)
    c = login(client, n.staff_a)
    assert c.post(f"{M}/projects/{project.pk}/decide/",
                  {"decision": "approve", "note": "同意"}).status_code == 403
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.SUBMITTED

    c = login(client, n.street_staff)
    page = html(c.get(f"{M}/projects/{project.pk}/"))
    assert "审批改造方案" in page and 'name="decision"' in page
    response = c.post(f"{M}/projects/{project.pk}/decide/", {"decision": "approve",
                                                              "note": "同意实施"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.APPROVED
    assert project.resolution.notice is not None  # published


def test_the_street_refuses_only_with_a_reason(client, renewal):
    n = renewal
    project = submitted(n)
    c = login(client, n.street_staff)
    response = c.post(f"{M}/projects/{project.pk}/decide/", {"decision": "refuse", "note": ""})
    assert response.status_code == 400 and "不予批准须写明理由" in html(response)
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.SUBMITTED
    response = c.post(f"{M}/projects/{project.pk}/decide/", {"decision": "refuse",
                                                              "note": "预算偏高"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.REFUSED


def test_start_works_only_with_an_approved_plan(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/{n.project.pk}/start-works/")
    assert response.status_code == 400
    assert "改造方案经居民表决通过并经街道批准后才能开工" in section(html(response), "next")
    n.project.refresh_from_db()
    assert n.project.stage == Stage.PLANNING
    approve_plan(n)
    assert "开工" in section(html(c.get(f"{M}/projects/{n.project.pk}/")), "next")
    response = c.post(f"{M}/projects/{n.project.pk}/start-works/")
    assert response.status_code == 302
    n.project.refresh_from_db()
    assert n.project.stage == Stage.WORKS and n.project.started_at is not None
