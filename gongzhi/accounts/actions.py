"""State changes of accounts: roles, organisations, login failures, API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    OrgKind,
    RoleGrant,
    User,
)
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, Role, is_administrator, require, require_administrator


@transaction.atomic
def grant_role(*, user: User, role: str, area: AreaNode, acting_user: User | None) -> RoleGrant:
    """Give ``user`` the ``role`` on ``area``; the actor must manage roles there."""
    if acting_user is not None:
        require(acting_user, Perm.MANAGE_ROLES, area)
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色：%(role)s") % {"role": role}})
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, area=area)
    if created:
        audit.record(
            actor=acting_user,
            action="accounts.grant_role",
            obj=grant,
            area_path=area.path,
            after={"user": user.pk, "role": role, "area": area.code},
        )
    return grant


@transaction.atomic
def revoke_role(*, grant: RoleGrant, acting_user: User | None) -> None:
    if acting_user is not None:
        require(acting_user, Perm.MANAGE_ROLES, grant.area)
    audit.record(
        actor=acting_user,
        action="accounts.revoke_role",
        obj=grant,
        area_path=grant.area.path,
        before={"user": grant.user_id, "role": grant.role, "area": grant.area.code},
    )
    grant.delete()


def _require_roles_on(acting_user: User | None, areas: list[AreaNode],
                      perm: Perm = Perm.MANAGE_ROLES) -> None:
    """``perm`` on every area given; with no area at all, only an administrator may."""
    if acting_user is None:
        return
    if not areas:
        require_administrator(acting_user)
    for area in areas:
        require(acting_user, perm, area)


def _org_perm(kind: str) -> Perm:
    """Community staff run their volunteer teams (志愿服务队); other bodies need role admins."""
    return Perm.MANAGE_VOLUNTEERS if kind == OrgKind.VOLUNTEER_TEAM else Perm.MANAGE_ROLES


@transaction.atomic
def create_organisation(
    *, kind: str, code: str, name: str, areas: list[AreaNode], acting_user: User | None,
    phone: str = "",
) -> Organisation:
    _require_roles_on(acting_user, areas, _org_perm(kind))
    org = Organisation(kind=kind, code=code, name=name, phone=phone)
    org.full_clean()
    org.save()
    org.areas.set(areas)
    audit.record(
        actor=acting_user,
        action="accounts.create_organisation",
        obj=org,
        area_path=min((a.path for a in areas), default=""),
        after={"kind": kind, "code": code, "name": name, "areas": [a.code for a in areas]},
    )
    return org


@transaction.atomic
def add_member(
    *, organisation: Organisation, user: User, acting_user: User | None,
    title: str = "", is_leader: bool = False,
) -> Membership:
    areas = list(organisation.areas.all())
    _require_roles_on(acting_user, areas, _org_perm(organisation.kind))
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"title": title, "is_leader": is_leader}
    )
    audit.record(
        actor=acting_user,
        action="accounts.add_member",
        obj=membership,
        area_path=min((a.path for a in areas), default=""),
        after={"organisation": organisation.code, "user": user.pk, "title": title},
    )
    return membership


@transaction.atomic
def record_login_failure(*, user: User) -> None:
    """Count a failed login; lock the account once the limit is reached (等保 2.0)."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    locked = user.failed_logins >= settings.GONGZHI_LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = timezone.now() + timedelta(minutes=settings.GONGZHI_LOGIN_LOCK_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(
        actor=None,
        action="accounts.lock" if locked else "accounts.login_failed",
        obj=user,
        after={"locked_until": str(user.locked_until) if locked else None},
        outcome="failed",
    )


@transaction.atomic
def clear_login_failures(*, user: User) -> None:
    """A successful login forgets the earlier failures."""
    before = {"failed_logins": user.failed_logins}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    audit.record(actor=user, action="accounts.clear_login_failures", obj=user, before=before,
                 after={"failed_logins": 0})


@transaction.atomic
def unlock_user(*, user: User, acting_user: User | None) -> User:
    """Lift a login lock before it runs out (the user called the office, say)."""
    if acting_user is not None and not is_administrator(acting_user):
        areas = [grant.area for grant in user.role_grants.select_related("area")]
        if not areas:
            raise PermissionDenied("only an administrator unlocks this user")
        for area in areas:
            require(acting_user, Perm.MANAGE_ROLES, area)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"failed_logins": user.failed_logins,
              "locked_until": str(user.locked_until) if user.locked_until else None}
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(actor=acting_user, action="accounts.unlock", obj=user, before=before,
                 after={"failed_logins": 0, "locked_until": None})
    return user


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str, acting_user: User | None) -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and only its hash is kept."""
    if acting_user is not None and acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionDenied("only the user or an administrator creates a token")
    key = "gz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[3:11], key_hash=_hash_key(key))
    audit.record(actor=acting_user, action="accounts.create_api_token", obj=token,
                 after={"user": user.pk, "name": name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, acting_user: User | None) -> None:
    if acting_user is not None and acting_user.pk != token.user_id and not acting_user.is_superuser:
        raise PermissionDenied("only the user or an administrator revokes a token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=acting_user, action="accounts.revoke_api_token", obj=token,
                 after={"revoked_at": str(token.revoked_at)})


def user_for_api_key(key: str) -> User | None:
    """The active user behind a bearer key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: no write per request.
    now = timezone.now()
    if not token.last_used_at or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
