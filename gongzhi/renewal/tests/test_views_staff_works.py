"""Staff console: works on site (start, progress with photos, finish), members, inspections,
acceptance sign-offs, completion and long-term management."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    ItemStatus,
    Management,
    MemberRole,
    Party,
    Photo,
    ProgressLog,
    ProjectMember,
    Signoff,
    Stage,
)
from gongzhi.renewal.tests.conftest import finish_all
from gongzhi.renewal.tests.pages import html, login, row

M = "/renewal/manage"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def png(colour: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return SimpleUploadedFile("site.png", buffer.getvalue(), content_type="image/png")


def in_acceptance(n):
    finish_all(n)
    n.project = ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    return n.project


# --- items on site -----------------------------------------------------------------------------


def test_start_log_progress_with_photos_and_finish_an_item(client, in_works):
    n = in_works
    item = n.items[0]
    c = login(client, n.staff_a)
    response = c.post(f"{M}/items/{item.pk}/start/")
    assert response.status_code == 302
    assert response["Location"] == f"{M}/projects/{n.project.pk}/#item-{item.pk}"
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_WORKS and item.actual_start is not None

    response = c.post(f"{M}/items/{item.pk}/progress/", {
        "progress": "40", "note": "东侧管道已铺设", "photos": [png("red"), png("blue")]})
    assert response.status_code == 302 and response["Location"] == f"{M}/items/{item.pk}/"
    log = ProgressLog.objects.get(item=item)
    assert (log.progress, log.note, log.logged_by) == (40, "东侧管道已铺设", n.staff_a)
    assert Photo.objects.filter(progress=log).count() == 2
    item.refresh_from_db()
    assert item.progress == 40
    page = html(c.get(f"{M}/items/{item.pk}/"))
    assert "东侧管道已铺设" in page and page.count("<img src=") == 2
    photo = Photo.objects.filter(progress=log).first()
    assert f'<img src="/renewal/photos/{photo.pk}/"' in page
    assert c.get(f"/renewal/photos/{photo.pk}/").status_code == 200

    response = c.post(f"{M}/items/{item.pk}/finish/", {"back": "item"})
    assert response.status_code == 302 and response["Location"] == f"{M}/items/{item.pk}/"
    item.refresh_from_db()
    assert (item.status, item.progress) == (ItemStatus.FINISHED, 100)


def test_bad_progress_is_refused_and_nothing_is_logged(client, in_works):
    n = in_works
    item = n.items[0]
    ra.start_item(item=item, acting_user=n.staff_a)
    c = login(client, n.staff_a)
    not_a_photo = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    response = c.post(f"{M}/items/{item.pk}/progress/", {
        "progress": "40", "note": "铺管", "photos": [not_a_photo]})
    assert response.status_code == 400
    assert re.search(r'<label for="progress_photos">.*?不是 JPEG、PNG 或 WebP 图片', html(response),
                     re.S)
    response = c.post(f"{M}/items/{item.pk}/progress/", {"progress": "140", "note": "铺管"})
    assert response.status_code == 400 and "进度须是 0 到 100 之间的整数" in html(response)
    response = c.post(f"{M}/items/{item.pk}/progress/", {"progress": "40", "note": " "})
    assert response.status_code == 400 and "请写明施工进度" in html(response)
    assert not ProgressLog.objects.exists() and not Photo.objects.exists()


def test_a_refused_item_step_shows_next_to_the_item(client, renewal):
    n = renewal  # still in planning: no works yet
    c = login(client, n.staff_a)
    response = c.post(f"{M}/items/{n.items[0].pk}/start/")
    assert response.status_code == 400
    assert "项目开工后才能登记施工" in row(html(response), "item", n.items[0].pk)
    n.items[0].refresh_from_db()
    assert n.items[0].status == ItemStatus.PLANNED


# --- members and inspections -----------------------------------------------------------------


def test_appoint_and_release_a_member(client, renewal):
    n = renewal
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/{n.project.pk}/members/appoint/", {
        "user": n.resident1.pk, "role": MemberRole.REPRESENTATIVE})
    assert response.status_code == 302
    member = ProjectMember.objects.get(user=n.resident1, role=MemberRole.REPRESENTATIVE)
    assert member.left_at is None and member.name == "王秀英"
    response = c.post(f"{M}/projects/{n.project.pk}/members/appoint/", {
        "user": n.resident1.pk, "role": MemberRole.REPRESENTATIVE})
    assert response.status_code == 400 and "该居民已担任此职责" in html(response)
    response = c.post(f"{M}/projects/{n.project.pk}/members/appoint/", {
        "user": n.builder.pk, "role": MemberRole.SUPERVISOR})  # not a resident there
    assert response.status_code == 400 and "选择一个有效的选项" in html(response)
    assert c.post(f"{M}/members/{member.pk}/release/").status_code == 302
    member.refresh_from_db()
    assert member.left_at is not None
    assert f'data-member="{member.pk}"' not in html(c.get(f"{M}/projects/{n.project.pk}/"))


def test_inspections_link_the_case_they_opened(client, in_works):
    n = in_works
    inspection = ra.log_inspection(project=n.project, note="巡查管道", problem="井盖松动",
                                   item=n.items[0], acting_user=n.resident1)
    page = html(login(client, n.staff_a).get(f"{M}/projects/{n.project.pk}/"))
    mine = row(page, "inspection", inspection.pk)
    assert "井盖松动" in mine and "雨污分流" in mine
    assert f'href="/cases/{inspection.case_id}/"' in mine
    assert f'href="/cases/{inspection.case_id}/"' in row(page, "case", inspection.case_id)


# --- acceptance -------------------------------------------------------------------------------


def test_start_acceptance_is_refused_while_items_are_open(client, in_works):
    n = in_works
    c = login(client, n.staff_a)
    page = html(c.get(f"{M}/projects/{n.project.pk}/"))
    assert "尚未完工：雨污分流、增设停车位、适老化扶手" in page
    response = c.post(f"{M}/projects/{n.project.pk}/start-acceptance/")
    assert response.status_code == 400 and "还有改造内容未完工，不能验收" in html(response)
    n.project.refresh_from_db()
    assert n.project.stage == Stage.WORKS
    finish_all(n)
    assert c.post(f"{M}/projects/{n.project.pk}/start-acceptance/").status_code == 302
    n.project.refresh_from_db()
    assert n.project.stage == Stage.ACCEPTANCE


def test_the_community_signs_off_after_the_representative(client, in_works):
    n = in_works
    project = in_acceptance(n)
    item = n.items[0]
    ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
    c = login(client, n.staff_a)
    mine = row(html(c.get(f"{M}/projects/{project.pk}/")), "signoff", item.pk)
    assert '<span class="rn-ok">同意</span>' in mine and "待签署" in mine  # residents yes
    assert f"signoff{item.pk}_decision" in mine
    response = c.post(f"{M}/items/{item.pk}/sign-off/", {"decision": "accept"})
    assert response.status_code == 302
    assert Signoff.objects.get(item=item, party=Party.COMMUNITY).signed_by == n.staff_a
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED
    mine = row(html(c.get(f"{M}/projects/{project.pk}/")), "signoff", item.pk)
    assert "已验收" in mine and mine.count('<span class="rn-ok">同意</span>') == 2
    assert f"signoff{item.pk}_decision" not in mine


def test_a_refusal_needs_a_reason_and_sends_the_item_back(client, in_works):
    n = in_works
    project = in_acceptance(n)
    item = n.items[1]
    c = login(client, n.staff_a)
    response = c.post(f"{M}/items/{item.pk}/sign-off/", {"decision": "refuse", "reason": ""})
    assert response.status_code == 400
    assert re.search(rf'<label for="signoff{item.pk}_reason">.*?不同意验收须写明理由',
                     html(response), re.S)
    assert not Signoff.objects.exists()
    response = c.post(f"{M}/items/{item.pk}/sign-off/", {"decision": "refuse",
                                                         "reason": "车位划线不清"})
    assert response.status_code == 302
    item.refresh_from_db()
    project.refresh_from_db()
    assert item.status == ItemStatus.REWORK and project.stage == Stage.WORKS


def test_complete_acceptance_and_record_management(client, in_works):
    n = in_works
    project = in_acceptance(n)
    c = login(client, n.staff_a)
    response = c.post(f"{M}/projects/{project.pk}/complete-acceptance/")
    assert response.status_code == 400 and "还有改造内容未通过验收" in html(response)
    for item in project.items.all():
        ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
        ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    assert c.post(f"{M}/projects/{project.pk}/complete-acceptance/").status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.MANAGEMENT and project.funding_notice is not None

    url = f"{M}/projects/{project.pk}/management/"
    response = c.post(url, {"management": Management.PROPERTY, "convention": "爱护设施"})
    assert response.status_code == 400 and "物业管理须选择物业服务企业" in html(response)
    project.refresh_from_db()
    assert project.management == ""
    response = c.post(url, {"management": Management.PROPERTY, "manager": n.property_co.pk,
                            "convention": "爱护设施"})
    assert response.status_code == 302
    project.refresh_from_db()
    n.record.refresh_from_db()
    assert (project.management, project.manager, project.convention) == (
        Management.PROPERTY, n.property_co, "爱护设施")
    assert n.record.management == Management.PROPERTY
    page = html(c.get(f"{M}/projects/{project.pk}/"))
    assert "铁路物业" in page and "爱护设施" in page
