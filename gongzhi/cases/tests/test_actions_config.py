"""Configuration actions behind the admin: categories and routing rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.cases import actions
from gongzhi.cases.models import Category, RoutingRule
from gongzhi.cases.routing import responsible_org
from gongzhi.core.models import AuditEvent


def test_administrator_creates_and_changes_a_category(ledger):
    cat = actions.save_category(
        category=Category(parent=ledger.municipal, code="manhole", name="井盖缺失",
                          response_hours=1, resolution_workdays=2, urgent_response_hours=1,
                          urgent_resolution_workdays=1, keywords="井盖"),
        acting_user=ledger.admin)
    cat.resolution_workdays = 3
    actions.save_category(category=cat, acting_user=ledger.admin)
    cat.refresh_from_db()
    assert cat.resolution_workdays == 3
    events = AuditEvent.objects.filter(object_type="cases.category", object_id=str(cat.pk))
    assert sorted(e.action for e in events) == ["cases.change_category", "cases.create_category"]
    change = events.get(action="cases.change_category")
    assert (change.before["resolution_workdays"], change.after["resolution_workdays"]) == (2, 3)


def test_only_administrators_edit_categories(ledger):
    for user in (ledger.street_staff, ledger.staff_a, ledger.resident):
        with pytest.raises(PermissionDenied):
            actions.save_category(category=Category(code="x", name="x"), acting_user=user)
    assert not Category.objects.filter(code="x").exists()


@pytest.mark.parametrize("change", [
    {"parent_id": "road"},  # three levels
    {"resolution_workdays": 0},
    {"urgent_resolution_workdays": 9},  # urgent longer than normal
])
def test_bad_category_is_refused(ledger, change):
    cat = Category(parent=ledger.municipal, code="new", name="新分类")
    for field, value in change.items():
        setattr(cat, field, getattr(ledger, value).pk if field == "parent_id" else value)
    with pytest.raises(ValidationError):
        actions.save_category(category=cat, acting_user=ledger.admin)
    assert not Category.objects.filter(code="new").exists()


def test_routing_rule_is_saved_replaced_and_deleted_in_scope(ledger):
    with pytest.raises(PermissionDenied):  # community staff do not configure routing
        actions.save_routing_rule(area=ledger.comm_b, category=ledger.road,
                                  organisation=ledger.other_dept, acting_user=ledger.staff_b)
    rule = actions.save_routing_rule(area=ledger.comm_b, category=ledger.road,
                                     organisation=ledger.other_dept, acting_user=ledger.admin)
    assert responsible_org(ledger.b3, ledger.road) == ledger.other_dept
    again = actions.save_routing_rule(area=ledger.comm_b, category=ledger.road,
                                      organisation=ledger.dept, acting_user=ledger.admin)
    assert again.pk == rule.pk and RoutingRule.objects.filter(area=ledger.comm_b).count() == 1
    actions.delete_routing_rule(rule=again, acting_user=ledger.admin)
    assert responsible_org(ledger.b3, ledger.road) == ledger.dept  # the street's rule again
    actions_seen = AuditEvent.objects.filter(object_type="cases.routingrule").values_list(
        "action", flat=True)
    assert sorted(actions_seen) == ["cases.delete_routing_rule", "cases.save_routing_rule",
                                    "cases.save_routing_rule"]


def test_admin_pages_save_through_the_actions(client, ledger):
    for user in (ledger.admin, ledger.staff_a):
        user.is_staff = True  # may enter the admin site; what they see is decided per model
        user.save()
    client.force_login(ledger.admin)
    response = client.post("/admin/cases/category/add/", {
        "parent": ledger.sanitation.pk, "code": "dog_waste", "name": "犬只粪便",
        "response_hours": 4, "resolution_workdays": 3, "urgent_response_hours": 2,
        "urgent_resolution_workdays": 1, "keywords": "狗屎 犬只", "order": 5, "is_active": "on",
        "children-TOTAL_FORMS": 0, "children-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    cat = Category.objects.get(code="dog_waste")
    assert AuditEvent.objects.filter(action="cases.create_category",
                                     object_id=str(cat.pk)).count() == 1
    case = ledger.new_case()
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/cases/case/add/").status_code == 403
    client.force_login(ledger.staff_a)
    assert client.get("/admin/cases/category/").status_code == 403
