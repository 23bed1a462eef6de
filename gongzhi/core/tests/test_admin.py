"""The Django admin: in Chinese, open to administrators, and every save goes through an action."""

import json
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.actions import create_api_token
from gongzhi.accounts.models import ApiToken, Membership, Organisation, RoleGrant, User
from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification, WorkdayOverride
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Role

OUR_MODELS = [WorkdayOverride, AuditEvent, Notification, AreaNode, Household, Resident, User,
              RoleGrant, Organisation, ApiToken]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


@pytest.fixture
def root(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def as_root(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def token(street):
    token, key = create_api_token(user=street.staff_a, name="报表工具", acting_user=street.staff_a)
    return token, key


# --- pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_index_is_in_chinese(as_root, street):
    page = as_root.get(reverse("admin:index")).content.decode()
    assert "共治 · 管理后台" in page
    for label in ("审计日志", "工作日调整", "区域", "住户", "居民", "角色授权", "组织", "用户",
                  "API 令牌", "通知"):
        assert label in page, label
    assert "组</a>" not in page  # Django's groups are not part of this system


def test_every_model_is_registered():
    assert all(model in admin.site._registry for model in OUR_MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label_lower)
def test_each_changelist_and_change_page_opens_in_chinese(as_root, street, token, model):
    notify([street.staff_a], kind="k", title="一条通知")
    WorkdayOverride.objects.create(day=date(2026, 5, 2), is_workday=True, note="补班")
    response = as_root.get(url(model, "changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert str(model._meta.verbose_name_plural) in page
    assert "选择" in page  # Django's own changelist strings in Chinese ("选择 … 来修改/查看")
    obj = model.objects.order_by("pk").first()
    assert as_root.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.django_db
def test_search_and_filters_work(as_root, street):
    def listed(model, **params) -> set[str]:
        response = as_root.get(url(model, "changelist"), params)
        return {str(obj) for obj in response.context["cl"].result_list}

    assert listed(AreaNode, q="活龙") == {"活龙社区"}
    assert listed(AreaNode, q="CA-G1") >= {"第一网格", "铁路小区"}
    assert listed(AreaNode, kind__exact="community") == {"活龙社区", "德鑫社区"}
    assert listed(Resident, q="王秀英") == {"王秀英"}
    assert listed(Resident, q="13600003333") == {"刘芳"}
    assert listed(Household, tenure__exact="tenant") == set()
    assert len(listed(Household, tenure__exact="owner")) == 4
    assert listed(User, q="staff_a") == {"staff_a"}
    assert listed(RoleGrant, role__exact="grid_worker") == {
        str(g) for g in RoleGrant.objects.filter(role="grid_worker")}


@pytest.mark.django_db
def test_api_token_page_never_shows_the_hash(as_root, token):
    token, key = token
    for page in (as_root.get(url(ApiToken, "changelist")),
                 as_root.get(url(ApiToken, "change", token.pk))):
        text = page.content.decode()
        assert token.prefix in text
        assert token.key_hash not in text and key not in text
    assert as_root.get(url(ApiToken, "add")).status_code == 403


@pytest.mark.django_db
def test_area_node_shows_path_depth_and_bbox_read_only(as_root, street):
    response = as_root.get(url(AreaNode, "change", street.comm_a.pk))
    form = response.context["adminform"].form
    assert set(form.fields) == {"boundary"}  # everything else is shown, not editable
    page = response.content.decode()
    assert street.comm_a.path in page and "111.02" in page


# --- read-only records ----------------------------------------------------------------


@pytest.mark.django_db
def test_audit_events_cannot_be_added_changed_or_deleted(as_root, street):
    event = AuditEvent.objects.order_by("id").first()
    count = AuditEvent.objects.count()
    assert as_root.get(url(AuditEvent, "add")).status_code == 403
    assert as_root.post(url(AuditEvent, "add"), {"action": "x"}).status_code == 403
    response = as_root.get(url(AuditEvent, "change", event.pk))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    as_root.post(url(AuditEvent, "change", event.pk), {"action": "forged", "outcome": "ok"})
    assert as_root.post(url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    as_root.post(url(AuditEvent, "changelist"),
                 {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    model_admin = admin.site._registry[AuditEvent]
    request = response.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


@pytest.mark.django_db
def test_notifications_are_read_only(as_root, street):
    (note,) = notify([street.staff_a], kind="k", title="原标题")
    as_root.post(url(Notification, "change", note.pk), {"title": "改了", "kind": "k"})
    assert as_root.post(url(Notification, "delete", note.pk), {"post": "yes"}).status_code == 403
    assert Notification.objects.get(pk=note.pk).title == "原标题"


# --- saves go through the actions -----------------------------------------------------


@pytest.mark.django_db
def test_adding_changing_and_deleting_a_workday_override_goes_through_the_action(as_root, root):
    response = as_root.post(url(WorkdayOverride, "add"),
                            {"day": "2026-02-16", "is_workday": "on", "note": "值班"})
    assert response.status_code == 302
    override = WorkdayOverride.objects.get(day=date(2026, 2, 16))
    assert override.is_workday and override.note == "值班"
    event = last_event("core.set_workday_override")
    assert event.actor == root and event.before is None and event.object_id == str(override.pk)

    as_root.post(url(WorkdayOverride, "change", override.pk), {"note": "取消值班"})
    override.refresh_from_db()
    assert not override.is_workday and override.note == "取消值班"
    assert last_event("core.set_workday_override").before["is_workday"] is True

    as_root.post(url(WorkdayOverride, "delete", override.pk), {"post": "yes"})
    assert not WorkdayOverride.objects.exists()
    assert last_event("core.remove_workday_override").actor == root


@pytest.mark.django_db
def test_bulk_delete_of_overrides_writes_an_event_each(as_root):
    days = [date(2026, 2, 16), date(2026, 2, 17)]
    for day in days:
        as_root.post(url(WorkdayOverride, "add"), {"day": day.isoformat(), "is_workday": "on"})
    ids = list(WorkdayOverride.objects.values_list("pk", flat=True))
    as_root.post(url(WorkdayOverride, "changelist"),
                 {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not WorkdayOverride.objects.exists()
    assert AuditEvent.objects.filter(action="core.remove_workday_override").count() == 2


@pytest.mark.django_db
def test_role_grant_add_and_delete_go_through_grant_and_revoke(as_root, root, street):
    response = as_root.post(url(RoleGrant, "add"), {
        "user": street.worker_a2.pk, "role": Role.BUILDING_HEAD, "area": street.b2.pk})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=street.worker_a2, role=Role.BUILDING_HEAD)
    event = last_event("accounts.grant_role")
    assert event.actor == root and event.object_id == str(grant.pk)
    as_root.post(url(RoleGrant, "delete", grant.pk), {"post": "yes"})
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert last_event("accounts.revoke_role").object_id == str(grant.pk)


@pytest.mark.django_db
def test_area_added_in_the_admin_gets_a_path_and_an_event(as_root, root, street):
    response = as_root.post(url(AreaNode, "add"), {
        "kind": "compound", "code": "CA-G2-X2", "name": "新村", "parent": street.grid_a2.pk,
        "boundary": "null", "built_year": "1998", "floors": "", "address": "新村路 1 号"})
    assert response.status_code == 302
    node = AreaNode.objects.get(code="CA-G2-X2")
    assert node.path.startswith(street.grid_a2.path) and node.depth == street.grid_a2.depth + 1
    assert node.built_year == 1998 and node.address == "新村路 1 号"
    assert last_event("areas.create_area").actor == root


@pytest.mark.django_db
def test_area_in_the_wrong_place_is_a_form_error_and_nothing_is_written(as_root, street):
    count = AreaNode.objects.count()
    response = as_root.post(url(AreaNode, "add"), {
        "kind": "building", "code": "BAD", "name": "错位楼", "parent": street.street.pk,
        "boundary": "null"})
    assert response.status_code == 200
    assert "下不能直接设立" in response.content.decode()
    assert AreaNode.objects.count() == count


@pytest.mark.django_db
def test_boundary_change_goes_through_set_boundary(as_root, street):
    ring = [[111.0, 26.0], [111.005, 26.0], [111.005, 26.005], [111.0, 26.005], [111.0, 26.0]]
    geojson = json.dumps({"type": "Polygon", "coordinates": [ring]})
    as_root.post(url(AreaNode, "change", street.grid_a1.pk), {"boundary": geojson})
    node = AreaNode.objects.get(pk=street.grid_a1.pk)
    assert node.max_lng == pytest.approx(111.005)
    assert last_event("areas.set_boundary").object_id == str(node.pk)


@pytest.mark.django_db
def test_household_and_resident_added_through_the_actions(as_root, root, street):
    response = as_root.post(url(Household, "add"), {
        "building": street.b3.pk, "unit": "1", "room": "808", "floor": "8",
        "floor_area": "75.5", "tenure": "tenant", "member_count": "2"})
    assert response.status_code == 302
    household = Household.objects.get(room="808")
    assert household.area_path == street.b3.path
    assert last_event("areas.create_household").actor == root
    response = as_root.post(url(Resident, "add"), {
        "household": household.pk, "name": "陈静", "phone": "13512345678", "id_number": "",
        "is_head": "on", "tags": '["volunteer"]'})
    assert response.status_code == 302
    assert Resident.objects.get(name="陈静").tags == ["volunteer"]
    assert last_event("areas.add_resident").actor == root
    # Existing households and residents are view-only: no action edits them yet.
    assert as_root.post(url(Household, "change", household.pk), {"room": "909"}).status_code == 403
    assert Household.objects.get(pk=household.pk).room == "808"


@pytest.mark.django_db
def test_household_on_a_non_building_is_refused(as_root, street):
    response = as_root.post(url(Household, "add"), {
        "building": street.compound.pk, "room": "1", "tenure": "owner", "member_count": "1"})
    assert "住户只能登记在楼栋下" in response.content.decode()
    assert not Household.objects.filter(room="1").exists()


@pytest.mark.django_db
def test_organisation_with_member_inline_goes_through_the_actions(as_root, root, street):
    response = as_root.post(url(Organisation, "add"), {
        "kind": "co_building", "code": "GJ1", "name": "共建单位甲", "phone": "",
        "areas": [street.comm_a.pk],
        "membership_set-TOTAL_FORMS": "1", "membership_set-INITIAL_FORMS": "0",
        "membership_set-MIN_NUM_FORMS": "0", "membership_set-MAX_NUM_FORMS": "1000",
        "membership_set-0-user": street.worker_a2.pk, "membership_set-0-title": "联络员",
    })
    assert response.status_code == 302
    org = Organisation.objects.get(code="GJ1")
    assert list(org.areas.all()) == [street.comm_a]
    assert Membership.objects.get(organisation=org).user == street.worker_a2
    assert last_event("accounts.create_organisation").object_id == str(org.pk)
    member_event = last_event("accounts.add_member")
    assert member_event.actor == root and member_event.after["title"] == "联络员"


@pytest.mark.django_db
def test_unlock_admin_action_goes_through_unlock_user(as_root, root, street):
    User.objects.filter(pk=street.worker_a1.pk).update(
        failed_logins=0, locked_until=timezone.now() + timedelta(minutes=10))
    as_root.post(url(User, "changelist"), {
        "action": "unlock", "_selected_action": [street.worker_a1.pk, street.worker_a2.pk]})
    assert User.objects.get(pk=street.worker_a1.pk).locked_until is None
    events = AuditEvent.objects.filter(action="accounts.unlock")
    assert [(e.actor, e.object_id) for e in events] == [(root, str(street.worker_a1.pk))]


@pytest.mark.django_db
def test_user_form_keeps_lock_counters_read_only(as_root, street):
    User.objects.filter(pk=street.staff_a.pk).update(failed_logins=3)
    response = as_root.get(url(User, "change", street.staff_a.pk))
    fields = response.context["adminform"].form.fields
    assert {"phone", "full_name", "resident"} <= set(fields)
    assert "failed_logins" not in fields and "locked_until" not in fields
    assert "手机号" in response.content.decode()


@pytest.mark.django_db
def test_audit_event_written_in_the_admin_records_the_ip(client, root):
    client.force_login(root)
    client.post(url(WorkdayOverride, "add"), {"day": "2026-10-10", "note": "x"},
                REMOTE_ADDR="192.0.2.44")
    assert last_event("core.set_workday_override").ip == "192.0.2.44"


# --- who gets in ----------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_flag_alone_opens_nothing(client, street):
    User.objects.filter(pk=street.staff_a.pk).update(is_staff=True)
    client.force_login(street.staff_a)
    assert "审计日志" not in client.get(reverse("admin:index")).content.decode()
    for model in OUR_MODELS:
        assert client.get(url(model, "changelist")).status_code == 403, model


@pytest.mark.django_db
def test_an_admin_role_at_the_root_uses_the_admin_but_cannot_make_superusers(client, street):
    User.objects.filter(pk=street.admin.pk).update(is_staff=True)
    client.force_login(street.admin)
    assert client.get(url(WorkdayOverride, "changelist")).status_code == 200
    client.post(url(WorkdayOverride, "add"), {"day": "2026-02-16", "is_workday": "on"})
    assert last_event("core.set_workday_override").actor == street.admin
    response = client.get(url(User, "change", street.staff_a.pk))
    assert "is_superuser" not in response.context["adminform"].form.fields


@pytest.mark.django_db
def test_an_action_refusing_the_save_is_a_message_not_a_500(as_root, monkeypatch):
    from django.core.exceptions import ValidationError

    import gongzhi.core.admin as core_admin

    def refuse(**kwargs):
        WorkdayOverride.objects.create(day=kwargs["day"], is_workday=True)  # rolled back
        raise ValidationError("此日期已被他人调整")

    monkeypatch.setattr(core_admin, "set_workday_override", refuse)
    add = url(WorkdayOverride, "add")
    response = as_root.post(add, {"day": "2026-02-16", "is_workday": "on"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][0] == add
    assert "此日期已被他人调整" in response.content.decode()
    assert not WorkdayOverride.objects.exists()
