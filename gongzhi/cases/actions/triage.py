"""Triage (分拨): accept or reject, classify, dispatch, forward, escalate, merge."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, User
from gongzhi.cases.actions._common import (
    AUDIT_FIELDS,
    CaseConflict,
    S,
    actor,
    allow,
    check_category,
    finish,
    handlers_of,
    level_staff,
    lock_case,
    move_up,
    reporter_of,
    sync,
    tell,
)
from gongzhi.cases.actions.deadlines import set_deadlines
from gongzhi.cases.models import Case, CaseEvent, Category, EventKind, Priority, Supporter
from gongzhi.cases.permissions import may_be_assigned, require_handle, require_triage
from gongzhi.cases.routing import responsible_org
from gongzhi.cases.suggest import learn
from gongzhi.core import audit
from gongzhi.core.checks import required_text


@transaction.atomic
def accept_case(*, case: Case, category: Category, acting_user, priority: str | None = None,
                note: str = "", expected_version: int | None = None) -> Case:
    """受理: classify the case and start its clocks."""
    locked = lock_case(case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "accept")
    check_category(category)
    priority = priority or None  # a form's empty choice keeps the reported priority
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": _("未知的紧急程度")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    now = timezone.now()
    locked.category, locked.priority = category, priority or locked.priority
    locked.status, locked.accepted_at = S.ACCEPTED, now
    set_deadlines(locked, start=now)
    finish(locked, acting_user=acting_user, kind=EventKind.ACCEPTED, action="accept_case",
            before=before, from_status=from_status, note=(note or "").strip(),
            data={"category": category.pk})
    learn(locked)
    tell(reporter_of(locked), locked, "accepted",
          _("您反映的问题已受理：%(title)s") % {"title": locked.title})
    sync(case, locked)
    return locked


@transaction.atomic
def reject_case(*, case: Case, reason: str, acting_user,
                expected_version: int | None = None) -> Case:
    locked = lock_case(case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "reject")
    reason = required_text(reason, "reason", _("请填写不予受理的原因"), 200)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.status, locked.rejection_reason = S.REJECTED, reason
    finish(locked, acting_user=acting_user, kind=EventKind.REJECTED, action="reject_case",
            before=before, from_status=from_status, note=reason)
    tell(reporter_of(locked), locked, "rejected",
          _("您反映的问题不予受理：%(title)s") % {"title": locked.title}, reason)
    sync(case, locked)
    return locked


@transaction.atomic
def reclassify_case(*, case: Case, category: Category, acting_user,
                    expected_version: int | None = None) -> Case:
    """Change the category; the clocks restart only while the case is not yet dispatched."""
    locked = lock_case(case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "reclassify")
    check_category(category)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    old = locked.category
    locked.category = category
    if locked.dispatched_at is None:
        set_deadlines(locked, start=locked.accepted_at or timezone.now())
    finish(locked, acting_user=acting_user, kind=EventKind.RECLASSIFIED,
            action="reclassify_case", before=before, from_status=from_status,
            data={"from_category": getattr(old, "pk", None), "category": category.pk})
    learn(locked, unlearn=old)
    sync(case, locked)
    return locked


def _default_org(case: Case) -> Organisation | None:
    return responsible_org(case.area, case.category) if case.category_id else None


@transaction.atomic
def dispatch_case(*, case: Case, acting_user, to_user: User | None = None,
                  to_org: Organisation | None = None, note: str = "",
                  expected_version: int | None = None) -> Case:
    """派单 to one person or one organisation (by default the routing rule's body)."""
    locked = lock_case(case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "dispatch")
    if to_user is not None and to_org is not None:
        raise ValidationError(_("请只选择承办人或承办单位之一"))
    if to_user is None and to_org is None:
        to_org = _default_org(locked)
        if to_org is None:
            raise ValidationError(_("没有默认承办单位，请选择承办人或承办单位"))
    if to_user is not None and not may_be_assigned(to_user, locked):
        raise ValidationError({"to_user": _("承办人须为负责该区域的在职工作人员")})
    if to_org is not None and not to_org.is_active:
        raise ValidationError({"to_org": _("该承办单位已停用")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    locked.assignee, locked.assignee_org = to_user, to_org
    locked.status, locked.dispatched_at = S.DISPATCHED, timezone.now()
    finish(locked, acting_user=acting_user, kind=EventKind.DISPATCHED, action="dispatch_case",
            before=before, from_status=from_status, note=(note or "").strip(),
            data={"to_user": getattr(to_user, "pk", None), "to_org": getattr(to_org, "pk", None)})
    tell(handlers_of(locked), locked, "dispatched",
          _("新的派单：%(title)s") % {"title": locked.title}, note)
    sync(case, locked)
    return locked


@transaction.atomic
def forward_case(*, case: Case, to_org: Organisation, reason: str, acting_user,
                 expected_version: int | None = None) -> Case:
    """转办: hand the case to another organisation, with the reason why."""
    locked = lock_case(case, expected_version)
    require_handle(acting_user, locked)
    allow(locked, "forward")
    reason = required_text(reason, "reason", _("请填写转办理由"), 500)
    if not isinstance(to_org, Organisation) or not to_org.is_active:
        raise ValidationError({"to_org": _("请选择有效的承办单位")})
    if to_org.pk == locked.assignee_org_id:
        raise ValidationError({"to_org": _("该诉求件已由此单位承办")})
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    from_org = locked.assignee_org_id
    locked.assignee, locked.assignee_org, locked.status = None, to_org, S.DISPATCHED
    finish(locked, acting_user=acting_user, kind=EventKind.FORWARDED, action="forward_case",
            before=before, from_status=from_status, note=reason,
            data={"from_org": from_org, "to_org": to_org.pk})
    tell(handlers_of(locked), locked, "forwarded",
          _("转办：%(title)s") % {"title": locked.title}, reason)
    sync(case, locked)
    return locked



@transaction.atomic
def escalate_case(*, case: Case, reason: str, acting_user,
                  expected_version: int | None = None) -> Case:
    """上报 / 吹哨: the level above takes over triage and dispatches to its departments."""
    locked = lock_case(case, expected_version)
    require_triage(acting_user, locked)
    allow(locked, "escalate")
    reason = required_text(reason, "reason", _("请填写上报理由"), 500)
    before, from_status = audit.snapshot(locked, AUDIT_FIELDS), locked.status
    old_handlers = handlers_of(locked)
    above = move_up(locked)
    finish(locked, acting_user=acting_user, kind=EventKind.ESCALATED, action="escalate_case",
            before=before, from_status=from_status, note=reason, data={"to_area": above.pk})
    tell(level_staff(above), locked, "escalated",
          _("下级上报：%(title)s") % {"title": locked.title}, reason)
    tell(old_handlers, locked, "escalated", _("已上报上级：%(title)s") % {"title": locked.title})
    sync(case, locked)
    return locked



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
    allow(dup, "merge")
    allow(target, "merge")
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
    finish(dup, acting_user=acting_user, kind=EventKind.MERGED, action="merge_cases",
            before=before, from_status=from_status, data={"into": target.pk, "added": added})
    target.version += 1
    target.save()
    CaseEvent.objects.create(case=target, actor=actor(acting_user), kind=EventKind.MERGED,
                             from_status=target.status, to_status=target.status,
                             data={"from_case": dup.pk, "added": added})
    tell(reporter_of(dup), dup, "merged",
          _("您反映的问题已与同类诉求合并办理：%(title)s") % {"title": target.title})
    sync(duplicate, dup)
    sync(into, target)
    return target
