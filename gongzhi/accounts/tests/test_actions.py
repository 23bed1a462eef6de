"""Accounts actions: roles, organisations, login lockout and unlock, API tokens."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.accounts.actions import (
    add_member,
    clear_login_failures,
    create_api_token,
    create_organisation,
    grant_role,
    record_login_failure,
    revoke_api_token,
    revoke_role,
    unlock_user,
    user_for_api_key,
)
from gongzhi.accounts.backends import is_locked
from gongzhi.accounts.models import ApiToken, Membership, Organisation, OrgKind, RoleGrant, User
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent
from gongzhi.core.permissions import Perm, Role, can

PASSWORD = "pass-1234-word"


def actions_logged() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def fresh(user: User) -> User:
    """The same user re-read, without the per-object cache of grants."""
    return User.objects.get(pk=user.pk)


# --- roles ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_community_staff_cannot_grant_roles(street):
    newcomer = make_user("newcomer")
    with pytest.raises(PermissionDenied):
        grant_role(user=newcomer, role=Role.GRID_WORKER, area=street.grid_a1,
                   acting_user=street.staff_a)
    assert not RoleGrant.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_an_admin_grants_a_scoped_role(street):
    newcomer = make_user("newcomer")
    before = AuditEvent.objects.count()
    grant = grant_role(user=newcomer, role=Role.GRID_WORKER, area=street.grid_a1,
                       acting_user=street.admin)
    assert (grant.user, grant.role, grant.area) == (newcomer, Role.GRID_WORKER, street.grid_a1)
    event = AuditEvent.objects.get(action="accounts.grant_role", object_id=str(grant.pk))
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == street.admin and event.area_path == street.grid_a1.path
    assert event.after == {"user": newcomer.pk, "role": "grid_worker", "area": "CA-G1"}
    # The grant takes effect, in its grid only.
    assert can(fresh(newcomer), Perm.VIEW_PERSONAL_DATA, street.h1)
    assert not can(fresh(newcomer), Perm.VIEW_PERSONAL_DATA, street.h3)


@pytest.mark.django_db
def test_granting_the_same_role_twice_keeps_one_grant(street):
    newcomer = make_user("newcomer")
    first = grant_role(user=newcomer, role=Role.RESIDENT, area=street.b1, acting_user=street.admin)
    again = grant_role(user=newcomer, role=Role.RESIDENT, area=street.b1, acting_user=street.admin)
    assert first.pk == again.pk and RoleGrant.objects.filter(user=newcomer).count() == 1
    assert actions_logged().count("accounts.grant_role") == 1 + 9  # 9 from the fixture


@pytest.mark.django_db
def test_unknown_role_is_refused(street):
    with pytest.raises(ValidationError):
        grant_role(user=street.staff_a, role="overlord", area=street.city, acting_user=street.admin)
    assert not RoleGrant.objects.filter(role="overlord").exists()


@pytest.mark.django_db
def test_revoke_role(street):
    grant = RoleGrant.objects.get(user=street.worker_a1)
    with pytest.raises(PermissionDenied):
        revoke_role(grant=grant, acting_user=street.staff_a)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    revoke_role(grant=grant, acting_user=street.admin)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="accounts.revoke_role")
    assert event.before == {"user": street.worker_a1.pk, "role": "grid_worker", "area": "CA-G1"}
    assert event.actor == street.admin and event.area_path == street.grid_a1.path
    assert not can(fresh(street.worker_a1), Perm.VIEW_HOUSEHOLDS, street.h1)


# --- organisations --------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_creates_an_organisation_and_adds_members(street):
    org = create_organisation(kind=OrgKind.DEPARTMENT, code="CG", name="城管中队",
                              areas=[street.comm_a, street.comm_b], phone="0731-1234567",
                              acting_user=street.admin)
    assert set(org.areas.all()) == {street.comm_a, street.comm_b}
    event = AuditEvent.objects.get(action="accounts.create_organisation", object_id=str(org.pk))
    assert event.after["areas"] == ["CA", "CB"] and event.actor == street.admin
    member = make_user("officer")
    add_member(organisation=org, user=member, title="队长", is_leader=True,
               acting_user=street.admin)
    add_member(organisation=org, user=member, title="副队长", acting_user=street.admin)
    membership = Membership.objects.get(organisation=org, user=member)
    assert (membership.title, membership.is_leader) == ("副队长", False)
    assert actions_logged().count("accounts.add_member") == 1 + 2  # 1 from the fixture
    # Membership works as the org_member role on the areas served.
    assert can(fresh(member), Perm.VIEW_AREA, street.b3)


@pytest.mark.django_db
def test_community_staff_run_the_volunteer_teams_of_their_community_only(street):
    team = create_organisation(kind=OrgKind.VOLUNTEER_TEAM, code="ZY1", name="活龙志愿服务队",
                               areas=[street.comm_a], acting_user=street.staff_a)
    add_member(organisation=team, user=street.resident, is_leader=True,
               acting_user=street.staff_a)
    assert Membership.objects.get(organisation=team, user=street.resident).is_leader
    with pytest.raises(PermissionDenied):  # another community's team
        create_organisation(kind=OrgKind.VOLUNTEER_TEAM, code="ZY2", name="德鑫志愿服务队",
                            areas=[street.comm_b], acting_user=street.staff_a)
    with pytest.raises(PermissionDenied):
        add_member(organisation=team, user=street.worker_a2, acting_user=street.staff_b)


@pytest.mark.django_db
def test_community_staff_cannot_create_organisations_or_add_members(street):
    with pytest.raises(PermissionDenied):
        create_organisation(kind=OrgKind.SOCIAL, code="S1", name="社工站",
                            areas=[street.comm_a], acting_user=street.staff_a)
    with pytest.raises(PermissionDenied):  # no area at all: administrators only
        create_organisation(kind=OrgKind.SOCIAL, code="S2", name="社工站", areas=[],
                            acting_user=street.staff_a)
    with pytest.raises(PermissionDenied):
        add_member(organisation=street.property_co, user=street.worker_a2,
                   acting_user=street.staff_a)
    assert not Organisation.objects.filter(code__in=["S1", "S2"]).exists()
    assert not Membership.objects.filter(user=street.worker_a2).exists()


@pytest.mark.django_db
def test_duplicate_organisation_code_is_a_validation_error(street):
    with pytest.raises(ValidationError) as err:
        create_organisation(kind=OrgKind.PROPERTY, code="P1", name="另一家物业",
                            areas=[street.comm_b], acting_user=street.admin)
    assert "code" in err.value.message_dict
    assert Organisation.objects.filter(code="P1").count() == 1


# --- login failures, lock and unlock --------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_account(street, settings):
    settings.GONGZHI_LOGIN_MAX_FAILURES = 5
    settings.GONGZHI_LOGIN_LOCK_MINUTES = 15
    user = street.worker_a1
    for attempt in range(1, 5):
        record_login_failure(user=user)
        assert fresh(user).failed_logins == attempt and fresh(user).locked_until is None
    assert actions_logged()[-4:] == ["accounts.login_failed"] * 4
    record_login_failure(user=user)
    user = fresh(user)
    assert user.failed_logins == 0 and is_locked(user)
    expected = timezone.now() + timedelta(minutes=15)
    assert abs(user.locked_until - expected) < timedelta(seconds=30)
    lock = AuditEvent.objects.order_by("-id").first()
    assert lock.action == "accounts.lock" and lock.outcome == "failed" and lock.actor is None
    assert lock.object_id == str(user.pk)
    # Locked: even the right password is refused.
    assert authenticate(username="worker_a1", password=PASSWORD) is None


@pytest.mark.django_db
def test_unlock_user_through_the_action(street, settings):
    settings.GONGZHI_LOGIN_MAX_FAILURES = 2
    user = street.worker_a1
    record_login_failure(user=user)
    record_login_failure(user=user)
    assert is_locked(fresh(user))
    with pytest.raises(PermissionDenied):
        unlock_user(user=user, acting_user=street.staff_a)
    assert is_locked(fresh(user))
    unlock_user(user=user, acting_user=street.admin)
    user = fresh(user)
    assert not is_locked(user) and user.locked_until is None and user.failed_logins == 0
    event = AuditEvent.objects.get(action="accounts.unlock")
    assert event.actor == street.admin and event.before["locked_until"] is not None
    assert event.after == {"failed_logins": 0, "locked_until": None}
    assert authenticate(username="worker_a1", password=PASSWORD) == user


@pytest.mark.django_db
def test_only_administrators_unlock_a_user_without_roles(street):
    loner = make_user("loner", locked_until=timezone.now() + timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        unlock_user(user=loner, acting_user=street.street_staff)
    assert is_locked(fresh(loner))
    unlock_user(user=loner, acting_user=street.admin)
    assert not is_locked(fresh(loner))


@pytest.mark.django_db
def test_clear_login_failures_after_a_good_login(street):
    user = street.worker_a2
    record_login_failure(user=user)
    record_login_failure(user=user)
    assert authenticate(username="worker_a2", password=PASSWORD) == user
    assert fresh(user).failed_logins == 0
    event = AuditEvent.objects.get(action="accounts.clear_login_failures")
    assert event.before == {"failed_logins": 2} and event.actor == user
    clear_login_failures(user=user)
    assert fresh(user).failed_logins == 0


# --- API tokens -----------------------------------------------------------------------


@pytest.mark.django_db
def test_token_stores_only_a_hash_and_finds_its_user(street):
    token, key = create_api_token(user=street.staff_a, name="报表工具", acting_user=street.staff_a)
    assert key.startswith("gz_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[3:11]
    for field in ApiToken._meta.concrete_fields:
        assert key not in str(getattr(stored, field.attname))
    assert key not in str(AuditEvent.objects.get(action="accounts.create_api_token").after)
    assert user_for_api_key(key) == street.staff_a
    assert user_for_api_key(key + "x") is None
    assert user_for_api_key("") is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.django_db
def test_revoked_token_and_inactive_user_find_nobody(street):
    token, key = create_api_token(user=street.staff_a, name="t", acting_user=street.staff_a)
    other, other_key = create_api_token(user=street.staff_b, name="t", acting_user=street.staff_b)
    revoke_api_token(token=token, acting_user=street.staff_a)
    assert user_for_api_key(key) is None
    assert AuditEvent.objects.filter(action="accounts.revoke_api_token").count() == 1
    User.objects.filter(pk=street.staff_b.pk).update(is_active=False)
    assert user_for_api_key(other_key) is None


@pytest.mark.django_db
def test_tokens_are_the_users_own_business(street):
    root = make_user("root", is_superuser=True)
    with pytest.raises(PermissionDenied):
        create_api_token(user=street.staff_a, name="t", acting_user=street.staff_b)
    token, key = create_api_token(user=street.staff_a, name="t", acting_user=root)
    with pytest.raises(PermissionDenied):
        revoke_api_token(token=token, acting_user=street.staff_b)
    assert user_for_api_key(key) == street.staff_a
    revoke_api_token(token=token, acting_user=root)
    assert user_for_api_key(key) is None
