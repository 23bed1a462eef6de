"""What every case action shares: the legal transitions, the row lock, the save
that writes one timeline event and one audit event, and who is told."""

import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.models import Case, CaseEvent, Category, Source, Status
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFLICT_MESSAGE = gettext_lazy(
    "该诉求件已被他人处理，请刷新后再试 / This case was changed by someone else; "
    "reload it and try again"
)
STAFF_SOURCES = {Source.HOTLINE, Source.VISIT, Source.DOOR_TO_DOOR, Source.PATROL,
                 Source.DEPUTY_STATION}
FIVE_QUESTIONS = ("need", "cause", "plan", "progress", "outcome")
MAX_EXTENSION_WORKDAYS = 30
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")
AUDIT_FIELDS = ["status", "category", "priority", "handling_area", "assignee", "assignee_org",
                "response_due", "resolution_due", "rating", "reopen_count", "version"]
LEVEL_STAFF = (Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF)

S = Status
OPEN_WORK = frozenset({"note", "support", "merge", "escalate", "reclassify"})
# The one table of legal transitions: in each status, the actions that may run.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({"accept", "reject", "note", "support", "merge"}),
    S.ACCEPTED: OPEN_WORK | {"dispatch"},
    S.DISPATCHED: OPEN_WORK | {"start", "forward", "request_extension", "decide_extension",
                               "resolve"},
    S.IN_PROGRESS: OPEN_WORK | {"forward", "request_extension", "decide_extension", "resolve"},
    S.ESCALATED: OPEN_WORK | {"dispatch", "decide_extension"},
    S.RESOLVED: frozenset({"rate", "archive", "note"}),
    S.ARCHIVED: frozenset(),
    S.REJECTED: frozenset(),
    S.MERGED: frozenset(),
}


class CaseConflict(ValidationError):
    """The case is no longer in the state the caller saw."""

    def __init__(self, message=None):
        super().__init__(message or CONFLICT_MESSAGE, code="conflict")



def actor(user) -> User | None:
    return user if getattr(user, "pk", None) else None


def lock_case(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise CaseConflict()
    return locked


def allow(case: Case, action: str) -> None:
    if action not in TRANSITIONS[case.status]:
        raise CaseConflict()


def sync(target: Case, source: Case) -> None:
    """Bring the caller's instance up to date, so a follow-up action sees the new version."""
    if target is source:
        return
    for field in Case._meta.concrete_fields:
        old, new = getattr(target, field.attname), getattr(source, field.attname)
        if old != new and field.is_relation:
            target._state.fields_cache.pop(field.name, None)
        setattr(target, field.attname, new)


def finish(case: Case, *, acting_user, kind: str, action: str, before: dict,
            from_status: str, note: str = "", internal: bool = False,
            data: dict | None = None) -> CaseEvent:
    """Save the case with a new version, one timeline event and one audit event."""
    case.version += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case, actor=actor(acting_user), kind=kind, note=note, is_internal=internal,
        from_status=from_status, to_status=case.status, data=data or {},
    )
    audit.record(actor=acting_user, action=f"cases.{action}", obj=case, before=before,
                 after=audit.snapshot(case, AUDIT_FIELDS) | ({"event": kind, **(data or {})}))
    return event


def case_url(case: Case, *, for_reporter: bool = False) -> str:
    """The staff case page, or the reporter's own page of the case."""
    name = "cases_resident:case" if for_reporter else "cases:detail"
    try:
        return reverse(name, args=[case.pk])
    except NoReverseMatch:
        return ""


def tell(users, case: Case, kind: str, title: str, body: str = "") -> None:
    """Notify; the reporter's message links to the resident page, everyone else's to staff."""
    users = {u.pk: u for u in users if getattr(u, "pk", None)}
    reporter = users.pop(case.reporter_id, None) if case.reporter_id else None
    for group, for_reporter in ((list(users.values()), False), ([reporter], True)):
        if group and group[0] is not None:
            notify(group, kind=f"cases.{kind}", title=title, body=body or case.title,
                   url=case_url(case, for_reporter=for_reporter))


def org_members(org: Organisation | None) -> QuerySet[User]:
    if org is None:
        return User.objects.none()
    return org.members.filter(is_active=True)


def handlers_of(case: Case) -> list[User]:
    users = list(org_members(case.assignee_org))
    if case.assignee_id:
        users.append(case.assignee)
    return users


def level_staff(node: AreaNode) -> QuerySet[User]:
    """Staff granted a staff role on exactly ``node`` (those who triage at that level)."""
    return User.objects.filter(is_active=True, role_grants__area=node,
                               role_grants__role__in=LEVEL_STAFF).distinct()


def reporter_of(case: Case) -> list[User]:
    return [case.reporter] if case.reporter_id else []



def check_category(category) -> Category:
    if not isinstance(category, Category) or not category.is_active:
        raise ValidationError({"category": _("请选择有效的问题分类")})
    return category


def handling_area_for(area: AreaNode) -> AreaNode:
    """The community containing ``area``, or ``area`` itself above community level."""
    if area.kind == AreaKind.COMMUNITY:
        return area
    community = area.ancestors().filter(kind=AreaKind.COMMUNITY).first()
    return community or area



def move_up(case: Case) -> AreaNode:
    """Move the case to the level above its handling area (community → street → district)."""
    above = case.handling_area.parent
    if above is None:
        raise ValidationError(_("已是最高层级，无法继续上报"))
    case.handling_area, case.status = above, S.ESCALATED
    case.assignee, case.assignee_org = None, None
    return above
