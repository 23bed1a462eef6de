"""Projects and their stages: 储备 → 谋划 → 实施 → 验收 → 长效管理.

The plan (the list of items) goes to the residents through ``deliberation`` — an owners'
vote under art. 278 or a household consultation — and only a plan they passed can be
submitted to the street; only an approved plan may start works; acceptance needs every
item finished, and long-term management every item accepted.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.tree import ancestor_paths
from gongzhi.deliberation import actions as deliberation
from gongzhi.deliberation.actions.resolutions import approving_area
from gongzhi.deliberation.models import ConsultationStatus, PollStatus, ResolutionStatus
from gongzhi.deliberation.selectors import consultation_summary
from gongzhi.notices.actions import draft_notice, publish_notice
from gongzhi.notices.models import NoticeKind
from gongzhi.renewal.actions._common import (
    actor,
    community_staff,
    lock_project,
    may_manage,
    record_project,
    require_manager,
    text,
)
from gongzhi.renewal.models import (
    Batch,
    CompoundRecord,
    ItemStatus,
    Management,
    PlanStatus,
    Project,
    Stage,
    built_before,
)

P = PlanStatus
# Items may change only while the plan is still the community's draft.
EDITABLE_PLAN = (P.DRAFT, P.FAILED, P.REFUSED)


def plan_editable(project: Project) -> bool:
    """The plan may change while it is the community's draft: never put to the residents,
    voted down (未通过), or refused by the street."""
    if project.stage not in (Stage.RESERVE, Stage.PLANNING):
        return False
    if project.plan_status == P.VOTING:
        return vote_result(project) == "failed"
    return project.plan_status in EDITABLE_PLAN


def project_url(project: Project) -> str:
    return f"/renewal/projects/{project.pk}/"


def _residents(project: Project):
    paths = list(project.compounds.values_list("path", flat=True)) or [project.area_path]
    users = User.objects.none()
    for path in paths:
        users |= User.objects.filter(resident__household__area_path__startswith=path,
                                     is_active=True)
    return users.distinct()


@transaction.atomic
def create_batch(*, year: int, name: str, area: AreaNode, acting_user) -> Batch:
    """年度批次 of a street (or district)."""
    require_manager(acting_user, area)
    if area.kind not in (AreaKind.STREET, AreaKind.DISTRICT, AreaKind.CITY):
        raise ValidationError({"area": _("改造批次由街道或区统筹")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("请填写年度（如 2026）")})
    name = text(name, "name", _("请填写批次名称"), 100)
    if Batch.objects.filter(area=area, year=year, name=name).exists():
        raise ValidationError({"name": _("该年度已有同名批次")})
    batch = Batch.objects.create(year=year, name=name, area=area, area_path=area.path)
    audit.record(actor=acting_user, action="renewal.create_batch", obj=batch,
                 after={"year": year, "name": name, "area": area.pk})
    return batch


def check_eligible(compound: AreaNode) -> CompoundRecord:
    """A compound may be renovated when its record says it was built before the cut-off."""
    record = CompoundRecord.objects.filter(compound=compound).first()
    if record is None or record.built_year is None:
        raise ValidationError({"compounds": _("请先在小区档案中填写“%(name)s”的建成年份")
                               % {"name": compound.name}})
    if not record.eligible:
        raise ValidationError({"compounds": _(
            "“%(name)s”建成于 %(year)d 年，不在改造范围（%(before)d 年以前建成的小区）")
            % {"name": compound.name, "year": record.built_year, "before": built_before()}})
    return record


def _project_area(compounds: list[AreaNode]) -> AreaNode:
    """The compound itself, or the nearest node holding every compound (their community)."""
    if len(compounds) == 1:
        return compounds[0]
    common = set(ancestor_paths(compounds[0].path))
    for compound in compounds[1:]:
        common &= set(ancestor_paths(compound.path))
    node = AreaNode.objects.filter(path__in=common).order_by("-path").first()
    if node is None or node.kind not in (AreaKind.COMMUNITY, AreaKind.GRID_LARGE,
                                         AreaKind.GRID_SMALL):
        raise ValidationError({"compounds": _("一个项目的小区须属于同一社区")})
    return node


@transaction.atomic
def create_project(*, name: str, compounds: list[AreaNode], acting_user,
                   batch: Batch | None = None, summary: str = "",
                   planned_start: date | None = None, planned_end: date | None = None
                   ) -> Project:
    """A project in reserve (储备) for one compound or several side by side."""
    compounds = list({c.pk: c for c in compounds or ()}.values())
    if not compounds or any(c.kind != AreaKind.COMPOUND for c in compounds):
        raise ValidationError({"compounds": _("请选择要改造的小区")})
    area = _project_area(compounds)
    require_manager(acting_user, area)
    for compound in compounds:
        check_eligible(compound)
    if batch is not None and not area.path.startswith(batch.area_path):
        raise ValidationError({"batch": _("该批次不包含这个小区")})
    if planned_start and planned_end and planned_end < planned_start:
        raise ValidationError({"planned_end": _("计划完工不能早于计划开工")})
    project = Project.objects.create(
        name=text(name, "name", _("请填写项目名称"), 100), batch=batch, area=area,
        area_path=area.path, summary=(summary or "").strip()[:5000],
        planned_start=planned_start, planned_end=planned_end, created_by=actor(acting_user))
    project.compounds.set(compounds)
    record_project(project, acting_user, "create_project", None,
                   compounds=[c.pk for c in compounds])
    return project


def _advance(project: Project, acting_user, action: str, frm: str, to: str,
             **extra) -> Project:
    if project.stage != frm:
        raise ValidationError(_("项目当前处于“%(stage)s”阶段，不能执行该操作")
                              % {"stage": project.get_stage_display()})
    before = audit.snapshot(project, ["stage"])
    project.stage = to
    for name, value in extra.items():
        setattr(project, name, value)
    project.save()
    record_project(project, acting_user, action, before)
    return project


@transaction.atomic
def start_planning(*, project: Project, acting_user) -> Project:
    """储备 → 谋划: the community starts the survey and the plan."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    return _advance(project, acting_user, "start_planning", Stage.RESERVE, Stage.PLANNING)


def plan_text(project: Project) -> str:
    """The plan as residents read it on the ballot: every item, by category, with its cost."""
    from gongzhi.renewal.selectors import plan_by_category

    lines = [project.summary] if project.summary else []
    for category, items, budget in plan_by_category(project):
        lines.append(_("%(category)s（%(n)d 项，预算 %(budget)s 元）：")
                     % {"category": category, "n": len(items), "budget": f"{budget:,.2f}"})
        lines += [f"  {i}. {item.name}" + (f" {item.quantity:g}{item.unit}" if item.quantity
                                            else "") + f"，{item.budget:,.2f} 元"
                  for i, item in enumerate(items, start=1)]
    lines.append(_("项目详情：%(url)s") % {"url": project_url(project)})
    return "\n".join(lines)


@transaction.atomic
def put_plan_to_vote(*, project: Project, acting_user, opens_at: datetime,
                     closes_at: datetime, via: str = "poll", matter: str = "rebuild",
                     council=None) -> Project:
    """The plan goes to the residents: an owners' vote (art. 278, 表决) or a household
    consultation (征询). The items cannot change while it is out."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage != Stage.PLANNING:
        raise ValidationError(_("只有谋划阶段的项目可以征求居民意见"))
    if not plan_editable(project):
        raise ValidationError(_("改造方案已在征求意见或已通过"))
    if not project.items.exists():
        raise ValidationError(_("改造方案还没有改造内容"))
    if via not in ("poll", "consultation"):
        raise ValidationError({"via": _("请选择表决或征询")})
    title = _("%(name)s改造方案") % {"name": project.name}
    before = audit.snapshot(project, ["plan_status", "poll", "consultation"])
    if via == "poll":
        poll = deliberation.create_poll(
            title=title[:100], description=plan_text(project), area=project.area,
            electorate="households", matter=matter, council=council, opens_at=opens_at,
            closes_at=closes_at, acting_user=acting_user)
        project.poll = deliberation.open_poll(poll=poll, acting_user=acting_user)
        project.consultation = None
    else:
        project.consultation = deliberation.create_consultation(
            title=title[:100], description=plan_text(project), area=project.area,
            opens_at=opens_at, closes_at=closes_at, matter=matter, acting_user=acting_user)
        project.poll = None
    project.plan_status = P.VOTING
    project.save()
    record_project(project, acting_user, "put_plan_to_vote", before, via=via)
    notify(_residents(project), kind="renewal.plan_vote",
           title=_("请对改造方案表态：%(name)s") % {"name": project.name}, url=project_url(project))
    return project


def vote_result(project: Project) -> str:
    """"none", "open" (not yet counted), "passed" or "failed" for the plan's vote."""
    if project.poll_id:
        poll = project.poll
        if poll.status != PollStatus.CLOSED:
            return "open"
        return "passed" if (poll.outcome or {}).get("passed") else "failed"
    if project.consultation_id:
        consultation = project.consultation
        if consultation.status != ConsultationStatus.CLOSED:
            return "open"
        outcome = consultation_summary(consultation).as_answered
        return "passed" if outcome is not None and outcome.passed else "failed"
    return "none"


@transaction.atomic
def submit_plan(*, project: Project, acting_user) -> Project:
    """A plan the residents passed goes to the street as a resolution (报街道审批)."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.plan_status not in (P.VOTING, P.PASSED, P.REFUSED):
        raise ValidationError(_("改造方案尚未征求居民意见"))
    result = vote_result(project)
    if result == "open":
        raise ValidationError(_("居民表决（征询）尚未结束计票，不能报批"))
    if result != "passed":
        raise ValidationError(_("居民未通过改造方案，不能报批；请修改方案后重新征求意见"))
    before = audit.snapshot(project, ["plan_status", "resolution"])
    resolution = project.resolution
    if resolution is None or resolution.status != ResolutionStatus.REJECTED:
        title = _("关于实施%(name)s的决议") % {"name": project.name}
        resolution = deliberation.draft_resolution(
            title=title[:100], body=plan_text(project), acting_user=acting_user,
            poll=project.poll, area=None if project.poll_id else project.area,
            subject=f"renewal.project:{project.pk}")
    project.resolution = deliberation.submit_resolution(resolution=resolution,
                                                        acting_user=acting_user)
    project.plan_status = P.SUBMITTED
    project.save()
    record_project(project, acting_user, "submit_plan", before)
    return project


def may_approve(user, project: Project) -> bool:
    return may_manage(user, approving_area(project.area))


@transaction.atomic
def decide_plan(*, project: Project, approve: bool, note: str, acting_user,
                period_days: int = 7) -> Project:
    """The street approves the plan (and its resolution is published) or refuses it."""
    project = lock_project(project)
    if acting_user is None or not may_approve(acting_user, project):
        raise PermissionDenied(_("只有街道可以审批改造方案"))
    if project.plan_status != P.SUBMITTED:
        raise ValidationError(_("改造方案不在报批中"))
    if approve and vote_result(project) != "passed":  # never without the residents' yes
        raise ValidationError(_("居民未通过改造方案，不能批准"))
    before = audit.snapshot(project, ["plan_status"])
    resolution = deliberation.decide_resolution(resolution=project.resolution, approve=approve,
                                                note=note, acting_user=acting_user)
    if approve:
        project.resolution = deliberation.publish_resolution(
            resolution=resolution, acting_user=acting_user, period_days=period_days)
    project.plan_status = P.APPROVED if approve else P.REFUSED
    project.save()
    record_project(project, acting_user, "decide_plan", before, note=(note or "")[:300])
    notify(community_staff(project.area_path), kind="renewal.plan_decided",
           title=(_("改造方案已批准：%(name)s") if approve else _("改造方案未获批准：%(name)s"))
           % {"name": project.name}, body=note or "", url=project_url(project))
    return project


@transaction.atomic
def start_works(*, project: Project, acting_user) -> Project:
    """谋划 → 实施: only with the plan the residents passed and the street approved."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage == Stage.PLANNING and project.plan_status != P.APPROVED:
        raise ValidationError(_("改造方案经居民表决通过并经街道批准后才能开工"))
    project = _advance(project, acting_user, "start_works", Stage.PLANNING, Stage.WORKS,
                       started_at=timezone.now())
    notify(_residents(project), kind="renewal.works_started",
           title=_("改造开工：%(name)s") % {"name": project.name}, url=project_url(project))
    return project


@transaction.atomic
def start_acceptance(*, project: Project, acting_user) -> Project:
    """实施 → 验收: every item finished; the representatives and the community sign off."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage == Stage.WORKS:
        open_items = project.items.exclude(status__in=(ItemStatus.FINISHED,
                                                       ItemStatus.ACCEPTED))
        if not project.items.exists() or open_items.exists():
            names = "、".join(open_items.values_list("name", flat=True)[:5])
            raise ValidationError(_("还有改造内容未完工，不能验收：%(names)s") % {"names": names})
    project = _advance(project, acting_user, "start_acceptance", Stage.WORKS, Stage.ACCEPTANCE)
    from gongzhi.renewal.models import MemberRole

    representatives = User.objects.filter(
        renewal_roles__project=project, renewal_roles__role=MemberRole.REPRESENTATIVE,
        renewal_roles__left_at__isnull=True)
    notify(representatives, kind="renewal.acceptance",
           title=_("请参加改造验收：%(name)s") % {"name": project.name}, url=project_url(project))
    return project


def funding_notice_body(project: Project) -> str:
    from gongzhi.renewal.selectors import funding_summary

    summary = funding_summary(project)
    lines = [_("%(name)s已通过居民代表和社区验收。资金来源和使用情况如下（单位：元）：")
             % {"name": project.name}]
    for row in summary.by_source:
        lines.append(_("%(label)s：到位 %(amount)s，已落实 %(committed)s，已支出 %(spent)s")
                     % {"label": row.label, "amount": f"{row.amount:,.2f}",
                        "committed": f"{row.committed:,.2f}", "spent": f"{row.spent:,.2f}"})
    for row in summary.by_category:
        lines.append(_("%(label)s：预算 %(budget)s，已支出 %(spent)s")
                     % {"label": row.label, "budget": f"{row.budget:,.2f}",
                        "spent": f"{row.spent:,.2f}"})
    lines.append(_("合计支出 %(spent)s，其中居民出资 %(residents)s（占 %(share)s）。")
                 % {"spent": f"{summary.spent:,.2f}",
                    "residents": f"{summary.residents_spent:,.2f}",
                    "share": summary.residents_spent_share_text})
    lines.append(_("项目详情：%(url)s") % {"url": project_url(project)})
    return "\n".join(lines)


@transaction.atomic
def complete_acceptance(*, project: Project, acting_user, period_days: int = 7) -> Project:
    """验收 → 长效管理: every item accepted by both parties; the money is published
    (资金公开) as a finance notice that links back to the project."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage == Stage.ACCEPTANCE:
        waiting = project.items.exclude(status=ItemStatus.ACCEPTED)
        if waiting.exists():
            names = "、".join(waiting.values_list("name", flat=True)[:5])
            raise ValidationError(_("还有改造内容未通过验收：%(names)s") % {"names": names})
    if project.stage != Stage.ACCEPTANCE:
        raise ValidationError(_("项目不在验收阶段"))
    notice = draft_notice(title=(_("%(name)s资金使用公示") % {"name": project.name})[:100],
                          body=funding_notice_body(project), area=project.area,
                          acting_user=acting_user, kind=NoticeKind.FINANCE,
                          period_days=period_days, subject=f"renewal.project:{project.pk}")
    publish_notice(notice=notice, acting_user=acting_user)
    return _advance(project, acting_user, "complete_acceptance", Stage.ACCEPTANCE,
                    Stage.MANAGEMENT, accepted_at=timezone.now(), funding_notice=notice)


@transaction.atomic
def record_management(*, project: Project, management: str, acting_user,
                      manager: Organisation | None = None, convention: str = "") -> Project:
    """长效管理: who looks after the compound now, and the residents' convention; the
    compound records follow."""
    from gongzhi.renewal.actions.compounds import write_record

    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage != Stage.MANAGEMENT:
        raise ValidationError(_("项目验收后才能确定长效管理方式"))
    if management not in Management.values:
        raise ValidationError({"management": _("请选择长效管理方式")})
    if management == Management.PROPERTY and manager is None:
        raise ValidationError({"manager": _("物业管理须选择物业服务企业")})
    convention = (convention or "").strip()
    if len(convention) > 20000:
        raise ValidationError({"convention": _("不能超过 %(n)d 个字") % {"n": 20000}})
    before = audit.snapshot(project, ["management", "manager", "convention"])
    project.management, project.manager, project.convention = management, manager, convention
    project.save()
    for compound in project.compounds.all():
        write_record(compound, {"management": management, "manager": manager})
    record_project(project, acting_user, "record_management", before,
                   convention=bool(convention))
    return project

