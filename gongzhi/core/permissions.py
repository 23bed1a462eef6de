"""The one permission helper: may this user do X on this object?

A role granted on an area node covers that node and every node below it. Each object
answers with its ``area_path`` (an ``AreaNode`` with its ``path``); the helper compares it
with the paths of the user's grants that carry the permission. Membership of an
organisation acts as the ``org_member`` role on every area the organisation serves. It
lives in ``core`` because every app checks with it; it reads the user's grants through the
user object, so it imports no app.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tree import PATH_STEP, subtree_q


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    BUILDING_HEAD = "building_head", _("楼栋长")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作者")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DISTRICT_STAFF = "district_staff", _("区级工作人员")
    ORG_MEMBER = "org_member", _("组织成员")
    ADMIN = "admin", _("管理员")


class Perm(StrEnum):
    VIEW_AREA = "areas.view_area"
    VIEW_HOUSEHOLDS = "areas.view_households"
    VIEW_PERSONAL_DATA = "areas.view_personal_data"
    MANAGE_HOUSEHOLDS = "areas.manage_households"
    MANAGE_AREAS = "areas.manage_areas"
    VIEW_AUDIT = "core.view_audit"
    MANAGE_ROLES = "accounts.manage_roles"
    # Case ledger (问题台账)
    VIEW_CASES = "cases.view_cases"
    ENTER_CASES = "cases.enter_cases"  # record hotline calls, visits, patrol findings
    TRIAGE_CASES = "cases.triage_cases"  # accept, reject, dispatch, merge, approve extensions
    CONFIGURE_CASES = "cases.configure_cases"  # categories, deadlines, routing
    # Public notices (公示公告) and deliberation (议事协商)
    PUBLISH_NOTICES = "notices.publish_notices"  # write, publish, withdraw; answer objections
    RUN_COUNCILS = "deliberation.run_councils"  # councils, meetings, polls, paper ballots
    # Volunteering (志愿服务): dispatch orders, activities, rosters, the catalogue, hours
    MANAGE_VOLUNTEERS = "volunteering.manage_volunteers"
    # Old-compound renewal (老旧小区改造): records, projects, surveys, items, funding, acceptance
    MANAGE_RENEWAL = "renewal.manage_renewal"
    # Civilisation campaigns (文明创建): 最美 selections, ratings, 门前三包, partners, conventions
    RUN_CAMPAIGNS = "campaigns.run_campaigns"
    # Field work of campaigns: assess households (十星级文明户), inspect shops (门前三包)
    INSPECT = "campaigns.inspect"


_READ = {Perm.VIEW_AREA, Perm.VIEW_HOUSEHOLDS}
_FIELD = {Perm.VIEW_CASES, Perm.ENTER_CASES, Perm.INSPECT}
_TRIAGE = _FIELD | {Perm.TRIAGE_CASES}
_GOVERN = {Perm.PUBLISH_NOTICES, Perm.RUN_COUNCILS, Perm.MANAGE_VOLUNTEERS,
           Perm.MANAGE_RENEWAL, Perm.RUN_CAMPAIGNS}
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.RESIDENT: frozenset({Perm.VIEW_AREA}),
    # "Small problems do not leave the building": the building head knows its households.
    Role.BUILDING_HEAD: frozenset(_READ | _FIELD | {Perm.VIEW_PERSONAL_DATA}),
    Role.GRID_WORKER: frozenset(_READ | _FIELD | {Perm.VIEW_PERSONAL_DATA}),
    Role.COMMUNITY_STAFF: frozenset(
        _READ | _TRIAGE | _GOVERN
        | {Perm.VIEW_PERSONAL_DATA, Perm.MANAGE_HOUSEHOLDS, Perm.VIEW_AUDIT}
    ),
    # Street and district staff oversee; they do not need residents' phone numbers.
    Role.STREET_STAFF: frozenset(_READ | _TRIAGE | _GOVERN | {Perm.VIEW_AUDIT}),
    Role.DISTRICT_STAFF: frozenset(_READ | _TRIAGE | _GOVERN | {Perm.VIEW_AUDIT}),
    Role.ORG_MEMBER: frozenset({Perm.VIEW_AREA}),
    Role.ADMIN: frozenset(Perm),
}
STAFF_ROLES = frozenset(
    {
        Role.BUILDING_HEAD,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.ADMIN,
    }
)


def grants(user) -> list[tuple[str, str]]:
    """(role, area path) pairs the user holds, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongzhi_grants", None)
    if cached is None:
        cached = list(user.role_grants.values_list("role", "area__path"))
        org_paths = user.organisations.filter(is_active=True, areas__isnull=False).values_list(
            "areas__path", flat=True
        )
        cached += [(Role.ORG_MEMBER, path) for path in org_paths]
        user._gongzhi_grants = cached
    return cached


def roles(user) -> set[str]:
    return {role for role, _path in grants(user)}


def is_staff_user(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or roles(user) & STAFF_ROLES)


def uses_console(user) -> bool:
    """Works at the staff console: staff, and members of the organisations that take
    dispatched cases (departments, property companies, teams: 部门报到)."""
    return is_staff_user(user) or Role.ORG_MEMBER in roles(user)


def scope_paths(user, perm: Perm) -> list[str]:
    """The fewest area paths whose subtrees together hold everything ``perm`` covers."""
    paths = sorted({path for role, path in grants(user) if perm in ROLE_PERMS.get(role, ())})
    roots: list[str] = []
    for path in paths:
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def _area_path(obj) -> str | None:
    if isinstance(obj, str):
        return obj
    return getattr(obj, "area_path", None)


def _owns(user, obj) -> bool:
    """A resident may always see their own household and its members."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return False
    label = getattr(getattr(obj, "_meta", None), "label_lower", None)
    if label == "areas.household":
        return obj.pk == resident.household_id
    if label == "areas.resident":
        return obj.household_id == resident.household_id
    return False


def can(user, perm: Perm, obj) -> bool:
    """May ``user`` do ``perm`` on ``obj`` (a model with an area path, or a path)?"""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    if perm in (Perm.VIEW_PERSONAL_DATA, Perm.VIEW_HOUSEHOLDS) and _owns(user, obj):
        return True
    path = _area_path(obj)
    if path is None:
        return False
    return any(path.startswith(root) for root in scope_paths(user, perm))


def require(user, perm: Perm, obj) -> None:
    # Pages and the API show the message: a sentence for people (in the reader's language,
    # translated when shown), never the permission's code.
    if not can(user, perm, obj):
        raise PermissionDenied(_("您无权进行此操作"))


def scope_q(user, perm: Perm, field: str = "path") -> Q:
    """A filter for every row ``perm`` lets ``user`` reach; empty when none."""
    if getattr(user, "is_superuser", False):
        return Q()
    roots = scope_paths(user, perm)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= subtree_q(root, field)
    return q


def is_administrator(user) -> bool:
    """A superuser, or an active user holding the admin role on a root of the area tree.

    City-wide settings (the working-day calendar) belong to no area below the root, so an
    admin of one district does not change them for everyone.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return any(role == Role.ADMIN and len(path) == PATH_STEP for role, path in grants(user))


def require_administrator(user) -> None:
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以进行此操作"))
