"""A real browser at a council meeting: staff schedule it with a topic on the agenda, a
member scans the QR code and signs in, staff tick a latecomer and record the minutes with
the decision, which the residents then read on the topic's page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Attendance, Meeting, MeetingStatus, TopicStatus
from gongzhi.deliberation.tests.test_browser_resident import log_in

pytestmark = pytest.mark.browser


def test_schedule_check_in_and_minutes(page, live_server, transactional_db, delib):
    n, base = delib, live_server.url
    topic = actions.raise_topic(council=n.council, title="楼道照明改造", acting_user=n.staff_a,
                                description="2单元楼道灯坏了半年")
    when = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT19:30")

    log_in(page, base, n.staff_a.username, f"/deliberation/manage/councils/{n.council.pk}/")
    form = page.locator("#form-meeting")
    form.get_by_label("会议名称").fill("十二月议事会")
    form.get_by_label("时间").fill(when)
    form.get_by_label("地点").fill("社区会议室")
    form.get_by_label("楼道照明改造").check()
    form.get_by_role("button", name="安排会议").click()
    page.get_by_role("heading", name=re.compile("十二月议事会")).wait_for()
    meeting = Meeting.objects.get(title="十二月议事会")
    assert list(meeting.agenda.values_list("topic", flat=True)) == [topic.pk]
    qr = page.locator("img[src$='qr.svg']")
    assert qr.is_visible()
    image = page.request.get(base + qr.get_attribute("src"))
    assert image.ok and image.headers["content-type"].startswith("image/svg+xml")
    checkin_path = f"/deliberation/checkin/{meeting.checkin_token}/"
    assert checkin_path in page.locator("main").inner_text()

    # A member scans the code with their phone and signs in.
    log_in(page, base, n.owner1.username, checkin_path)
    page.get_by_role("button", name="签到").click()
    page.get_by_text("签到成功", exact=True).wait_for()

    # Staff tick the other member, who came without a phone, and write the minutes.
    log_in(page, base, n.staff_a.username, f"/deliberation/manage/meetings/{meeting.pk}/")
    attendance = page.locator("#form-attendance")
    attendance.get_by_label(re.compile(n.owner2.display_name)).check()
    attendance.get_by_role("button", name="登记签到").click()
    page.wait_for_load_state()
    assert {a.method for a in Attendance.objects.filter(meeting=meeting)} == {"qr", "staff"}
    minutes = page.locator("#form-minutes")
    if minutes.get_attribute("open") is None:
        minutes.locator("summary").click()
    minutes.get_by_label("会议纪要").fill("应到 2 人，实到 2 人。")
    minutes.get_by_label("“楼道照明改造”的决定").fill("物业公司一周内更换声控灯")
    minutes.get_by_role("button", name="保存纪要").click()
    page.wait_for_load_state()
    meeting.refresh_from_db()
    topic.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and topic.status == TopicStatus.DECIDED

    # Residents read the decision and the minutes.
    log_in(page, base, n.resident.username, f"/deliberation/topics/{topic.pk}/")
    assert "物业公司一周内更换声控灯" in page.locator("main").inner_text()
    page.get_by_role("link", name="十二月议事会").click()
    assert "应到 2 人，实到 2 人。" in page.locator("main").inner_text()
