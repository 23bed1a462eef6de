"""十星级文明户 in a real browser: the building head assesses a household on the phone (seven
stars, each with its evidence), community staff confirm it (35 points to the head of the
household), and the printable door plaque shows the seven stars. Screenshots:
/tmp/campaigns_stars_*.png."""

import pytest

from gongzhi.campaigns.models import AssessmentStatus, StarAssessment
from gongzhi.campaigns.tests.test_browser import DESK, PHONE, log_in, screen
from gongzhi.volunteering.models import PointsEntry

pytestmark = pytest.mark.browser


def test_assess_on_the_phone_confirm_and_print_the_plaque(browser, live_server,
                                                          transactional_db, stars):
    n, base = stars, live_server.url
    phone_context, phone = screen(browser, PHONE)
    log_in(phone, base, "head_b1", "/campaigns/manage/stars/")
    phone.get_by_role("link", name="铁路小区 1栋").click()
    phone.get_by_role("link", name="1栋1单元201").click()
    form = phone.locator("main form")
    for criterion in n.criteria[:7]:
        form.get_by_label(f"★ {criterion.name}", exact=True).check()
        form.get_by_label(f"{criterion.name}的事实依据", exact=True).fill(f"{criterion.name}属实")
    phone.screenshot(path="/tmp/campaigns_stars_assess.png", full_page=True)
    form.get_by_role("button", name="保存评定（待社区确认）").click()
    phone.wait_for_url(f"{base}/campaigns/manage/stars/building/{n.b1.code}/")
    assert "7 星，待社区确认" in phone.locator(".messages").inner_text()
    row = phone.locator(f'[data-household="{n.h2.pk}"]')
    assert "7 星" in row.inner_text() and "待社区确认" in row.inner_text()
    # Nothing spills over the side of the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_context.close()

    desk_context, desk = screen(browser, DESK)
    log_in(desk, base, "staff_a", "/campaigns/manage/stars/drafts/")
    draft = desk.locator("#drafts tbody tr")
    assert draft.count() == 1 and "★ 邻里和睦：邻里和睦属实" in draft.inner_text()
    draft.get_by_role("button", name="确认").click()
    assert "发放积分 35 分" in desk.locator(".messages").inner_text()
    assessment = StarAssessment.objects.get()
    assert assessment.status == AssessmentStatus.CONFIRMED
    assert PointsEntry.objects.get().holder == n.resident

    desk.goto(f"{base}/campaigns/manage/stars/building/{n.b1.code}/table/")
    desk.get_by_role("link", name="7 ★").click()
    desk.wait_for_url(f"{base}/campaigns/manage/stars/{assessment.pk}/plaque/")
    plaque = desk.locator("section.plaque")
    text = plaque.inner_text()
    assert "十星级文明户" in text and "铁路小区1栋1单元201" in text and "活龙社区" in text
    assert plaque.locator(".earned li").count() == 7
    desk.emulate_media(media="print")
    assert not desk.locator("header").first.is_visible()
    assert plaque.is_visible()
    desk.screenshot(path="/tmp/campaigns_stars_plaque.png", full_page=True)
    desk_context.close()
