"""网格合伙人 clicked through in a real browser: a resident applies on the phone, community
staff accept them, the grid worker gives a patrol (on the phone), the partner reports it with
a problem and a photo, and the case exists. Screenshots: /tmp/partners_*.png."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.campaigns.models import ApplicationStatus, PatrolStatus, PatrolTask
from gongzhi.campaigns.tests.test_browser import DESK, PHONE, arrive, log_in, screen

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def photo(tmp_path) -> str:
    path = tmp_path / "lamp.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "gray").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_apply_accept_assign_and_report(browser, live_server, transactional_db, partners,
                                        tmp_path):
    n, base = partners, live_server.url
    phone_context, phone = screen(browser, PHONE)

    # The resident finds grid A1's post on the phone and applies.
    log_in(phone, base, "resident", "/campaigns/partners/")
    phone.locator(f"#post-{n.post1.pk}").get_by_role("link", name="我要报名").click()
    form = phone.locator("main form")
    form.get_by_label("居民").check()
    form.get_by_label("自我介绍和特长").fill("退休教师，每天在小区散步")
    form.get_by_role("button", name="提交报名").click()
    arrive(phone, base + "/campaigns/partners/mine/")
    assert "社区审核后会通知您" in phone.locator(".messages").inner_text()
    application = n.post1.applications.get()
    assert application.status == ApplicationStatus.PENDING

    # Community staff accept the application (the places left are shown).
    desk_context, desk = screen(browser, DESK)
    log_in(desk, base, "staff_a", "/campaigns/manage/partners/")
    row = desk.locator(f'tr[data-application="{application.pk}"]')
    assert "退休教师" in row.inner_text()
    row.get_by_role("button", name="接纳", exact=True).click()
    arrive(desk, base + "/campaigns/manage/partners/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    desk.screenshot(path="/tmp/partners_staff.png", full_page=True)
    desk_context.close()

    # The grid worker gives the new partner a patrol, on the phone.
    log_in(phone, base, "worker_a1", "/campaigns/manage/partners/")
    row = phone.locator(f"#partner-{application.pk}")
    row.get_by_label("巡查路线和内容").fill("铁路小区东门至菜场")
    row.get_by_label("巡查日期").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    row.get_by_role("button", name="派发").click()
    arrive(phone, base + "/campaigns/manage/partners/")
    task = PatrolTask.objects.get()
    assert task.partner == application and task.assigned_by == n.worker_a1

    # The partner reports it with a problem and a photo: a case of the grid.
    log_in(phone, base, "resident", "/campaigns/partners/mine/")
    phone.locator(f"#patrol-{task.pk}").get_by_role("link", name="报告巡查情况").click()
    form = phone.locator("main form")
    form.get_by_label("巡查情况").fill("东门路灯不亮")
    form.get_by_label("发现的问题（没有可不填）").fill("东门路灯不亮")
    form.get_by_label("问题描述").fill("晚上东门一片漆黑，老人出行不便")
    form.locator("input[type=file]").set_input_files(photo(tmp_path))
    form.get_by_role("button", name="提交").click()
    arrive(phone, base + "/campaigns/partners/mine/")
    task.refresh_from_db()
    assert task.status == PatrolStatus.DONE and task.case is not None
    case = task.case
    assert (case.title, case.reporter, case.area_path) == ("东门路灯不亮", n.resident,
                                                            n.grid_a1.path)
    assert case.photos.count() == 1
    assert case.reference in phone.locator(".messages").inner_text()
    phone.screenshot(path="/tmp/partners_mine_phone.png", full_page=True)
    phone_context.close()
