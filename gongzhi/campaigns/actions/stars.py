"""十星级文明户: the criteria (administrators), the yearly assessment of a household by its
grid worker or building head (a draft, each star with its evidence), and the community's
confirmation, which awards the points of the volunteering rule ``per_civil_star`` for every
star to the household's account holder — once.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Household
from gongzhi.campaigns.actions._common import actor
from gongzhi.campaigns.models import AssessmentStatus, StarAssessment, StarAward, StarCriterion
from gongzhi.core import audit
from gongzhi.core.checks import required_text
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can, is_administrator
from gongzhi.volunteering.actions.bank import whole
from gongzhi.volunteering.actions.ledger import award_points, rule_points
from gongzhi.volunteering.models import PointsReason, RuleCode

__all__ = ["assess_household", "confirm_assessment", "save_star_criterion"]

CRITERION_FIELDS = ["name", "description", "order", "is_active"]
FIELDS = ["household", "year", "stars", "status", "note", "points_awarded"]
MAX_ORDER = 999


@transaction.atomic
def save_star_criterion(*, criterion: StarCriterion | None = None, name: str,
                        description: str, order, is_active: bool,
                        acting_user) -> StarCriterion:
    """Administrators word, order, add or retire a star (an assessment keeps its stars)."""
    if not is_administrator(acting_user):
        raise PermissionDenied(_("只有管理员可以设置文明户星级标准"))
    name = required_text(name, "name", _("请填写星级名称"), 20)
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError({"description": _("不能超过 %(n)d 个字") % {"n": 200}})
    order = whole(order, "order", low=0, high=MAX_ORDER,
                  message=_("顺序须为 0 到 %(n)d 之间的整数") % {"n": MAX_ORDER})
    same_name = StarCriterion.objects.filter(name=name)
    if criterion is not None:
        criterion = StarCriterion.objects.select_for_update().get(pk=criterion.pk)
        same_name = same_name.exclude(pk=criterion.pk)
    if same_name.exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的星级") % {"name": name}})
    before = audit.snapshot(criterion, CRITERION_FIELDS) if criterion else None
    criterion = criterion or StarCriterion()
    criterion.name, criterion.description = name, description
    criterion.order, criterion.is_active = order, bool(is_active)
    criterion.save()
    audit.record(actor=acting_user, action="campaigns.save_star_criterion", obj=criterion,
                 before=before, after=audit.snapshot(criterion, CRITERION_FIELDS))
    return criterion


def assessable_years() -> list[int]:
    """An assessment is for this year or, finishing late, last year."""
    year = timezone.localdate().year
    return [year, year - 1]


def _checked_awards(awards) -> list[tuple[StarCriterion, str]]:
    """(criterion, evidence) pairs: known, active criteria, each with its evidence."""
    if not isinstance(awards, dict):
        raise ValidationError({"awards": _("请选择所获星级")})
    wanted: dict[int, str] = {}
    for key, evidence in awards.items():
        pk = key.pk if isinstance(key, StarCriterion) else key
        if not str(pk).isdigit():
            raise ValidationError({"awards": _("未知的星级")})
        wanted[int(pk)] = evidence if isinstance(evidence, str) else ""
    criteria = {c.pk: c for c in StarCriterion.objects.filter(pk__in=wanted)}
    checked = []
    for pk, evidence in wanted.items():
        criterion = criteria.get(pk)
        if criterion is None:
            raise ValidationError({"awards": _("未知的星级")})
        if not criterion.is_active:
            raise ValidationError({"awards": _("“%(name)s”已停用，不能再评定")
                                   % {"name": criterion.name}})
        evidence = required_text(evidence, "awards", _("请写明“%(name)s”的事实依据")
                                 % {"name": criterion.name}, 200)
        checked.append((criterion, evidence))
    return sorted(checked, key=lambda pair: (pair[0].order, pair[0].pk))


@transaction.atomic
def assess_household(*, household: Household, year, awards, note: str = "",
                     acting_user) -> StarAssessment:
    """评定: the grid worker or building head records the stars a household earned in
    ``year`` (criterion → evidence) as a draft for the community to confirm; a draft is
    replaced, a confirmed assessment stays as it is."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if acting_user is not None and not can(acting_user, Perm.INSPECT, household.area_path):
        raise PermissionDenied(_("您无权评定该住户的文明户星级"))
    year = whole(year, "year", low=0, high=9999, message=_("只能评定今年或去年的文明户星级"))
    if year not in assessable_years():
        raise ValidationError({"year": _("只能评定今年或去年的文明户星级")})
    checked = _checked_awards(awards)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("不能超过 %(n)d 个字") % {"n": 300}})
    assessment = (StarAssessment.objects.select_for_update()
                  .filter(household=household, year=year).first())
    before = None
    if assessment is None:
        assessment = StarAssessment(household=household, year=year)
    elif assessment.status == AssessmentStatus.CONFIRMED:
        raise ValidationError(_("%(year)d年度的评定已由社区确认，不能再修改") % {"year": year})
    else:
        before = audit.snapshot(assessment, FIELDS)
        assessment.awards.all().delete()
    assessment.area_path = household.area_path
    assessment.stars, assessment.note = len(checked), note
    assessment.status = AssessmentStatus.DRAFT
    assessment.assessed_by, assessment.assessed_at = actor(acting_user), timezone.now()
    assessment.save()
    StarAward.objects.bulk_create(StarAward(assessment=assessment, criterion=c, evidence=e)
                                  for c, e in checked)
    audit.record(actor=acting_user, action="campaigns.assess_household", obj=assessment,
                 before=before, after=audit.snapshot(assessment, FIELDS)
                 | {"awards": {c.name: e for c, e in checked}})
    return assessment


def points_holder(household: Household):
    """Who receives a household's points: the head's account, else the first member's
    with one (None: nobody in the household has an account)."""
    return (get_user_model().objects.filter(resident__household=household, is_active=True)
            .order_by("-resident__is_head", "resident__id").first())


@transaction.atomic
def confirm_assessment(*, assessment: StarAssessment, acting_user) -> StarAssessment:
    """确认: the community confirms a draft; ``per_civil_star`` points for each star go to
    the household's account holder, once (``civil_stars:<id>``), and its members are told."""
    assessment = (StarAssessment.objects.select_for_update().select_related("household")
                  .get(pk=assessment.pk))
    if acting_user is not None and not can(acting_user, Perm.RUN_CAMPAIGNS,
                                           assessment.area_path):
        raise PermissionDenied(_("只有社区工作人员可以确认文明户星级"))
    if assessment.status == AssessmentStatus.CONFIRMED:
        raise ValidationError(_("该评定已确认，积分已发放"))
    before = audit.snapshot(assessment, FIELDS)
    household = assessment.household
    holder = points_holder(household)
    points = rule_points(RuleCode.PER_CIVILISED_STAR) * assessment.stars
    entry = None
    if holder is not None:
        entry = award_points(
            holder=holder, points=points, reason=PointsReason.CIVILISED_STARS,
            source_key=f"civil_stars:{assessment.pk}",
            note=_("%(year)d年度十星级文明户 %(n)d 星") % {"year": assessment.year,
                                                       "n": assessment.stars})
    assessment.points_awarded = entry.points if entry else 0
    assessment.status = AssessmentStatus.CONFIRMED
    assessment.confirmed_by, assessment.confirmed_at = actor(acting_user), timezone.now()
    assessment.save(update_fields=["points_awarded", "status", "confirmed_by",
                                   "confirmed_at"])
    audit.record(actor=acting_user, action="campaigns.confirm_assessment", obj=assessment,
                 before=before, after=audit.snapshot(assessment, FIELDS) | {
                     "points_to": holder.username if holder else
                     _("该户无人开通账号，未发放积分")})
    members = get_user_model().objects.filter(resident__household=household, is_active=True)
    notify(members, kind="campaigns.stars_confirmed",
           title=_("您家获评%(year)d年度%(n)d星级文明户") % {"year": assessment.year,
                                                          "n": assessment.stars},
           body=_("获得积分 %(points)d 分") % {"points": assessment.points_awarded}
           if assessment.points_awarded else "",
           url="/campaigns/stars/")
    return assessment
