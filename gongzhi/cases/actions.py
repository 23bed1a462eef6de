"""State changes of the case ledger: the closed loop 受理 → 派单 → 办理 → 办结 → 评价 → 归档.

Every action locks the case row, checks the actor and the transition (``TRANSITIONS``),
bumps ``version``, writes one CaseEvent and one audit event, and notifies through the inbox.
A case that moved on since the caller read it (another status, or a stale
``expected_version``) raises ``CaseConflict`` and changes nothing.
"""

import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases import photos as case_photos
from gongzhi.cases.models import (
    Case,
    CaseEvent,
    Category,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Priority,
    Rating,
    RoutingRule,
    Source,
    Status,
    Supporter,
)
from gongzhi.cases.permissions import (
    can_enter,
    is_reporter,
    require_handle,
    require_triage,
)
from gongzhi.cases.routing import responsible_org
from gongzhi.cases.suggest import learn
from gongzhi.cases.text import terms as text_terms
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, Role, can, require, require_administrator
from gongzhi.core.workdays import add_workdays

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


# --- deadlines -----------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day`` in Asia/Shanghai."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def limits(category: Category, priority: str) -> tuple[int, int]:
    """(response hours, resolution working days) for a category at a priority."""
    if priority == Priority.URGENT:
        return category.urgent_response_hours, category.urgent_resolution_workdays
    return category.response_hours, category.resolution_workdays


def response_deadline(created_at: datetime, category: Category | None, priority: str) -> datetime:
    """When the case must be answered: the category's limit, or before classification the
    platform's (GONGZHI_RESPONSE_HOURS; 12345 practice answers online reports within 2 h)."""
    hours = limits(category, priority)[0] if category else settings.GONGZHI_RESPONSE_HOURS
    return created_at + timedelta(hours=hours)


def resolution_deadline(start: datetime, workdays: int) -> datetime:
    """The end of the ``workdays``-th working day after the local day of ``start``."""
    return end_of_day(add_workdays(local_day(start), workdays))


def resolution_workdays(category: Category | None, priority: str) -> int:
    """Working days to resolve: the category's limit, or before classification the limit a
    category has unless configured otherwise (Category's field defaults). The service notice
    (Open311) states this number, and ``expected_resolution`` counts it: they cannot differ."""
    if category is not None:
        return limits(category, priority)[1]
    field = "urgent_resolution_workdays" if priority == Priority.URGENT else "resolution_workdays"
    return Category._meta.get_field(field).default


def expected_resolution(start: datetime, category: Category | None, priority: str) -> datetime:
    """When a case started at ``start`` is expected to be resolved, on the working-day calendar."""
    return resolution_deadline(start, resolution_workdays(category, priority))


def _set_deadlines(case: Case, *, start: datetime) -> None:
    case.response_due = response_deadline(case.created_at, case.category, case.priority)
    case.resolution_due = resolution_deadline(start, limits(case.category, case.priority)[1])
    case.expected_resolution = case.resolution_due


# --- plumbing ------------------------------------------------------------------------


def _actor(user) -> User | None:
    return user if getattr(user, "pk", None) else None


def _lock(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise CaseConflict()
    return locked


def _allow(case: Case, action: str) -> None:
    if action not in TRANSITIONS[case.status]:
        raise CaseConflict()


def _sync(target: Case, source: Case) -> None:
    """Bring the caller's instance up to date, so a follow-up action sees the new version."""
    if target is source:
        return
    for field in Case._meta.concrete_fields:
        old, new = getattr(target, field.attname), getattr(source, field.attname)
        if old != new and field.is_relation:
            target._state.fields_cache.pop(field.name, None)
        setattr(target, field.attname, new)


def _finish(case: Case, *, acting_user, kind: str, action: str, before: dict,
            from_status: str, note: str = "", internal: bool = False,
            data: dict | None = None) -> CaseEvent:
    """Save the case with a new version, one timeline event and one audit event."""
    case.version += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case, actor=_actor(acting_user), kind=kind, note=note, is_internal=internal,
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


def _tell(users, case: Case, kind: str, title: str, body: str = "") -> None:
    """Notify; the reporter's message links to the resident page, everyone else's to staff."""
    users = {u.pk: u for u in users if getattr(u, "pk", None)}
    reporter = users.pop(case.reporter_id, None) if case.reporter_id else None
    for group, for_reporter in ((list(users.values()), False), ([reporter], True)):
        if group and group[0] is not None:
            notify(group, kind=f"cases.{kind}", title=title, body=body or case.title,
                   url=case_url(case, for_reporter=for_reporter))


def _org_members(org: Organisation | None) -> QuerySet[User]:
    if org is None:
        return User.objects.none()
    return org.members.filter(is_active=True)


def _handlers(case: Case) -> list[User]:
    users = list(_org_members(case.assignee_org))
    if case.assignee_id:
        users.append(case.assignee)
    return users


def level_staff(node: AreaNode) -> QuerySet[User]:
    """Staff granted a staff role on exactly ``node`` (those who triage at that level)."""
    return User.objects.filter(is_active=True, role_grants__area=node,
                               role_grants__role__in=LEVEL_STAFF).distinct()


def _reporter(case: Case) -> list[User]:
    return [case.reporter] if case.reporter_id else []



def _check_category(category) -> Category:
    if not isinstance(category, Category) or not category.is_active:
        raise ValidationError({"category": _("请选择有效的问题分类")})
    return category


def handling_area_for(area: AreaNode) -> AreaNode:
    """The community containing ``area``, or ``area`` itself above community level."""
    if area.kind == AreaKind.COMMUNITY:
        return area
    community = area.ancestors().filter(kind=AreaKind.COMMUNITY).first()
    return community or area


# --- intake --------------------------------------------------------------------------


def _terms(text: str) -> str:
    return " ".join(text_terms(text))


def _check_intake(*, source: str, area, acting_user, reporter):
    """Who reports: staff enter calls and patrol findings; everyone else reports as themselves."""
    if source not in Source.values:
        raise ValidationError({"source": _("未知的来源渠道")})
    if not isinstance(area, AreaNode):
        raise ValidationError({"area": _("请选择问题所在位置")})
    if acting_user is None:
        return reporter  # the system, or an anonymous public report the view let through
    if not getattr(acting_user, "is_authenticated", False):
        if source in STAFF_SOURCES:
            raise PermissionDenied(_("请先登录"))
        return None
    if not acting_user.is_active:
        raise PermissionDenied(_("账号已停用"))
    if source in STAFF_SOURCES:
        if not can_enter(acting_user, area):
            raise PermissionDenied(_("您无权在该区域录入诉求"))
        return reporter
    if source in (Source.API, Source.OPEN311) and can_enter(acting_user, area):
        return reporter
    return acting_user


def _same_sender(existing: Case, acting_user) -> Case:
    """A retried submission returns the first case, but only to whoever sent it."""
    if existing.entered_by_id != getattr(_actor(acting_user), "pk", None):
        raise ValidationError({"idempotency_key": _("该幂等键已被使用")})
    return existing


def _coordinate(name: str, value, bound: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not -bound <= number <= bound:
        raise ValidationError({name: _("坐标超出范围")})
    return number


@transaction.atomic
def submit_case(
    *, title: str, description: str, area: AreaNode, source: str, acting_user,
    reporter: User | None = None, reporter_name: str = "", reporter_phone: str = "",
    is_anonymous: bool = False, priority: str = Priority.NORMAL, category: Category | None = None,
    address: str = "", lat: float | None = None, lng: float | None = None, photos=(),
    idempotency_key: str | None = None, created_at: datetime | None = None,
) -> Case:
    """Record a new problem; a repeated ``idempotency_key`` returns the first case."""
    if idempotency_key:
        if len(idempotency_key) > 64:
            raise ValidationError({"idempotency_key": _("幂等键不能超过 64 个字符")})
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_sender(existing, acting_user)
    reporter = _check_intake(source=source, area=area, acting_user=acting_user,
                             reporter=reporter)
    title = required_text(title, "title", _("请填写标题"), 100)
    description = required_text(description, "description", _("请描述问题"), 5000)
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone and not PHONE_RE.match(reporter_phone):
        raise ValidationError({"reporter_phone": _("联系电话格式不正确")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("未知的紧急程度")})
    if category is not None:
        _check_category(category)
    lat, lng = _coordinate("lat", lat, 90), _coordinate("lng", lng, 180)
    checked = case_photos.check_photos(photos)
    case = Case(
        created_at=created_at or timezone.now(), title=title, description=description,
        category=category, source=source, priority=priority, area=area, area_path=area.path,
        address=(address or "").strip()[:200], lat=lat, lng=lng,
        handling_area=handling_area_for(area), reporter=reporter,
        reporter_name=(reporter_name or "").strip()[:50], reporter_phone=reporter_phone,
        is_anonymous=bool(is_anonymous), entered_by=_actor(acting_user),
        terms=_terms(f"{title} {description}"), idempotency_key=idempotency_key or None,
        access_token=secrets.token_urlsafe(24),
    )
    case.response_due = response_deadline(case.created_at, category, priority)
    # Only a promise until the case is accepted (resolution_due stays empty: it is no
    # deadline yet, for overdue counts, reminders or KPIs).
    case.expected_resolution = expected_resolution(case.created_at, category, priority)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # The same key committed by a parallel request a moment ago.
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return _same_sender(existing, acting_user)
        raise
    event = CaseEvent.objects.create(case=case, actor=_actor(acting_user),
                                     kind=EventKind.SUBMITTED, to_status=case.status,
                                     data={"source": source, "photos": len(checked)})
    audit.record(actor=acting_user, action="cases.submit_case", obj=case,
                 after=audit.snapshot(case, AUDIT_FIELDS + ["source", "area"]))
    case_photos.save_photos(case=case, event=event, photos=checked)
    return case


# --- triage --------------------------------------------------------------------------


@transaction.atomic
def accept_case(*, case: Case, category: Category, acting_user, priority: str | None = None,
                note: str = "", expected_version: int | None = None) -> Case:
    """受理: classify the case and start its clocks."""
    locked = _lock(case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "accept")
    _check_category(category)
    priority = priority or None  # a form's empty choice keeps the reported priority
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": _("未知的紧急程度")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.category, locked.priority = category, priority or locked.priority
    locked.status, locked.accepted_at = S.ACCEPTED, now
    _set_deadlines(locked, start=now)
    _finish(locked, acting_user=acting_user, kind=EventKind.ACCEPTED, action="accept_case",
            before=before, from_status=from_status, note=(note or "").strip(),
            data={"category": category.pk})
    learn(locked)
    _tell(_reporter(locked), locked, "accepted",
          _("您反映的问题已受理：%(title)s") % {"title": locked.title})
    _sync(case, locked)
    return locked


@transaction.atomic
def reject_case(*, case: Case, reason: str, acting_user,
                expected_version: int | None = None) -> Case:
    locked = _lock(case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "reject")
    reason = required_text(reason, "reason", _("请填写不予受理的原因"), 200)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.status, locked.rejection_reason = S.REJECTED, reason
    _finish(locked, acting_user=acting_user, kind=EventKind.REJECTED, action="reject_case",
            before=before, from_status=from_status, note=reason)
    _tell(_reporter(locked), locked, "rejected",
          _("您反映的问题不予受理：%(title)s") % {"title": locked.title}, reason)
    _sync(case, locked)
    return locked


@transaction.atomic
def reclassify_case(*, case: Case, category: Category, acting_user,
                    expected_version: int | None = None) -> Case:
    """Change the category; the clocks restart only while the case is not yet dispatched."""
    locked = _lock(case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "reclassify")
    _check_category(category)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    old = locked.category
    locked.category = category
    if locked.dispatched_at is None:
        _set_deadlines(locked, start=locked.accepted_at or timezone.now())
    _finish(locked, acting_user=acting_user, kind=EventKind.RECLASSIFIED,
            action="reclassify_case", before=before, from_status=from_status,
            data={"from_category": getattr(old, "pk", None), "category": category.pk})
    learn(locked, unlearn=old)
    _sync(case, locked)
    return locked


def _default_org(case: Case) -> Organisation | None:
    return responsible_org(case.area, case.category) if case.category_id else None


@transaction.atomic
def dispatch_case(*, case: Case, acting_user, to_user: User | None = None,
                  to_org: Organisation | None = None, note: str = "",
                  expected_version: int | None = None) -> Case:
    """派单 to one person or one organisation (by default the routing rule's body)."""
    locked = _lock(case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "dispatch")
    if to_user is not None and to_org is not None:
        raise ValidationError(_("请只选择承办人或承办单位之一"))
    if to_user is None and to_org is None:
        to_org = _default_org(locked)
        if to_org is None:
            raise ValidationError(_("没有默认承办单位，请选择承办人或承办单位"))
    if to_user is not None and not (to_user.is_active and can(to_user, Perm.VIEW_CASES, locked)):
        raise ValidationError({"to_user": _("承办人须为负责该区域的在职工作人员")})
    if to_org is not None and not to_org.is_active:
        raise ValidationError({"to_org": _("该承办单位已停用")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.assignee, locked.assignee_org = to_user, to_org
    locked.status, locked.dispatched_at = S.DISPATCHED, timezone.now()
    _finish(locked, acting_user=acting_user, kind=EventKind.DISPATCHED, action="dispatch_case",
            before=before, from_status=from_status, note=(note or "").strip(),
            data={"to_user": getattr(to_user, "pk", None), "to_org": getattr(to_org, "pk", None)})
    _tell(_handlers(locked), locked, "dispatched",
          _("新的派单：%(title)s") % {"title": locked.title}, note)
    _sync(case, locked)
    return locked


@transaction.atomic
def forward_case(*, case: Case, to_org: Organisation, reason: str, acting_user,
                 expected_version: int | None = None) -> Case:
    """转办: hand the case to another organisation, with the reason why."""
    locked = _lock(case, expected_version)
    require_handle(acting_user, locked)
    _allow(locked, "forward")
    reason = required_text(reason, "reason", _("请填写转办理由"), 500)
    if not isinstance(to_org, Organisation) or not to_org.is_active:
        raise ValidationError({"to_org": _("请选择有效的承办单位")})
    if to_org.pk == locked.assignee_org_id:
        raise ValidationError({"to_org": _("该诉求件已由此单位承办")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    from_org = locked.assignee_org_id
    locked.assignee, locked.assignee_org, locked.status = None, to_org, S.DISPATCHED
    _finish(locked, acting_user=acting_user, kind=EventKind.FORWARDED, action="forward_case",
            before=before, from_status=from_status, note=reason,
            data={"from_org": from_org, "to_org": to_org.pk})
    _tell(_handlers(locked), locked, "forwarded",
          _("转办：%(title)s") % {"title": locked.title}, reason)
    _sync(case, locked)
    return locked


def _escalate(case: Case) -> AreaNode:
    """Move the case to the level above its handling area (community → street → district)."""
    above = case.handling_area.parent
    if above is None:
        raise ValidationError(_("已是最高层级，无法继续上报"))
    case.handling_area, case.status = above, S.ESCALATED
    case.assignee, case.assignee_org = None, None
    return above


@transaction.atomic
def escalate_case(*, case: Case, reason: str, acting_user,
                  expected_version: int | None = None) -> Case:
    """上报 / 吹哨: the level above takes over triage and dispatches to its departments."""
    locked = _lock(case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "escalate")
    reason = required_text(reason, "reason", _("请填写上报理由"), 500)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    old_handlers = _handlers(locked)
    above = _escalate(locked)
    _finish(locked, acting_user=acting_user, kind=EventKind.ESCALATED, action="escalate_case",
            before=before, from_status=from_status, note=reason, data={"to_area": above.pk})
    _tell(level_staff(above), locked, "escalated",
          _("下级上报：%(title)s") % {"title": locked.title}, reason)
    _tell(old_handlers, locked, "escalated", _("已上报上级：%(title)s") % {"title": locked.title})
    _sync(case, locked)
    return locked


# --- handling ------------------------------------------------------------------------


@transaction.atomic
def start_case(*, case: Case, acting_user, note: str = "",
               expected_version: int | None = None) -> Case:
    """The handler acknowledges the case: it is being worked on."""
    locked = _lock(case, expected_version)
    require_handle(acting_user, locked)
    _allow(locked, "start")
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.status = S.IN_PROGRESS
    locked.responded_at = locked.responded_at or timezone.now()
    _finish(locked, acting_user=acting_user, kind=EventKind.STARTED, action="start_case",
            before=before, from_status=from_status, note=(note or "").strip())
    _sync(case, locked)
    return locked


@transaction.atomic
def add_note(*, case: Case, note: str, acting_user, internal: bool = True,
             five_questions: dict | None = None, expected_version: int | None = None) -> CaseEvent:
    """A handling note, optionally filling the five questions (问需求/原因/方案/进度/成效)."""
    locked = _lock(case, expected_version)
    require_handle(acting_user, locked)
    _allow(locked, "note")
    answers = {k: (v or "").strip() for k, v in (five_questions or {}).items()}
    unknown = set(answers) - set(FIVE_QUESTIONS)
    if unknown:
        raise ValidationError(_("未知的五问字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    answers = {k: v for k, v in answers.items() if v}
    note = (note or "").strip()
    if not note and not answers:
        raise ValidationError({"note": _("请填写办理记录")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    for field, value in answers.items():
        setattr(locked, field, value)
    event = _finish(locked, acting_user=acting_user, kind=EventKind.NOTE, action="add_note",
                    before=before, from_status=from_status, note=note,
                    internal=bool(internal), data={"five_questions": answers} if answers else {})
    _sync(case, locked)
    return event


@transaction.atomic
def record_deliberation(*, case: Case, note: str, acting_user, data: dict | None = None
                        ) -> CaseEvent:
    """议事协商: the case went to a council, or the council decided on it. A public step of
    the timeline in any state (a decision may come after the case is archived); the
    reporter is told."""
    locked = _lock(case)
    if acting_user is not None and not can(acting_user, Perm.RUN_COUNCILS, locked):
        raise PermissionDenied(_("您无权将该诉求提交议事协商"))
    note = required_text(note, "note", _("请填写说明"), 2000)
    before = audit.snapshot(locked, AUDIT_FIELDS)
    event = _finish(locked, acting_user=acting_user, kind=EventKind.DELIBERATED,
                    action="record_deliberation", before=before, from_status=locked.status,
                    note=note, data=data or {})
    _tell(_reporter(locked), locked, "deliberated",
          _("您反映的问题已提交议事协商：%(title)s") % {"title": locked.title}, note)
    _sync(case, locked)
    return event


@transaction.atomic
def request_extension(*, case: Case, workdays: int, reason: str, acting_user,
                      expected_version: int | None = None) -> ExtensionRequest:
    """延期: the handler asks for more working days; triage staff decide."""
    locked = _lock(case, expected_version)
    require_handle(acting_user, locked)
    _allow(locked, "request_extension")
    try:
        workdays = int(workdays)
    except (TypeError, ValueError):
        workdays = 0
    if not 1 <= workdays <= MAX_EXTENSION_WORKDAYS:
        raise ValidationError({"workdays": _("延期天数须为 1 至 %(n)d 个工作日")
                               % {"n": MAX_EXTENSION_WORKDAYS}})
    reason = required_text(reason, "reason", _("请填写延期理由"), 300)
    if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("已有待审批的延期申请"))
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    extension = ExtensionRequest.objects.create(case=locked, requested_by=acting_user,
                                                workdays=workdays, reason=reason)
    _finish(locked, acting_user=acting_user, kind=EventKind.EXTENSION_REQUESTED,
            action="request_extension", before=before, from_status=from_status, note=reason,
            data={"extension": extension.pk, "workdays": workdays})
    _tell(level_staff(locked.handling_area), locked, "extension_requested",
          _("延期申请：%(title)s") % {"title": locked.title}, reason)
    _sync(case, locked)
    return extension


@transaction.atomic
def decide_extension(*, extension: ExtensionRequest, approve: bool, acting_user,
                     note: str = "", expected_version: int | None = None) -> ExtensionRequest:
    """Approve (the deadline moves by the working days asked) or refuse an extension."""
    locked = _lock(extension.case, expected_version)
    require_triage(acting_user, locked)
    _allow(locked, "decide_extension")
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise CaseConflict()
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at = _actor(acting_user), timezone.now()
    extension.save()
    if approve:
        base = locked.resolution_due or timezone.now()
        locked.resolution_due = end_of_day(add_workdays(local_day(base), extension.workdays))
        locked.expected_resolution = locked.resolution_due
    _finish(locked, acting_user=acting_user, kind=EventKind.EXTENSION_DECIDED,
            action="decide_extension", before=before, from_status=from_status,
            note=(note or "").strip(), data={"extension": extension.pk, "approved": bool(approve)})
    title = _("延期已批准：%(title)s") if approve else _("延期未批准：%(title)s")
    _tell([extension.requested_by], locked, "extension_decided",
          title % {"title": locked.title}, note)
    return extension


@transaction.atomic
def resolve_case(*, case: Case, result: str, acting_user, photos=(),
                 expected_version: int | None = None) -> Case:
    """办结: the handler reports the result (with photos); the reporter is asked to rate."""
    locked = _lock(case, expected_version)
    require_handle(acting_user, locked)
    _allow(locked, "resolve")
    result = required_text(result, "result", _("请填写办理结果"), 5000)
    checked = case_photos.check_photos(photos)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.status, locked.result, locked.resolved_at = S.RESOLVED, result, now
    locked.responded_at = locked.responded_at or now
    event = _finish(locked, acting_user=acting_user, kind=EventKind.RESOLVED,
                    action="resolve_case", before=before, from_status=from_status, note=result,
                    data={"photos": len(checked)})
    case_photos.save_photos(case=locked, event=event, photos=checked)
    _tell(_reporter(locked), locked, "resolved",
          _("您反映的问题已办结，请评价：%(title)s") % {"title": locked.title}, result)
    _sync(case, locked)
    return locked


# --- the reporter's word -------------------------------------------------------------


def _may_rate(case: Case, acting_user, access_token: str | None) -> bool:
    if is_reporter(acting_user, case):
        return True
    return bool(access_token) and secrets.compare_digest(str(access_token), case.access_token)


@transaction.atomic
def rate_case(*, case: Case, rating: str, comment: str = "", acting_user=None,
              access_token: str | None = None, expected_version: int | None = None) -> Case:
    """评价: 满意/基本满意 archive; the first 不满意 reopens, the second escalates."""
    locked = _lock(case, expected_version)
    if not _may_rate(locked, acting_user, access_token):
        raise PermissionDenied(_("只有反映人可以评价该诉求件"))
    _allow(locked, "rate")
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择满意、基本满意或不满意")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("不能超过 %(n)d 个字") % {"n": 500}})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.rating, locked.rating_comment, locked.rated_at = rating, comment, now
    data: dict = {"rating": rating}
    handlers = _handlers(locked)
    if rating != Rating.UNSATISFIED:
        locked.status, locked.archived_at = S.ARCHIVED, now
    elif locked.reopen_count == 0:
        locked.reopen_count, locked.status, locked.resolved_at = 1, S.IN_PROGRESS, None
        workdays = resolution_workdays(locked.category, locked.priority)
        locked.resolution_due = resolution_deadline(now, workdays)
        locked.expected_resolution = locked.resolution_due
        data["reopened"] = True
    else:
        data["escalated_to"] = _escalate(locked).pk
        locked.resolved_at = None
    _finish(locked, acting_user=acting_user, kind=EventKind.RATED, action="rate_case",
            before=before, from_status=from_status, note=comment, data=data)
    if data.get("reopened"):
        _tell(_reporter(locked) + handlers, locked, "reopened",
              _("诉求件重新办理：%(title)s") % {"title": locked.title}, comment)
    elif "escalated_to" in data:
        _tell(level_staff(locked.handling_area), locked, "escalated",
              _("群众再次不满意，已上报：%(title)s") % {"title": locked.title}, comment)
    _sync(case, locked)
    return locked


@transaction.atomic
def _archive_one(pk: int, cutoff: datetime) -> bool:
    case = Case.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if case is None or case.status != S.RESOLVED or not case.resolved_at:
        return False
    if case.resolved_at >= cutoff:
        return False
    before = audit.snapshot(case, AUDIT_FIELDS)
    case.status, case.archived_at = S.ARCHIVED, timezone.now()
    _finish(case, acting_user=None, kind=EventKind.ARCHIVED, action="archive_unrated",
            before=before, from_status=S.RESOLVED, note=_("逾期未评价，自动归档"),
            data={"unrated": True})
    return True


def archive_unrated(*, now: datetime | None = None) -> int:
    """Archive resolved cases nobody rated within GONGZHI_RATING_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.GONGZHI_RATING_DAYS)
    ids = Case.objects.filter(status=S.RESOLVED, resolved_at__lt=cutoff).values_list(
        "pk", flat=True)
    return sum(_archive_one(pk, cutoff) for pk in list(ids))


@transaction.atomic
def support_case(*, case: Case, acting_user=None, phone: str = "") -> Supporter | None:
    """附议 ("me too"); once per person. The reporter's own case needs no support."""
    locked = _lock(case)
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    phone = (phone or "").strip()
    if user is None and not phone:
        raise ValidationError({"phone": _("请登录或留下联系电话")})
    if phone and not PHONE_RE.match(phone):
        raise ValidationError({"phone": _("联系电话格式不正确")})
    if user is not None and locked.reporter_id == user.pk:
        return None
    existing = locked.supporters.filter(**({"user": user} if user else {"phone": phone,
                                                                         "user": None}))
    if existing.exists():
        return existing.first()
    _allow(locked, "support")
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    supporter = Supporter.objects.create(case=locked, user=user, phone=phone if not user else "")
    _finish(locked, acting_user=acting_user, kind=EventKind.SUPPORTED, action="support_case",
            before=before, from_status=from_status, data={"supporter": supporter.pk})
    _sync(case, locked)
    return supporter


@transaction.atomic
def merge_cases(*, duplicate: Case, into: Case, acting_user,
                expected_version: int | None = None) -> Case:
    """Merge a duplicate into the surviving case; its reporter and supporters follow.

    ``expected_version`` is the duplicate's, as the caller last read it.
    """
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能与自身合并"))
    # Lock both rows in id order so two merges never wait on each other.
    first, second = sorted([duplicate.pk, into.pk])
    locked = {c.pk: c for c in Case.objects.select_for_update(of=("self",))
              .filter(pk__in=[first, second]).order_by("pk")}
    dup, target = locked[duplicate.pk], locked[into.pk]
    if expected_version is not None and int(expected_version) != dup.version:
        raise CaseConflict()
    require_triage(acting_user, dup)
    require_triage(acting_user, target)
    _allow(dup, "merge")
    _allow(target, "merge")
    before, from_status = audit.snapshot(dup, AUDIT_FIELDS), dup.status
    have = set(target.supporters.exclude(user=None).values_list("user_id", flat=True))
    have.add(target.reporter_id)
    phones = set(target.supporters.filter(user=None).values_list("phone", flat=True))
    people = [(dup.reporter_id, "" if dup.reporter_id else dup.reporter_phone)]
    people += list(dup.supporters.values_list("user_id", "phone"))
    added = 0
    for user_id, phone in people:
        if (user_id and user_id in have) or (not user_id and (not phone or phone in phones)):
            continue
        Supporter.objects.create(case=target, user_id=user_id, phone="" if user_id else phone,
                                 from_case=dup)
        have.add(user_id)
        phones.add(phone)
        added += 1
    dup.status, dup.merged_into = S.MERGED, target
    _finish(dup, acting_user=acting_user, kind=EventKind.MERGED, action="merge_cases",
            before=before, from_status=from_status, data={"into": target.pk, "added": added})
    target.version += 1
    target.save()
    CaseEvent.objects.create(case=target, actor=_actor(acting_user), kind=EventKind.MERGED,
                             from_status=target.status, to_status=target.status,
                             data={"from_case": dup.pk, "added": added})
    _tell(_reporter(dup), dup, "merged",
          _("您反映的问题已与同类诉求合并办理：%(title)s") % {"title": target.title})
    _sync(duplicate, dup)
    _sync(into, target)
    return target


# --- configuration (administrators) ---------------------------------------------------

CATEGORY_FIELDS = ["parent", "code", "name", "response_hours", "resolution_workdays",
                   "urgent_response_hours", "urgent_resolution_workdays", "keywords", "order",
                   "is_active"]


@transaction.atomic
def save_category(*, category: Category, acting_user) -> Category:
    """Create or change a category (two levels: group › category). Never deleted: deactivate."""
    if acting_user is not None:
        require_administrator(acting_user)
    parent = category.parent
    if parent is not None and (parent.parent_id is not None or parent.pk == category.pk):
        raise ValidationError({"parent": _("分类最多两级：上级分类必须是顶层分类")})
    if category.pk and parent is not None and category.children.exists():
        raise ValidationError({"parent": _("有下级分类的分类不能再设上级")})
    for field in ("response_hours", "resolution_workdays", "urgent_response_hours",
                  "urgent_resolution_workdays"):
        if not getattr(category, field):
            raise ValidationError({field: _("时限须大于 0")})
    if category.urgent_response_hours > category.response_hours or (
            category.urgent_resolution_workdays > category.resolution_workdays):
        raise ValidationError(_("紧急时限不能长于一般时限"))
    old = Category.objects.filter(pk=category.pk).first() if category.pk else None
    category.full_clean()
    category.save()
    audit.record(actor=acting_user,
                 action="cases.change_category" if old else "cases.create_category",
                 obj=category, area_path="",
                 before=audit.snapshot(old, CATEGORY_FIELDS) if old else None,
                 after=audit.snapshot(category, CATEGORY_FIELDS))
    return category


@transaction.atomic
def save_routing_rule(*, area: AreaNode, category: Category, organisation: Organisation,
                      acting_user) -> RoutingRule:
    """Area + category → the body that gets such cases by default (replaces an older rule)."""
    if acting_user is not None:
        require(acting_user, Perm.CONFIGURE_CASES, area)
    if not organisation.is_active:
        raise ValidationError({"organisation": _("该单位已停用")})
    rule = RoutingRule.objects.select_for_update().filter(area=area, category=category).first()
    before = {"organisation": rule.organisation_id} if rule else None
    if rule is None:
        rule = RoutingRule(area=area, category=category)
    rule.organisation = organisation
    rule.save()
    audit.record(actor=acting_user, action="cases.save_routing_rule", obj=rule,
                 area_path=area.path, before=before,
                 after={"area": area.pk, "category": category.pk,
                        "organisation": organisation.pk})
    return rule


@transaction.atomic
def delete_routing_rule(*, rule: RoutingRule, acting_user) -> None:
    if acting_user is not None:
        require(acting_user, Perm.CONFIGURE_CASES, rule.area)
    audit.record(actor=acting_user, action="cases.delete_routing_rule", obj=rule,
                 area_path=rule.area.path,
                 before={"area": rule.area_id, "category": rule.category_id,
                         "organisation": rule.organisation_id})
    rule.delete()
