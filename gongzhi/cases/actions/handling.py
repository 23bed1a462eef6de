"""Handling (办理): start, notes and the five questions, deliberation, extensions,
the result."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import photos as case_photos
from gongzhi.cases.actions._common import (
    AUDIT_FIELDS,
    FIVE_QUESTIONS,
    MAX_EXTENSION_WORKDAYS,
    CaseConflict,
    S,
    actor,
    allow,
    finish,
    level_staff,
    lock_case,
    reporter_of,
    sync,
    tell,
)
from gongzhi.cases.actions.deadlines import resolution_deadline
from gongzhi.cases.models import Case, CaseEvent, EventKind, ExtensionRequest, ExtensionStatus
from gongzhi.cases.permissions import require_handle, require_triage
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.permissions import Perm, can


@transaction.atomic
def start_case(*, case: Case, acting_user, note: str = "",
               expected_version: int | None = None) -> Case:
    """The handler acknowledges the case: it is being worked on."""
    locked = lock_case(case, expected_version)
    require_handle(acting_user, locked)
    allow(locked, "start")
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.status = S.IN_PROGRESS
    locked.responded_at = locked.responded_at or timezone.now()
    finish(locked, acting_user=acting_user, kind=EventKind.STARTED, action="start_case",
            before=before, from_status=from_status, note=(note or "").strip())
    sync(case, locked)
    return locked


@transaction.atomic
def add_note(*, case: Case, note: str, acting_user, internal: bool = True,
             five_questions: dict | None = None, expected_version: int | None = None) -> CaseEvent:
    """A handling note, optionally filling the five questions (问需求/原因/方案/进度/成效)."""
    locked = lock_case(case, expected_version)
    require_handle(acting_user, locked)
    allow(locked, "note")
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
    event = finish(locked, acting_user=acting_user, kind=EventKind.NOTE, action="add_note",
                    before=before, from_status=from_status, note=note,
                    internal=bool(internal), data={"five_questions": answers} if answers else {})
    sync(case, locked)
    return event


@transaction.atomic
def record_deliberation(*, case: Case, note: str, acting_user, data: dict | None = None
                        ) -> CaseEvent:
    """议事协商: the case went to a council, or the council decided on it. A public step of
    the timeline in any state (a decision may come after the case is archived); the
    reporter is told."""
    locked = lock_case(case)
    if acting_user is not None and not can(acting_user, Perm.RUN_COUNCILS, locked):
        raise PermissionDenied(_("您无权将该诉求提交议事协商"))
    note = required_text(note, "note", _("请填写说明"), 2000)
    before = audit.snapshot(locked, AUDIT_FIELDS)
    event = finish(locked, acting_user=acting_user, kind=EventKind.DELIBERATED,
                    action="record_deliberation", before=before, from_status=locked.status,
                    note=note, data=data or {})
    tell(reporter_of(locked), locked, "deliberated",
          _("您反映的问题已提交议事协商：%(title)s") % {"title": locked.title}, note)
    sync(case, locked)
    return event


@transaction.atomic
def request_extension(*, case: Case, workdays: int, reason: str, acting_user,
                      expected_version: int | None = None) -> ExtensionRequest:
    """延期: the handler asks for more working days; triage staff decide."""
    locked = lock_case(case, expected_version)
    require_handle(acting_user, locked)
    allow(locked, "request_extension")
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
    finish(locked, acting_user=acting_user, kind=EventKind.EXTENSION_REQUESTED,
            action="request_extension", before=before, from_status=from_status, note=reason,
            data={"extension": extension.pk, "workdays": workdays})
    tell(level_staff(locked.handling_area), locked, "extension_requested",
          _("延期申请：%(title)s") % {"title": locked.title}, reason)
    sync(case, locked)
    return extension


@transaction.atomic
def decide_extension(*, extension: ExtensionRequest, approve: bool, acting_user,
                     note: str = "", expected_version: int | None = None) -> ExtensionRequest:
    """Approve (the deadline moves by the working days asked) or refuse an extension."""
    locked = lock_case(extension.case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "decide_extension")
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise CaseConflict()
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at = actor(acting_user), timezone.now()
    extension.save()
    if approve:
        base = locked.resolution_due or timezone.now()
        locked.resolution_due = resolution_deadline(base, extension.workdays)
        locked.expected_resolution = locked.resolution_due
    finish(locked, acting_user=acting_user, kind=EventKind.EXTENSION_DECIDED,
            action="decide_extension", before=before, from_status=from_status,
            note=(note or "").strip(), data={"extension": extension.pk, "approved": bool(approve)})
    title = _("延期已批准：%(title)s") if approve else _("延期未批准：%(title)s")
    tell([extension.requested_by], locked, "extension_decided",
          title % {"title": locked.title}, note)
    return extension


@transaction.atomic
def resolve_case(*, case: Case, result: str, acting_user, photos=(),
                 expected_version: int | None = None) -> Case:
    """办结: the handler reports the result (with photos); the reporter is asked to rate."""
    locked = lock_case(case, expected_version)
    require_handle(acting_user, locked)
    allow(locked, "resolve")
    result = required_text(result, "result", _("请填写办理结果"), 5000)
    checked = case_photos.check_photos(photos)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.status, locked.result, locked.resolved_at = S.RESOLVED, result, now
    locked.responded_at = locked.responded_at or now
    event = finish(locked, acting_user=acting_user, kind=EventKind.RESOLVED,
                    action="resolve_case", before=before, from_status=from_status, note=result,
                    data={"photos": len(checked)})
    case_photos.save_photos(case=locked, event=event, photos=checked)
    tell(reporter_of(locked), locked, "resolved",
          _("您反映的问题已办结，请评价：%(title)s") % {"title": locked.title}, result)
    sync(case, locked)
    return locked
