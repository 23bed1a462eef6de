"""A real browser through a renovation: community staff ask the residents what they need, a
resident answers on the phone, staff put the plan to the owners' vote, send it up, the
street approves and works start; at the end the residents' representative and the
community accept the works item by item, and a refusal sends the project back to works.
The database is checked after each step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.deliberation import actions as deliberation
from gongzhi.deliberation.models import PollStatus, ResolutionStatus
from gongzhi.deliberation.tests.test_browser_resident import log_in
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    ItemStatus,
    Party,
    PlanStatus,
    Project,
    ResponseSource,
    Signoff,
    Stage,
    Survey,
    SurveyResponse,
    SurveyStatus,
    WorkItem,
)
from gongzhi.renewal.tests.conftest import finish_all

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/renewal_phone.png"


@pytest.fixture
def phone(browser):
    """A second browser, phone-sized, for the resident (the ``page`` stays the staff's)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def cells(row) -> list[str]:
    return [t.strip() for t in row.locator("td").all_inner_texts()]


def test_survey_then_vote_then_approval_then_works(page, phone, live_server, transactional_db,
                                                   renewal):
    n, base = renewal, live_server.url
    now = timezone.now()
    project_url = f"/renewal/manage/projects/{n.project.pk}/"

    # Community staff open the project and write the needs survey.
    log_in(page, base, "staff_a", "/renewal/manage/")
    page.get_by_role("link", name="铁路小区老旧小区改造").click()
    page.wait_for_url(base + project_url)
    page.get_by_role("link", name="需求调查", exact=True).click()
    page.get_by_label("问卷标题").fill("铁路小区改造需求调查")
    page.get_by_label("说明").fill("请每户勾选最需要改造的内容。")
    page.get_by_label("截止时间").fill(local(now + timedelta(days=7)))
    page.get_by_label("基础类需求（每行一项）").fill("雨污分流\n楼道照明")
    page.get_by_label("完善类需求（每行一项）").fill("增设停车位\n加装电梯")
    page.get_by_label("提升类需求（每行一项）").fill("适老化扶手")
    page.get_by_role("button", name="建立问卷").click()
    page.get_by_text("已建立需求调查问卷，核对后即可开始调查").wait_for()
    survey = Survey.objects.get(project=n.project)
    assert survey.status == SurveyStatus.DRAFT and survey.title == "铁路小区改造需求调查"
    assert sorted(survey.options.values_list("category", "label")) == sorted([
        ("basic", "雨污分流"), ("basic", "楼道照明"), ("improvement", "增设停车位"),
        ("improvement", "加装电梯"), ("enhancement", "适老化扶手")])

    page.get_by_role("button", name="开始调查并通知居民").click()
    page.get_by_text("需求调查已开始，已通知改造小区的居民").wait_for()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert "调查中" in page.get_by_role("heading", level=1).inner_text()

    # The resident (household 1栋1单元201) answers on the phone.
    log_in(phone, base, "resident", "/renewal/")
    assert fits_the_screen(phone)
    phone.get_by_role("link", name="填写需求调查").click()
    phone.wait_for_url(f"{base}/renewal/projects/{n.project.pk}/survey/")
    assert fits_the_screen(phone)
    phone.get_by_label("楼道照明").check()
    phone.get_by_label("加装电梯").check()
    phone.get_by_label("其他意见（可不填）").fill("二楼转角太暗，老人上下楼不方便")
    phone.get_by_role("button", name="提交我家的意见").click()
    phone.get_by_text("您家的意见已提交，谢谢！").wait_for()
    response = SurveyResponse.objects.get(survey=survey)
    assert (response.household, response.answered_by, response.source) == (
        n.h2, n.resident, ResponseSource.ONLINE)
    assert sorted(response.choices.values_list("label", flat=True)) == ["加装电梯", "楼道照明"]
    assert response.comment == "二楼转角太暗，老人上下楼不方便"
    answered = phone.locator("#answered").inner_text()
    assert "您已于" in answered and "您家希望改造：楼道照明、加装电梯" in answered
    assert phone.get_by_role("button", name="提交我家的意见").count() == 0

    # Staff read the result by item: one household of the two answered.
    page.reload()
    assert page.locator("#answered").inner_text() == "1（50.0%）"
    def asked(label: str) -> list[str]:
        return cells(page.locator("#by-item tr", has_text=label))

    assert asked("楼道照明") == ["基础类", "楼道照明", "1", "100.0%"]
    assert asked("加装电梯") == ["完善类", "加装电梯", "1", "100.0%"]
    assert asked("雨污分流")[2:] == ["0", "0.0%"]
    assert "1栋1单元201" in page.locator("#recent").inner_text()

    # Staff put the plan (the fixture's three items) to the owners' vote.
    page.get_by_role("link", name="铁路小区老旧小区改造").click()
    page.wait_for_url(base + project_url)
    form = page.locator("#next form")
    form.get_by_label("业主表决").check()
    form.get_by_label("开始时间").fill(local(now - timedelta(minutes=5)))
    form.get_by_label("截止时间").fill(local(now + timedelta(days=7)))
    form.get_by_role("button", name="交居民表决").click()
    page.get_by_text("改造方案已交居民表决（征询），已通知改造小区的居民").wait_for()
    project = Project.objects.get(pk=n.project.pk)
    assert project.plan_status == PlanStatus.VOTING and project.consultation is None
    poll = project.poll
    assert poll.status == PollStatus.OPEN and poll.units.count() == 2
    assert page.locator("#vote-result").inner_text() == "进行中，尚未计票"
    assert page.locator("#plan-status").inner_text() == "征求意见中"

    # Both owners vote yes on paper (ballot entry has its own browser test); staff count.
    for unit in poll.units.all():
        deliberation.enter_ballot(poll=poll, unit=unit, choice="yes", source="paper",
                                  record="纸质表决票", acting_user=n.staff_a)
    deliberation.close_poll(poll=poll, acting_user=n.staff_a)
    page.reload()
    assert page.locator("#vote-result").inner_text() == "居民已通过"

    page.get_by_role("button", name="报街道审批").click()
    page.get_by_text("改造方案已报街道审批").first.wait_for()
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.SUBMITTED
    assert project.resolution.status == ResolutionStatus.SUBMITTED
    assert "等待街道批复" in page.locator("#next").inner_text()

    # The street approves it.
    log_in(page, base, "street", project_url)
    form = page.locator("#next form")
    form.get_by_label("批准", exact=True).check()
    form.get_by_label("说明").fill("同意实施")
    form.get_by_role("button", name="提交审批意见").click()
    page.get_by_text("已批准改造方案，决议已公示").wait_for()
    project.refresh_from_db()
    assert project.plan_status == PlanStatus.APPROVED
    assert project.resolution.status == ResolutionStatus.NOTICE
    assert project.resolution.decided_by == n.street_staff

    # The community starts works.
    log_in(page, base, "staff_a", project_url)
    page.locator("#next").get_by_role("button", name="开工").click()
    page.get_by_text("项目已开工，已通知改造小区的居民").wait_for()
    project.refresh_from_db()
    assert project.stage == Stage.WORKS and project.started_at is not None
    assert "实施" in page.get_by_role("heading", level=1).inner_text()

    # The resident sees it on the phone.
    phone.goto(f"{base}/renewal/projects/{project.pk}/")
    assert phone.locator("[aria-current=step]").inner_text() == "实施"
    assert "居民已通过改造方案。" in phone.locator("main").inner_text()


def sign_on_phone(phone, item_name: str) -> None:
    phone.locator("#acceptance ~ ul li", has_text=item_name).get_by_role(
        "link", name="验收这一项").click()
    phone.get_by_role("heading", name=f"验收：{item_name}").wait_for()


def test_representative_and_community_accept_or_refuse(page, phone, live_server,
                                                       transactional_db, in_works):
    n, base = in_works, live_server.url
    finish_all(n)
    ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    pipes, parking, rails = n.items
    project_url = f"/renewal/projects/{n.project.pk}/"

    # The representative is told three items wait for them and opens the project.
    log_in(phone, base, "resident", "/renewal/")
    phone.get_by_role("link", name="3 项待您验收").click()
    phone.wait_for_url(base + project_url + "#acceptance")
    assert fits_the_screen(phone)
    phone.screenshot(path=SCREENSHOT, full_page=True)

    # Accepts the rainwater separation.
    sign_on_phone(phone, "雨污分流")
    assert fits_the_screen(phone)
    phone.get_by_label("同意验收").check()
    phone.get_by_role("button", name="提交验收意见").click()
    phone.get_by_text("您已同意验收“雨污分流”。").wait_for()
    mine = Signoff.objects.get(item=pipes, party=Party.RESIDENTS)
    assert mine.accepted and mine.signed_by == n.resident and not mine.superseded
    assert WorkItem.objects.get(pk=pipes.pk).status == ItemStatus.FINISHED  # one side only

    # The community signs the same item off from the console: now it is accepted.
    log_in(page, base, "staff_a", f"/renewal/manage/projects/{n.project.pk}/")
    row = page.locator(f'#acceptance tr[data-signoff="{pipes.pk}"]')
    assert cells(row)[2].startswith("同意")  # the representative's
    row.get_by_label("同意验收").check()
    row.get_by_role("button", name="签署").click()
    page.get_by_text("已签署“雨污分流”的验收意见").wait_for()
    assert WorkItem.objects.get(pk=pipes.pk).status == ItemStatus.ACCEPTED
    row = page.locator(f'#acceptance tr[data-signoff="{pipes.pk}"]')
    assert cells(row)[1] == "已验收" and cells(row)[3].startswith("同意")
    assert row.get_by_role("button", name="签署").count() == 0

    # The representative refuses the parking spaces: first without a reason, then with one.
    phone.goto(base + project_url)
    sign_on_phone(phone, "增设停车位")
    phone.get_by_label("不同意，需要整改").check()
    phone.get_by_role("button", name="提交验收意见").click()
    phone.get_by_text("不同意验收须写明理由").wait_for()
    assert not Signoff.objects.filter(item=parking).exists()
    phone.get_by_label("不同意的理由").fill("停车位划线不清，少了 5 个")
    phone.get_by_role("button", name="提交验收意见").click()
    phone.get_by_text("已退回整改：“增设停车位”。").wait_for()
    refused = Signoff.objects.get(item=parking, party=Party.RESIDENTS)
    assert not refused.accepted and refused.reason == "停车位划线不清，少了 5 个"
    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert statuses == {pipes.pk: ItemStatus.ACCEPTED, parking.pk: ItemStatus.REWORK,
                        rails.pk: ItemStatus.FINISHED}
    assert Project.objects.get(pk=n.project.pk).stage == Stage.WORKS

    # The phone shows the project back in works, the parking spaces being reworked.
    assert phone.locator("[aria-current=step]").inner_text() == "实施"
    assert phone.locator(f"#item-{parking.pk} .status").inner_text() == "整改中"
    assert phone.locator(f"#item-{pipes.pk} .status").inner_text() == "已验收"
    assert phone.get_by_role("link", name="验收这一项").count() == 0
    assert fits_the_screen(phone)

    # And so does the console: the parking spaces can be logged and finished again.
    page.reload()
    assert "实施" in page.get_by_role("heading", level=1).inner_text()
    plan_row = page.locator(f'#plan tr[data-item="{parking.pk}"]')
    assert "整改中" in plan_row.inner_text()
    assert plan_row.get_by_role("button", name="完工").count() == 1
