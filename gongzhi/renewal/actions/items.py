"""Items of work (改造内容): the plan's list while it is drafted, then the works on site."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.cases.photos import check_photos
from gongzhi.core import audit
from gongzhi.renewal.actions._common import (
    actor,
    lock_project,
    may_manage,
    money,
    require_manager,
    save_photos,
    text,
)
from gongzhi.renewal.actions.projects import plan_editable
from gongzhi.renewal.models import (
    Category,
    ItemStatus,
    ProgressLog,
    Project,
    Stage,
    SurveyOption,
    WorkItem,
)
from gongzhi.renewal.models.projects import plan_order

ITEM_FIELDS = ["category", "name", "quantity", "unit", "budget", "contractor", "need",
               "planned_start", "planned_end", "actual_start", "actual_end", "status",
               "progress"]
# What the plan fixes: changed only while the residents have not yet been asked.
PLAN_FIELDS = {"category", "name", "quantity", "unit", "need"}
S = ItemStatus


def _lock(item: WorkItem) -> WorkItem:
    return (WorkItem.objects.select_for_update(of=("self",)).select_related("project")
            .get(pk=item.pk))


def _check_fields(project: Project, fields: dict) -> dict:
    out = dict(fields)
    if "category" in out and out["category"] not in Category.values:
        raise ValidationError({"category": _("请选择类别：基础类、完善类或提升类")})
    if "name" in out:
        out["name"] = text(out["name"], "name", _("请填写改造内容"), 100)
    if "unit" in out:
        out["unit"] = (out["unit"] or "").strip()[:10]
    if "quantity" in out and out["quantity"] not in (None, ""):
        out["quantity"] = money(out["quantity"], "quantity")
    elif "quantity" in out:
        out["quantity"] = None
    if "budget" in out:
        out["budget"] = money(out["budget"], "budget", allow_zero=True)
    contractor = out.get("contractor")
    if contractor is not None and (not isinstance(contractor, Organisation)
                                   or contractor.kind != OrgKind.CONTRACTOR):
        raise ValidationError({"contractor": _("施工单位须是登记为“施工单位”的组织")})
    need = out.get("need")
    if need is not None and (not isinstance(need, SurveyOption)
                             or need.survey.project_id != project.pk):
        raise ValidationError({"need": _("只能对应本项目需求调查中的选项")})
    start = out.get("planned_start")
    end = out.get("planned_end")
    if start and end and end < start:
        raise ValidationError({"planned_end": _("计划完工不能早于计划开工")})
    return out


@transaction.atomic
def add_item(*, project: Project, category: str, name: str, budget, acting_user,
             **fields) -> WorkItem:
    """A line of the plan; only while the plan is a draft (not out to the residents)."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if not plan_editable(project):
        raise ValidationError(_("改造方案已提交居民表决，不能再增加改造内容"))
    clean = _check_fields(project, {"category": category, "name": name, "budget": budget,
                                    **fields})
    order = plan_order(clean["category"], project.items.filter(category=clean["category"]).count())
    item = WorkItem.objects.create(project=project, area_path=project.area_path, order=order,
                                   **clean)
    audit.record(actor=acting_user, action="renewal.add_item", obj=item,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


def committed(item: WorkItem):
    return item.allocations.aggregate(total=Sum("amount"))["total"] or 0


@transaction.atomic
def update_item(*, item: WorkItem, acting_user, **fields) -> WorkItem:
    """Change an item: what it is only while the plan is a draft; budget, contractor and
    dates until it is accepted (never a budget below what is already committed)."""
    item = _lock(item)
    project = item.project
    require_manager(acting_user, project.area)
    if item.status == S.ACCEPTED:
        raise ValidationError(_("已验收的改造内容不能修改"))
    if not plan_editable(project) and PLAN_FIELDS & set(fields):
        raise ValidationError(_("改造方案已提交居民表决，改造内容、工程量和类别不能再改"))
    allowed = PLAN_FIELDS | {"budget", "contractor", "planned_start", "planned_end"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    clean = _check_fields(project, {"planned_start": item.planned_start,
                                    "planned_end": item.planned_end} | fields)
    if "budget" in clean and clean["budget"] < committed(item):
        raise ValidationError({"budget": _("预算不能低于已落实的资金 %(amount)s 元")
                               % {"amount": f"{committed(item):,.2f}"}})
    before = audit.snapshot(item, ITEM_FIELDS)
    for name, value in clean.items():
        setattr(item, name, value)
    item.save()
    audit.record(actor=acting_user, action="renewal.update_item", obj=item, before=before,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


def may_build(user, item: WorkItem) -> bool:
    """Staff of the area, or a member of the item's contractor (施工单位)."""
    if may_manage(user, item.project.area_path):
        return True
    return bool(item.contractor_id and getattr(user, "is_authenticated", False)
                and user.organisations.filter(pk=item.contractor_id, is_active=True).exists())


def _require_builder(acting_user, item: WorkItem) -> None:
    if acting_user is not None and not may_build(acting_user, item):
        raise PermissionDenied(_("只有社区或该项的施工单位可以登记施工进度"))


def _require_works(item: WorkItem) -> None:
    if item.project.stage != Stage.WORKS:
        raise ValidationError(_("项目开工后才能登记施工"))


def _day(value, field: str) -> date:
    if value is None:
        return timezone.localdate()
    if not isinstance(value, date):
        raise ValidationError({field: _("请填写日期")})
    if value > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天")})
    return value


@transaction.atomic
def start_item(*, item: WorkItem, acting_user, on: date | None = None) -> WorkItem:
    item = _lock(item)
    _require_builder(acting_user, item)
    _require_works(item)
    if item.status != S.PLANNED:
        raise ValidationError(_("该项已开工"))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.status, item.actual_start = S.IN_WORKS, _day(on, "on")
    item.save()
    audit.record(actor=acting_user, action="renewal.start_item", obj=item, before=before,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


def _progress(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        raise ValidationError({"progress": _("进度须是 0 到 100 之间的整数")})
    return number


@transaction.atomic
def log_progress(*, item: WorkItem, note: str, progress, acting_user, photos=()
                 ) -> ProgressLog:
    """施工进度 with photos: the residents see them on their phones."""
    item = _lock(item)
    _require_builder(acting_user, item)
    _require_works(item)
    if item.status not in (S.IN_WORKS, S.REWORK):
        raise ValidationError(_("该项不在施工中"))
    note = text(note, "note", _("请写明施工进度"), 2000)
    progress = _progress(progress)
    checked = check_photos(photos)
    log = ProgressLog.objects.create(item=item, note=note, progress=progress,
                                     logged_by=actor(acting_user), logged_at=timezone.now())
    save_photos(checked, area_path=item.area_path, progress=log)
    before = audit.snapshot(item, ["progress"])
    item.progress = progress
    item.save(update_fields=["progress"])
    audit.record(actor=acting_user, action="renewal.log_progress", obj=item, before=before,
                 after={"progress": progress, "note": note[:200], "photos": len(checked)})
    return log


@transaction.atomic
def finish_item(*, item: WorkItem, acting_user, on: date | None = None) -> WorkItem:
    """施工中 / 整改中 → 已完工: ready for the residents' acceptance."""
    item = _lock(item)
    _require_builder(acting_user, item)
    _require_works(item)
    if item.status not in (S.IN_WORKS, S.REWORK):
        raise ValidationError(_("该项不在施工中"))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.status, item.progress, item.actual_end = S.FINISHED, 100, _day(on, "on")
    if item.actual_start and item.actual_end < item.actual_start:
        raise ValidationError({"on": _("完工日期不能早于开工日期")})
    item.save()
    audit.record(actor=acting_user, action="renewal.finish_item", obj=item, before=before,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item
