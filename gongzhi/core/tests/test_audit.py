"""The audit log: what an event records, append-only, and one event per action."""

import inspect
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.accounts import actions as account_actions
from gongzhi.accounts.models import ApiToken, OrgKind, RoleGrant
from gongzhi.areas import actions as area_actions
from gongzhi.areas.models import AreaKind
from gongzhi.conftest import make_user, square
from gongzhi.core import audit
from gongzhi.core.middleware import current_ip
from gongzhi.core.models import AppendOnlyError, AuditEvent
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Role


@pytest.fixture
def client_ip():
    token = current_ip.set("198.51.100.23")
    yield "198.51.100.23"
    current_ip.reset(token)


@pytest.mark.django_db
def test_record_stores_who_what_where_and_before_after(street, client_ip):
    event = audit.record(
        actor=street.staff_a, action="areas.test_change", obj=street.h1,
        before={"room": "101"}, after={"room": "102"},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == street.staff_a
    assert event.action == "areas.test_change"
    assert event.object_type == "areas.household"
    assert event.object_id == str(street.h1.pk)
    assert event.object_repr == str(street.h1)
    assert event.before == {"room": "101"} and event.after == {"room": "102"}
    assert event.area_path == street.h1.area_path == street.b1.path
    assert event.ip == client_ip
    assert event.outcome == "ok"
    assert event.created_at is not None


@pytest.mark.django_db
def test_record_by_the_system_with_an_explicit_area_and_outcome(street):
    event = audit.record(actor=None, action="accounts.lock", obj=street.resident,
                         area_path=street.comm_a.path, outcome="failed")
    event.refresh_from_db()
    assert event.actor is None and event.ip is None
    assert event.area_path == street.comm_a.path and event.outcome == "failed"
    assert event.object_type == "accounts.user"


@pytest.mark.django_db
def test_ip_of_a_real_request_reaches_the_event(client, street):
    (note,) = notify([street.staff_a], kind="test", title="测试")
    client.force_login(street.staff_a)
    client.post(reverse("core:inbox_read"), {"id": note.pk}, REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(action="core.mark_notifications_read")
    assert event.ip == "203.0.113.7" and event.actor == street.staff_a
    assert current_ip.get() is None  # the request's address does not leak past it


@pytest.mark.django_db
def test_snapshot_is_json_safe(street):
    snap = audit.snapshot(street.h1, ["building", "room", "floor_area", "floor"])
    assert snap == {"building": street.b1.pk, "room": "101", "floor_area": "88.50", "floor": 1}


@pytest.mark.django_db
def test_events_are_append_only(street):
    event = audit.record(actor=None, action="test.x", obj=street.b1)
    event.action = "test.y"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "test.x"


# --- every action writes exactly one event --------------------------------------------


def _token(n):
    token, _key = account_actions.create_api_token(user=n.staff_a, name="t", acting_user=n.staff_a)
    return token


def _locked(n):
    n.worker_a2.failed_logins = 3
    n.worker_a2.save(update_fields=["failed_logins"])
    return n.worker_a2


# action name -> (the audit action it writes, a call that performs it on the street fixture)
CALLS = {
    "create_area": ("areas.create_area", lambda n: area_actions.create_area(
        kind=AreaKind.COMPOUND, code="CA-G2-X9", name="新小区", parent=n.grid_a2,
        acting_user=n.admin)),
    "set_boundary": ("areas.set_boundary", lambda n: area_actions.set_boundary(
        node=n.b2, boundary=square(111.01, 26.0, 0.001), acting_user=n.admin)),
    "create_household": ("areas.create_household", lambda n: area_actions.create_household(
        building=n.b2, room="402", floor=4, floor_area=Decimal("60"), acting_user=n.staff_a)),
    "add_resident": ("areas.add_resident", lambda n: area_actions.add_resident(
        household=n.h3, name="赵敏", phone="13711112222", acting_user=n.staff_a)),
    # Reading personal data out in bulk is audited like a change.
    "export_households": ("areas.export_households", lambda n: area_actions.export_households(
        node=n.comm_a, acting_user=n.staff_a)),
    "grant_role": ("accounts.grant_role", lambda n: account_actions.grant_role(
        user=n.worker_a2, role=Role.BUILDING_HEAD, area=n.b2, acting_user=n.admin)),
    "revoke_role": ("accounts.revoke_role", lambda n: account_actions.revoke_role(
        grant=RoleGrant.objects.get(user=n.worker_a2), acting_user=n.admin)),
    "create_organisation": ("accounts.create_organisation",
                            lambda n: account_actions.create_organisation(
                                kind=OrgKind.DEPARTMENT, code="DEP1", name="城管",
                                areas=[n.street], acting_user=n.admin)),
    "add_member": ("accounts.add_member", lambda n: account_actions.add_member(
        organisation=n.property_co, user=n.worker_a2, acting_user=n.admin)),
    "record_login_failure": ("accounts.login_failed",
                             lambda n: account_actions.record_login_failure(user=n.worker_a2)),
    "clear_login_failures": ("accounts.clear_login_failures",
                             lambda n: account_actions.clear_login_failures(user=_locked(n))),
    "unlock_user": ("accounts.unlock", lambda n: account_actions.unlock_user(
        user=_locked(n), acting_user=n.admin)),
    "create_api_token": ("accounts.create_api_token", _token),
    "revoke_api_token": ("accounts.revoke_api_token", lambda n: account_actions.revoke_api_token(
        token=ApiToken.objects.get(user=n.staff_a), acting_user=n.staff_a)),
}
# Set up before counting: the object the action works on must exist first.
PREPARE = {
    "revoke_api_token": _token,
    "clear_login_failures": lambda n: None,
}
# Another helper owns and tests the import (one event per file).
NOT_HERE = {"import_households"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_action_writes_exactly_one_event(street, name):
    expected_action, call = CALLS[name]
    if name in PREPARE:
        PREPARE[name](street)
    before = AuditEvent.objects.count()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    call(street)
    assert AuditEvent.objects.count() == before + 1
    new = AuditEvent.objects.get(id__gt=last)
    assert new.action == expected_action


def _actions_of(module) -> set[str]:
    """Public functions of ``module`` that are actions: they change state for an actor."""
    found = set()
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or func.__module__ != module.__name__:
            continue
        params = inspect.signature(func).parameters
        if "acting_user" in params or name in {"record_login_failure", "clear_login_failures"}:
            found.add(name)
    return found


def test_every_action_is_covered_above():
    actions = _actions_of(area_actions) | _actions_of(account_actions)
    assert actions - NOT_HERE - set(CALLS) == set(), "add the new action to CALLS"
    assert set(CALLS) <= actions


@pytest.mark.django_db
def test_login_failure_that_locks_writes_one_lock_event(street, settings):
    settings.GONGZHI_LOGIN_MAX_FAILURES = 2
    user = make_user("fails")
    account_actions.record_login_failure(user=user)
    before = AuditEvent.objects.count()
    account_actions.record_login_failure(user=user)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-id").first().action == "accounts.lock"


def test_bulk_update_and_delete_are_refused_too(street):
    from gongzhi.core.models import AppendOnlyError, AuditEvent

    count = AuditEvent.objects.count()
    assert count > 0
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action="areas.create_area").update(action="x")
    assert AuditEvent.objects.count() == count
