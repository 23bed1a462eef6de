"""Residents on the project: supervisors (居民监督员) inspect the site, representatives
(居民代表) accept the works item by item together with the community."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.cases.models import Source
from gongzhi.cases.photos import check_photos
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.renewal.actions._common import (
    community_staff,
    lock_project,
    may_manage,
    require_manager,
    save_photos,
    text,
)
from gongzhi.renewal.models import (
    Inspection,
    ItemStatus,
    MemberRole,
    Party,
    Project,
    ProjectMember,
    Signoff,
    Stage,
    WorkItem,
)


def _member_name(user: User) -> str:
    resident = getattr(user, "resident", None)
    return (resident.name if resident else "") or user.get_full_name() or user.username


@transaction.atomic
def appoint_member(*, project: Project, user: User, role: str, acting_user) -> ProjectMember:
    """聘请 a resident of the project's compounds as supervisor or representative."""
    from gongzhi.renewal.actions.survey import project_households

    project = lock_project(project)
    require_manager(acting_user, project.area)
    if role not in MemberRole.values:
        raise ValidationError({"role": _("请选择职责")})
    resident = getattr(user, "resident", None)
    if resident is None or not project_households(project).filter(
            pk=resident.household_id).exists():
        raise ValidationError({"user": _("只能聘请改造小区的居民")})
    if project.members.filter(user=user, role=role, left_at__isnull=True).exists():
        raise ValidationError({"user": _("该居民已担任此职责")})
    member = ProjectMember.objects.create(project=project, user=user, role=role,
                                          name=_member_name(user)[:50],
                                          appointed_at=timezone.now())
    audit.record(actor=acting_user, action="renewal.appoint_member", obj=member,
                 after={"project": project.pk, "user": user.pk, "role": role},
                 area_path=project.area_path)
    notify([user], kind="renewal.appointed",
           title=_("您已被聘为%(role)s：%(name)s") % {"role": member.get_role_display(),
                                                  "name": project.name},
           url=f"/renewal/projects/{project.pk}/")
    return member


@transaction.atomic
def release_member(*, member: ProjectMember, acting_user) -> ProjectMember:
    member = ProjectMember.objects.select_for_update().select_related("project").get(
        pk=member.pk)
    require_manager(acting_user, member.project.area_path)
    if member.left_at is not None:
        raise ValidationError(_("已解聘"))
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    audit.record(actor=acting_user, action="renewal.release_member", obj=member,
                 before={"left_at": None}, after={"left_at": member.left_at.isoformat()},
                 area_path=member.project.area_path)
    return member


def holds(user, project: Project, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return ProjectMember.objects.filter(project=project, user=user, role=role,
                                        left_at__isnull=True).exists()


@transaction.atomic
def log_inspection(*, project: Project, note: str, acting_user, item: WorkItem | None = None,
                   problem: str = "", photos=()) -> Inspection:
    """A supervisor's round: what was seen; a problem found becomes a case in the ledger,
    linked to the item, so it is dispatched and answered like any other."""
    from gongzhi.cases.actions import submit_case

    project = lock_project(project)
    if not holds(acting_user, project, MemberRole.SUPERVISOR):
        raise PermissionDenied(_("只有本项目的居民监督员可以登记巡查"))
    if project.stage not in (Stage.WORKS, Stage.ACCEPTANCE):
        raise ValidationError(_("项目施工期间才能登记巡查"))
    if item is not None and item.project_id != project.pk:
        raise ValidationError({"item": _("该改造内容不属于本项目")})
    note = text(note, "note", _("请写下巡查情况"), 2000)
    problem = (problem or "").strip()
    if len(problem) > 2000:
        raise ValidationError({"problem": _("不能超过 %(n)d 个字") % {"n": 2000}})
    checked = check_photos(photos)
    case = None
    if problem:
        where = item.name if item else project.name
        case = submit_case(
            title=(_("改造监督：%(where)s") % {"where": where})[:100],
            description=_("%(project)s居民监督员巡查发现：%(problem)s")
            % {"project": project.name, "problem": problem},
            area=project.compounds.order_by("path").first() or project.area,
            source=Source.RESIDENT_PAGE, acting_user=acting_user, photos=checked)
    inspection = Inspection.objects.create(project=project, item=item, inspector=acting_user,
                                           note=note, problem=problem, case=case,
                                           inspected_at=timezone.now())
    save_photos(checked, area_path=project.area_path, inspection=inspection)
    audit.record(actor=acting_user, action="renewal.log_inspection", obj=project,
                 after={"inspection": inspection.pk, "item": item.pk if item else None,
                        "case": case.pk if case else None, "photos": len(checked)})
    return inspection


def party_of(user, project: Project) -> str | None:
    """The side this user signs for: the community's staff, or a residents' representative."""
    if may_manage(user, project.area_path):
        return Party.COMMUNITY
    if holds(user, project, MemberRole.REPRESENTATIVE):
        return Party.RESIDENTS
    return None


@transaction.atomic
def sign_off_item(*, item: WorkItem, accepted: bool, acting_user, reason: str = "",
                  party: str | None = None) -> Signoff:
    """验收: one side accepts a finished item, or refuses with a reason — then the item goes
    back to works (整改) and the project with it; an item is accepted once both sides have."""
    item = (WorkItem.objects.select_for_update(of=("self",)).select_related("project")
            .get(pk=item.pk))
    project = lock_project(item.project)
    party = party or party_of(acting_user, project)
    entitled = {Party.COMMUNITY: may_manage(acting_user, project.area_path),
                Party.RESIDENTS: holds(acting_user, project, MemberRole.REPRESENTATIVE)}
    if not entitled.get(party):
        raise PermissionDenied(_("只有居民代表和社区可以验收"))
    if project.stage != Stage.ACCEPTANCE:
        raise ValidationError(_("项目不在验收阶段"))
    if item.status != ItemStatus.FINISHED:
        raise ValidationError(_("该项不在待验收状态"))
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ValidationError({"reason": _("不同意验收须写明理由")})
    if item.signoffs.filter(party=party, superseded=False).exists():
        raise ValidationError(_("%(party)s已对该项签署验收意见") % {
            "party": Party(party).label})
    signoff = Signoff.objects.create(item=item, party=party, accepted=accepted,
                                     reason=reason[:300], signed_by=acting_user,
                                     signed_at=timezone.now())
    before = {"status": item.status, "stage": project.stage}
    if not accepted:
        item.signoffs.filter(superseded=False).update(superseded=True)
        item.status = ItemStatus.REWORK
        project.stage = Stage.WORKS
        project.save(update_fields=["stage"])
    elif item.signoffs.filter(superseded=False, accepted=True).count() == len(Party.values):
        item.status = ItemStatus.ACCEPTED
    item.save(update_fields=["status"])
    audit.record(actor=acting_user, action="renewal.sign_off_item", obj=item, before=before,
                 after={"status": item.status, "stage": project.stage, "party": party,
                        "accepted": accepted, "reason": reason[:300]})
    if not accepted:
        staff = community_staff(project.area_path)
        notify(staff, kind="renewal.item_refused",
               title=_("验收未通过，须整改：%(item)s") % {"item": item.name}, body=reason,
               url=f"/renewal/projects/{project.pk}/")
    return signoff
