"""网格合伙人: a grid's recruitment post → applications from residents, shop owners and
property staff → acceptance by the community (up to the post's places) → patrol tasks given
to the partner, reported on the phone; a problem seen on patrol becomes a case.

The partner files that case as themselves (source 居民上报, the partner the reporter): the
cases app keeps 网格巡查 and the other staff channels for staff who may enter cases, and a
partner is not staff. The task links the case, which is how patrol findings are counted.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import GRID_KINDS, AreaNode
from gongzhi.campaigns.actions._common import actor, is_organiser, lives_in, require_organiser
from gongzhi.campaigns.models import (
    ApplicationStatus,
    PartnerApplication,
    PartnerKind,
    PartnerPost,
    PatrolStatus,
    PatrolTask,
)
from gongzhi.campaigns.selectors_partners import community_path, org_serves
from gongzhi.cases import actions as cases
from gongzhi.cases.models import Source
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can

__all__ = ["recruit_partners", "close_partner_post", "apply_as_partner",
           "decide_partner_application", "end_partnership", "assign_patrol", "report_patrol"]

POST_FIELDS = ["area", "title", "places", "closes_on", "is_open"]
APPLICATION_FIELDS = ["post", "kind", "organisation", "status", "decision_note"]
PATROL_FIELDS = ["partner", "route", "due_on", "status", "case"]
MAX_PLACES = 50
AS = ApplicationStatus


def _places(value) -> int:
    try:
        places = int(value)
    except (TypeError, ValueError):
        places = 0
    if not 1 <= places <= MAX_PLACES:
        raise ValidationError({"places": _("招募名额须为 1 至 %(n)d 人") % {"n": MAX_PLACES}})
    return places


@transaction.atomic
def recruit_partners(*, area: AreaNode, title: str, duties: str, places: int, closes_on: date,
                     acting_user) -> PartnerPost:
    """招募: a grid's call for partners, open until ``closes_on`` (inclusive)."""
    if not isinstance(area, AreaNode) or area.kind not in GRID_KINDS:
        raise ValidationError({"area": _("网格合伙人按网格招募，请选择网格")})
    require_organiser(acting_user, area)
    title = required_text(title, "title", _("请填写招募名称"), 100)
    duties = required_text(duties, "duties", _("请写明合伙人职责"), 2000)
    places = _places(places)
    if not isinstance(closes_on, date) or closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("报名截止日期不能早于今天")})
    post = PartnerPost.objects.create(area=area, area_path=area.path, title=title,
                                      duties=duties, places=places, closes_on=closes_on,
                                      created_by=actor(acting_user))
    audit.record(actor=acting_user, action="campaigns.recruit_partners", obj=post,
                 after=audit.snapshot(post, POST_FIELDS))
    return post


@transaction.atomic
def close_partner_post(*, post: PartnerPost, acting_user) -> PartnerPost:
    """结束招募: no more applications; partners already accepted stay partners."""
    post = PartnerPost.objects.select_for_update().get(pk=post.pk)
    require_organiser(acting_user, post.area_path)
    if not post.is_open:
        raise ValidationError(_("该招募已结束"))
    before = audit.snapshot(post, POST_FIELDS)
    post.is_open = False
    post.save(update_fields=["is_open"])
    audit.record(actor=acting_user, action="campaigns.close_partner_post", obj=post,
                 before=before, after=audit.snapshot(post, POST_FIELDS))
    return post


def _check_organisation(post: PartnerPost, kind: str, organisation, user) -> Organisation | None:
    """Who the applicant is: a resident of the grid's community, a member of a shop, or a
    member of a property company that serves the grid."""
    if kind == PartnerKind.RESIDENT:
        if not lives_in(user, community_path(post.area_path)):
            raise PermissionDenied(_("只有本社区居民可以以居民身份报名"))
        return None
    wanted = OrgKind.MERCHANT if kind == PartnerKind.SHOP else OrgKind.PROPERTY
    if not isinstance(organisation, Organisation) or organisation.kind != wanted:
        raise ValidationError({"organisation": _("请选择您所在的商户") if kind == PartnerKind.SHOP
                               else _("请选择您所在的物业公司")})
    if not (organisation.is_active
            and user.organisations.filter(pk=organisation.pk, is_active=True).exists()):
        raise PermissionDenied(_("您不是该单位的成员"))
    if kind == PartnerKind.PROPERTY and not org_serves(organisation, post.area_path):
        raise ValidationError({"organisation": _("该物业公司不服务本网格")})
    return organisation


def apply_as_partner(*, post: PartnerPost, kind: str, motivation: str, acting_user,
                     organisation: Organisation | None = None) -> PartnerApplication:
    """报名: once per post, while it is open and not past its closing date."""
    try:
        with transaction.atomic():
            return _apply(post, kind, motivation, organisation, acting_user)
    except IntegrityError:
        raise ValidationError(_("您已报名过该招募")) from None


def _apply(post, kind, motivation, organisation, acting_user) -> PartnerApplication:
    post = PartnerPost.objects.select_related("area").get(pk=post.pk)
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.is_active:
        raise PermissionDenied(_("请先登录"))
    if kind not in PartnerKind.values:
        raise ValidationError({"kind": _("请选择报名身份")})
    if not post.is_open or post.closes_on < timezone.localdate():
        raise ValidationError(_("该招募已结束报名"))
    organisation = _check_organisation(post, kind, organisation, acting_user)
    motivation = required_text(motivation, "motivation", _("请写一写自我介绍和特长"), 300)
    if post.applications.filter(applicant=acting_user).exists():
        raise ValidationError(_("您已报名过该招募"))
    application = PartnerApplication.objects.create(
        post=post, area_path=post.area_path, applicant=acting_user, kind=kind,
        organisation=organisation, motivation=motivation)
    audit.record(actor=acting_user, action="campaigns.apply_as_partner", obj=application,
                 after=audit.snapshot(application, APPLICATION_FIELDS))
    return application


@transaction.atomic
def decide_partner_application(*, application: PartnerApplication, accept: bool,
                               acting_user, note: str = "") -> PartnerApplication:
    """审核: accept (while places are left) or decline with the reason; the applicant is told.
    The post's row is locked first, so two acceptances at once cannot pass its places."""
    application = PartnerApplication.objects.select_related("post").get(pk=application.pk)
    post = PartnerPost.objects.select_for_update().get(pk=application.post_id)
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    require_organiser(acting_user, post.area_path)
    if application.status != AS.PENDING:
        raise ValidationError(_("该申请已审核"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("审核意见不能超过 %(n)d 个字") % {"n": 200}})
    if accept:
        taken = post.applications.filter(status=AS.ACCEPTED).count()
        if taken >= post.places:
            raise ValidationError(_("招募名额（%(n)d 人）已满") % {"n": post.places})
    elif not note:
        raise ValidationError({"note": _("请说明未接纳的原因")})
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.status = AS.ACCEPTED if accept else AS.DECLINED
    application.decision_note = note
    application.decided_by, application.decided_at = actor(acting_user), timezone.now()
    application.save()
    audit.record(actor=acting_user, action="campaigns.decide_partner_application",
                 obj=application, before=before,
                 after=audit.snapshot(application, APPLICATION_FIELDS))
    title = (_("您已成为“%(title)s”的网格合伙人") if accept
             else _("您的网格合伙人申请未获接纳：%(title)s")) % {"title": post.title}
    notify([application.applicant], kind="campaigns.partner_decided", title=title, body=note,
           url="/campaigns/partners/mine/")
    return application


@transaction.atomic
def end_partnership(*, application: PartnerApplication, acting_user,
                    note: str = "") -> PartnerApplication:
    """退出: staff end a partnership, or the partner steps down; open patrols are cancelled."""
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    own = getattr(acting_user, "pk", None) == application.applicant_id
    if not own:
        require_organiser(acting_user, application.area_path)
    if application.status != AS.ACCEPTED:
        raise ValidationError(_("只有已接纳的合伙人可以退出"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("说明不能超过 %(n)d 个字") % {"n": 200}})
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.status, application.decision_note = AS.ENDED, note
    application.save(update_fields=["status", "decision_note"])
    application.patrols.filter(status=PatrolStatus.ASSIGNED).update(
        status=PatrolStatus.CANCELLED)
    audit.record(actor=acting_user, action="campaigns.end_partnership", obj=application,
                 before=before, after=audit.snapshot(application, APPLICATION_FIELDS))
    if not own:
        notify([application.applicant], kind="campaigns.partner_ended",
               title=_("您的网格合伙人身份已结束"), body=note, url="/campaigns/partners/mine/")
    return application


def may_assign_patrol(user, area_path: str) -> bool:
    """The grid's workers (巡查) and the community's organisers."""
    return can(user, Perm.INSPECT, area_path) or is_organiser(user, area_path)


@transaction.atomic
def assign_patrol(*, partner: PartnerApplication, route: str, due_on: date,
                  acting_user) -> PatrolTask:
    """派发巡查: a patrol of the grid for an accepted partner, who is told."""
    partner = PartnerApplication.objects.select_for_update().get(pk=partner.pk)
    if acting_user is not None and not may_assign_patrol(acting_user, partner.area_path):
        raise PermissionDenied(_("您无权给该网格的合伙人派发巡查任务"))
    if partner.status != AS.ACCEPTED:
        raise ValidationError({"partner": _("只能给已接纳的合伙人派发巡查任务")})
    route = required_text(route, "route", _("请写明巡查路线和内容"), 200)
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": _("请填写巡查日期")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("巡查日期不能早于今天")})
    task = PatrolTask.objects.create(partner=partner, area_path=partner.area_path, route=route,
                                     due_on=due_on, assigned_by=actor(acting_user))
    audit.record(actor=acting_user, action="campaigns.assign_patrol", obj=task,
                 after=audit.snapshot(task, PATROL_FIELDS))
    notify([partner.applicant], kind="campaigns.patrol_assigned",
           title=_("新的巡查任务：%(route)s") % {"route": route},
           body=due_on.isoformat(), url="/campaigns/partners/mine/")
    return task


@transaction.atomic
def report_patrol(*, task: PatrolTask, report: str, acting_user, problem_title: str = "",
                  problem_description: str = "", photos=()) -> PatrolTask:
    """巡查报告: the partner says what they saw; a problem (title and description, photos
    optional) is filed as a case of the grid, with the partner as its reporter."""
    task = PatrolTask.objects.select_for_update().select_related(
        "partner__post__area").get(pk=task.pk)
    if getattr(acting_user, "pk", None) != task.partner.applicant_id:
        raise PermissionDenied(_("只有该任务的合伙人可以报告巡查情况"))
    if task.partner.status != AS.ACCEPTED:
        raise PermissionDenied(_("您已不是该网格的合伙人"))
    if task.status != PatrolStatus.ASSIGNED:
        raise ValidationError(_("该巡查任务已完成或已取消"))
    report = required_text(report, "report", _("请写一写巡查情况"), 500)
    problem_title = (problem_title or "").strip()
    problem_description = (problem_description or "").strip()
    if (problem_description or photos) and not problem_title:
        raise ValidationError({"problem_title": _("请填写发现的问题")})
    before = audit.snapshot(task, PATROL_FIELDS)
    if problem_title:
        task.case = cases.submit_case(
            title=problem_title, description=problem_description or problem_title,
            area=task.partner.post.area, source=Source.RESIDENT_PAGE, photos=photos,
            acting_user=acting_user)
    task.report, task.status, task.done_at = report, PatrolStatus.DONE, timezone.now()
    task.save(update_fields=["report", "status", "done_at", "case"])
    audit.record(actor=acting_user, action="campaigns.report_patrol", obj=task, before=before,
                 after=audit.snapshot(task, PATROL_FIELDS))
    return task
