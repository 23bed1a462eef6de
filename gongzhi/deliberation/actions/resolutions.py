"""Resolutions (决议): after a poll passes or a council decides — approval by the level above
(报街道审批), public notice (公示) with objections, then carried out. Every step is shown to
the residents of the area."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import ancestor_paths
from gongzhi.deliberation.actions._common import actor, require_runner, text
from gongzhi.deliberation.models import (
    Poll,
    PollStatus,
    Resolution,
    ResolutionStatus,
    Topic,
    TopicStatus,
)
from gongzhi.notices.actions import draft_notice, in_period, publish_notice
from gongzhi.notices.models import NoticeKind

FIELDS = ["title", "area", "poll", "topic", "status", "decision_note", "notice"]
S = ResolutionStatus

# Who approves what is decided at a level: the street for a community and everything
# below it (报街道 / 镇党委审批); the level above for a street or a district.
_ABOVE = {AreaKind.STREET: AreaKind.DISTRICT, AreaKind.DISTRICT: AreaKind.CITY}


def approving_area(area: AreaNode) -> AreaNode:
    kind = _ABOVE.get(area.kind, AreaKind.STREET)
    node = (AreaNode.objects.filter(path__in=ancestor_paths(area.path), kind=kind)
            .order_by("-path").first())
    if node is None:
        raise ValidationError(_("找不到负责审批的上级（街道）"))
    return node


def may_approve(user, resolution: Resolution) -> bool:
    return can(user, Perm.RUN_COUNCILS, approving_area(resolution.area).path)


def _lock(resolution: Resolution) -> Resolution:
    return (Resolution.objects.select_for_update(of=("self",)).select_related("area")
            .get(pk=resolution.pk))


def _step(resolution: Resolution, acting_user, action: str, before: dict, **extra) -> None:
    resolution.save()
    audit.record(actor=acting_user, action=f"deliberation.{action}", obj=resolution,
                 before=before, after=audit.snapshot(resolution, FIELDS) | extra)


def _residents(area_path: str):
    return User.objects.filter(resident__household__area_path__startswith=area_path,
                               is_active=True)


@transaction.atomic
def draft_resolution(*, title: str, body: str, acting_user, poll: Poll | None = None,
                     topic: Topic | None = None, area: AreaNode | None = None,
                     subject: str = "") -> Resolution:
    """A resolution from a passed poll or a decided topic (or, rarely, neither)."""
    if poll is not None:
        if poll.status != PollStatus.CLOSED or not (poll.outcome or {}).get("passed"):
            raise ValidationError({"poll": _("只有已通过的表决可以形成决议")})
        area = poll.area
        topic = topic or poll.topic
    elif topic is not None:
        if topic.status != TopicStatus.DECIDED:
            raise ValidationError({"topic": _("议题尚未形成决定")})
        area = topic.area
    if area is None:
        raise ValidationError({"area": _("请选择区域")})
    require_runner(acting_user, area)
    resolution = Resolution.objects.create(
        title=text(title, "title", _("请填写决议名称"), 100),
        text=text(body, "text", _("请填写决议内容"), 20000), area=area, area_path=area.path,
        poll=poll, topic=topic, created_by=actor(acting_user), subject=(subject or "")[:60])
    audit.record(actor=acting_user, action="deliberation.draft_resolution", obj=resolution,
                 after=audit.snapshot(resolution, FIELDS))
    return resolution


@transaction.atomic
def submit_resolution(*, resolution: Resolution, acting_user) -> Resolution:
    """拟定 → 报批中 (or again after a refusal, once amended)."""
    resolution = _lock(resolution)
    require_runner(acting_user, resolution.area_path)
    if resolution.status not in (S.DRAFT, S.REJECTED):
        raise ValidationError(_("该决议已报批"))
    before = audit.snapshot(resolution, FIELDS)
    resolution.status, resolution.submitted_at = S.SUBMITTED, timezone.now()
    _step(resolution, acting_user, "submit_resolution", before)
    above = approving_area(resolution.area)
    approvers = User.objects.filter(is_active=True, role_grants__area=above).distinct()
    notify(approvers, kind="deliberation.resolution_submitted",
           title=_("决议报批：%(title)s") % {"title": resolution.title},
           url=f"/deliberation/resolutions/{resolution.pk}/")
    return resolution


@transaction.atomic
def decide_resolution(*, resolution: Resolution, approve: bool, note: str, acting_user
                      ) -> Resolution:
    """The level above approves (批准) or refuses (不予批准, with reasons)."""
    resolution = _lock(resolution)
    if acting_user is None or not may_approve(acting_user, resolution):
        raise PermissionDenied(_("只有上级（街道）可以审批该决议"))
    if resolution.status != S.SUBMITTED:
        raise ValidationError(_("该决议不在报批中"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不予批准须写明理由")})
    before = audit.snapshot(resolution, FIELDS)
    resolution.status = S.APPROVED if approve else S.REJECTED
    resolution.decided_by, resolution.decided_at = actor(acting_user), timezone.now()
    resolution.decision_note = note[:300]
    _step(resolution, acting_user, "decide_resolution", before)
    if resolution.created_by_id:
        notify([resolution.created_by], kind="deliberation.resolution_decided",
               title=(_("决议已批准：%(title)s") if approve else _("决议未获批准：%(title)s"))
               % {"title": resolution.title}, body=note,
               url=f"/deliberation/resolutions/{resolution.pk}/")
    return resolution


def _notice_body(resolution: Resolution) -> str:
    lines = [resolution.text]
    if resolution.poll_id:
        lines.append(_("表决结果详见：/deliberation/polls/%(id)d/result/")
                     % {"id": resolution.poll_id})
    if resolution.decided_at:
        lines.append(_("已经上级审批（%(when)s）。") % {
            "when": timezone.localtime(resolution.decided_at).strftime("%Y-%m-%d")})
    return "\n\n".join(lines)


@transaction.atomic
def publish_resolution(*, resolution: Resolution, acting_user, period_days: int = 7
                       ) -> Resolution:
    """已批准 → 公示中: a public notice to the area, open to objections for its period."""
    resolution = _lock(resolution)
    require_runner(acting_user, resolution.area_path)
    if resolution.status != S.APPROVED:
        raise ValidationError(_("决议须经上级批准后才能公示"))
    notice = draft_notice(title=resolution.title, body=_notice_body(resolution),
                          area=resolution.area, acting_user=acting_user,
                          kind=NoticeKind.RESOLUTION, period_days=period_days,
                          subject=f"deliberation.resolution:{resolution.pk}")
    publish_notice(notice=notice, acting_user=acting_user)
    before = audit.snapshot(resolution, FIELDS)
    resolution.status, resolution.notice = S.NOTICE, notice
    _step(resolution, acting_user, "publish_resolution", before)
    return resolution


@transaction.atomic
def carry_out_resolution(*, resolution: Resolution, note: str, acting_user) -> Resolution:
    """公示期满、异议已答复 → 已实施, linked to the case it drives (which is told)."""
    from gongzhi.cases.actions import record_deliberation
    from gongzhi.notices.models import ObjectionStatus

    resolution = _lock(resolution)
    require_runner(acting_user, resolution.area_path)
    if resolution.status != S.NOTICE:
        raise ValidationError(_("决议须公示后才能实施"))
    notice = resolution.notice
    if in_period(notice):
        raise ValidationError(_("公示期未满，暂不能实施"))
    if notice.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise ValidationError(_("公示期内的异议尚未全部答复"))
    note = text(note, "note", _("请填写实施情况"), 5000)
    before = audit.snapshot(resolution, FIELDS)
    resolution.status, resolution.carried_out_at = S.CARRIED_OUT, timezone.now()
    resolution.carried_out_note = note
    _step(resolution, acting_user, "carry_out_resolution", before)
    case = resolution.topic.case if resolution.topic_id and resolution.topic.case_id else None
    if case is not None:
        record_deliberation(case=case, acting_user=acting_user,
                            note=_("决议“%(title)s”已实施：%(note)s")
                            % {"title": resolution.title, "note": note},
                            data={"resolution": resolution.pk})
    notify(_residents(resolution.area_path), kind="deliberation.resolution_carried_out",
           title=_("决议已实施：%(title)s") % {"title": resolution.title},
           url=f"/deliberation/resolutions/{resolution.pk}/")
    return resolution
