"""The case page and its action forms; staff entry of a case."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import actions
from gongzhi.cases.models import Case, CaseEvent, ExtensionStatus, Source, Status


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def post(client, user, case, action, data):
    client.force_login(user)
    fields = {f"{action}-{k}": v for k, v in data.items()}
    fields.setdefault(f"{action}-expected_version", case.version)
    return client.post(f"/cases/{case.pk}/{action}/", fields)


def page(response) -> str:
    return response.content.decode()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


# --- who sees the case page -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "where", "status"), [
    ("staff_a", "b1", 200), ("staff_a", "b3", 404), ("staff_b", "b1", 404),
    ("worker_a1", "b1", 200), ("worker_a1", "b2", 404), ("worker_a2", "b1", 404),
    ("street_staff", "b3", 200), ("head_b1", "b1", 200), ("head_b1", "b2", 404),
    ("property_member", "b1", 404),
])
def test_case_page_scope(client, ledger, who, where, status):
    case = ledger.new_case(area=getattr(ledger, where),
                           reporter=ledger.resident if where != "b3" else None)
    assert get(client, getattr(ledger, who), f"/cases/{case.pk}/").status_code == status


def test_case_page_shows_facts_timeline_and_internal_notes(client, ledger):
    n = ledger
    case = n.new_case("in_progress")
    actions.add_note(case=case, note="内部：与物业沟通中", acting_user=n.dept_member, internal=True,
                     five_questions={"need": "居民希望尽快修好", "cause": "管道老化"})
    response = get(client, n.staff_a, f"/cases/{case.pk}/")
    html = page(response)
    assert response.status_code == 200
    for text in [case.reference, "道路破损", "城管执法中队", "居民希望尽快修好", "管道老化",
                 "受理", "派单", "开始办理"]:
        assert text in html, text
    timeline = html[html.index('class="timeline"'):]
    note = timeline[timeline.index("内部：与物业沟通中") - 600:timeline.index("内部：与物业沟通中")]
    assert 'class="internal"' in note and "internal-mark" in note
    # staff_a holds VIEW_PERSONAL_DATA in community A; street staff do not.
    assert "13900001111" in html
    street = page(get(client, n.street_staff, f"/cases/{case.pk}/"))
    assert "139****1111" in street and "13900001111" not in street


@pytest.mark.parametrize(("name", "shown"), [("吴大爷", "吴大爷"), ("", "—")])
def test_case_page_of_a_call_from_someone_without_an_account(client, ledger, name, shown):
    case = actions.submit_case(title="路灯不亮", description="3栋门口路灯不亮", area=ledger.b1,
                               source="hotline", acting_user=ledger.staff_a,
                               reporter_name=name, reporter_phone="13812345678")
    assert case.reporter is None
    html = page(get(client, ledger.staff_a, f"/cases/{case.pk}/"))
    assert f"<dt>反映人</dt><dd>{shown}</dd>" in html


def test_forms_offered_follow_status_and_role(client, ledger):
    n = ledger
    case = n.new_case("submitted")
    staff = page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    assert 'id="action-accept"' in staff and 'id="action-reject"' in staff
    assert 'id="action-resolve"' not in staff
    worker = page(get(client, n.worker_a1, f"/cases/{case.pk}/"))
    assert 'id="action-accept"' not in worker  # grid workers enter and view, they do not triage
    case = n.advance(case, "dispatched")
    handler = page(get(client, n.dept_member, f"/cases/{case.pk}/"))
    assert 'id="action-start"' in handler and 'id="action-dispatch"' not in handler
    case = n.advance(case, "archived")
    closed = page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    assert 'class="action-forms"' in closed and "<details" not in closed


# --- actions through the page -----------------------------------------------------------------


def test_accept_with_category_then_dispatch_to_the_routed_department(client, ledger):
    n = ledger
    case = n.new_case("submitted")
    response = post(client, n.staff_a, case, "accept", {"category": n.road.pk,
                                                       "priority": "normal", "note": ""})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.category == n.road
    assert case.resolution_due is not None
    # The dispatch form proposes the routing rule's department.
    html = page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    selected = re.search(r'<option value="(\d+)" selected>城管执法中队', html)
    assert selected and int(selected.group(1)) == n.dept.pk
    response = post(client, n.staff_a, case, "dispatch", {"to_org": n.dept.pk, "note": "请处理"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.assignee_org == n.dept


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, ledger):
    n = ledger
    case = n.new_case("accepted")
    seen = case.version
    # Someone else dispatches first.
    actions.dispatch_case(case=Case.objects.get(pk=case.pk), to_org=n.dept,
                          acting_user=n.street_staff)
    before = Case.objects.get(pk=case.pk)
    response = post(client, n.staff_a, case, "dispatch",
                    {"to_org": n.other_dept.pk, "expected_version": seen})
    assert response.status_code == 409
    assert "该诉求件已被他人处理，请刷新后再试" in page(response)
    after = Case.objects.get(pk=case.pk)
    assert (after.assignee_org_id, after.version, after.status) == (
        n.dept.pk, before.version, Status.DISPATCHED)
    assert CaseEvent.objects.filter(case=case, kind="dispatched").count() == 1


def test_a_stale_version_on_an_action_without_its_own_check(client, ledger):
    n = ledger
    case = n.new_case("in_progress")
    stale = case.version
    actions.add_note(case=case, note="进展", acting_user=n.dept_member)
    response = post(client, n.dept_member, case, "request_extension",
                    {"workdays": 3, "reason": "等材料", "expected_version": stale})
    assert response.status_code == 409
    assert not case.extensions.exists()


def test_permission_denied_is_403(client, ledger):
    n = ledger
    case = n.new_case("submitted")
    response = post(client, n.worker_a1, case, "accept", {"category": n.road.pk,
                                                         "priority": "normal"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_validation_errors_show_next_to_the_field(client, ledger):
    n = ledger
    case = n.new_case("submitted")
    response = post(client, n.staff_a, case, "accept", {"category": "", "priority": "normal"})
    assert response.status_code == 400
    assert "受理时必须选择分类" in page(response)
    response = post(client, n.staff_a, case, "reject", {"reason": "   "})
    assert response.status_code == 400
    html = page(response)
    field = html[html.index('id="action-reject"'):]
    assert "请填写理由" in field[:field.index("</form>")]
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.version == 1


def test_an_action_error_from_the_action_lands_on_its_field(client, ledger):
    n = ledger
    case = n.new_case("in_progress")
    response = post(client, n.dept_member, case, "request_extension",
                    {"workdays": 45, "reason": "太久"})  # the form allows 60, the action 30
    assert response.status_code == 400
    assert "延期天数须为 1 至 30 个工作日" in page(response)


def test_unknown_action_is_404(client, ledger):
    case = ledger.new_case()
    assert post(client, ledger.staff_a, case, "delete", {}).status_code == 404


def test_handler_starts_notes_five_questions_and_resolves_with_a_photo(client, ledger):
    n = ledger
    case = n.new_case("dispatched")
    assert post(client, n.dept_member, case, "start", {"note": "已到现场"}).status_code == 302
    case.refresh_from_db()
    response = post(client, n.dept_member, case, "note", {
        "note": "", "internal": "on", "need": case.need, "cause": "雨水冲刷", "plan": "重新铺设",
        "progress": "", "outcome": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.cause, case.plan) == ("雨水冲刷", "重新铺设")
    client.force_login(n.dept_member)
    response = client.post(f"/cases/{case.pk}/resolve/", {
        "resolve-expected_version": case.version, "resolve-result": "已重新铺设路面",
        "resolve-photos": [SimpleUploadedFile("after.png", png(), "image/png")]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.photos.count() == 1
    html = page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    assert "已重新铺设路面" in html and f"/cases/photos/{case.photos.get().pk}/" in html


def test_escalated_case_is_dispatched_by_the_level_above(client, ledger):
    n = ledger
    case = n.new_case("accepted")
    assert post(client, n.staff_a, case, "escalate", {"reason": "需要街道协调"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    assert 'id="action-dispatch"' not in page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    assert 'id="action-dispatch"' in page(get(client, n.street_staff, f"/cases/{case.pk}/"))
    assert post(client, n.street_staff, case, "dispatch",
                {"to_org": n.other_dept.pk}).status_code == 302


def test_extension_requested_then_approved(client, ledger):
    n = ledger
    case = n.new_case("in_progress")
    due = case.resolution_due
    assert post(client, n.dept_member, case, "request_extension",
                {"workdays": 2, "reason": "等待配件"}).status_code == 302
    case.refresh_from_db()
    extension = case.extensions.get()
    html = page(get(client, n.staff_a, f"/cases/{case.pk}/"))
    assert "延期待审批" in html and 'id="action-decide_extension"' in html
    response = post(client, n.staff_a, case, "decide_extension",
                    {"extension": extension.pk, "approve": "yes", "note": "同意"})
    assert response.status_code == 302
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED and case.resolution_due > due


def test_merge_by_reference(client, ledger):
    n = ledger
    survivor = n.new_case("accepted", title="路面塌陷")
    duplicate = n.new_case("submitted", title="路面塌陷了", reporter=None)
    other = actions.submit_case(title="别处", description="德鑫社区的问题", area=n.b3,
                                source=Source.HOTLINE, acting_user=n.staff_b)
    response = post(client, n.staff_a, duplicate, "merge", {"into": other.reference})
    assert response.status_code == 400
    assert "未找到该受理编号的诉求件" in page(response)  # not in staff_a's scope
    response = post(client, n.staff_a, duplicate, "merge", {"into": survivor.reference})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == survivor


# --- staff entry --------------------------------------------------------------------------------


def entry(**extra) -> dict:
    return {"source": Source.HOTLINE, "building": "CA-G1-X1-B1", "title": "楼道灯坏了",
            "description": "三单元楼道路灯不亮，晚上看不见", "priority": "normal",
            "reporter_name": "钱女士", "reporter_phone": "13512345678",
            "idempotency_key": "k-" + extra.pop("key", "1"), **extra}


def test_staff_enter_a_hotline_call_by_building_code(client, ledger):
    client.force_login(ledger.staff_a)
    response = client.post("/cases/new/", entry())
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.area, case.source, case.reporter_phone, case.entered_by) == (
        ledger.b1, Source.HOTLINE, "13512345678", ledger.staff_a)
    # The same form posted twice (double click, retry) makes one case.
    again = client.post("/cases/new/", entry())
    assert again["Location"] == f"/cases/{case.pk}/" and Case.objects.count() == 1


def test_staff_entry_by_area_select_with_photos(client, ledger):
    client.force_login(ledger.worker_a1)
    form = page(client.get("/cases/new/"))
    assert f'value="{ledger.grid_a1.pk}"' in form and f'value="{ledger.grid_a2.pk}"' not in form
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', form)
    data = entry(building="", area=ledger.compound.pk, source=Source.PATROL, key="2",
                 photos=[SimpleUploadedFile("a.png", png(), "image/png")])
    response = client.post("/cases/new/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.area == ledger.compound and case.photos.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"building": "CB-X1-B1"}, "未找到该编码，或不在您的辖区内"),
    ({"building": "", "area": ""}, "请填写楼栋编码或选择区域"),
    ({"reporter_phone": "abc"}, "电话号码只能包含数字"),
    ({"title": ""}, "这个字段是必填项"),
    ({"photos": [SimpleUploadedFile("x.png", b"not an image", "image/png")]}, "不是 JPEG"),
])
def test_staff_entry_errors(client, ledger, change, message):
    client.force_login(ledger.staff_a)
    response = client.post("/cases/new/", entry(**change))
    assert response.status_code == 200
    assert message in page(response)
    assert not Case.objects.exists()


def test_staff_entry_suggests_a_category(client, ledger):
    client.force_login(ledger.staff_a)
    response = client.post("/cases/new/", entry(title="路灯不亮", description="路灯不亮，照明没有",
                                                suggest="1"))
    html = page(response)
    assert not Case.objects.exists()
    assert "推荐分类" in html and "路灯不亮</span>" in html
    assert re.search(rf'<option value="{ledger.light.pk}" selected>', html)
    assert "errorlist" not in html


def test_residents_cannot_enter_staff_cases(client, ledger):
    assert get(client, ledger.resident, "/cases/new/").status_code == 403


def test_the_reporter_is_sent_to_their_own_page(client, ledger):
    case = ledger.new_case()
    response = get(client, ledger.resident, f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/mine/{case.pk}/"
