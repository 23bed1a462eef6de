"""The needs survey (问需于民): one answer per household, online or entered door to door."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Household
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import subtree_q
from gongzhi.renewal.actions._common import actor, lock_project, require_manager, text
from gongzhi.renewal.models import (
    Category,
    Project,
    ResponseSource,
    Stage,
    Survey,
    SurveyOption,
    SurveyResponse,
    SurveyStatus,
)
from gongzhi.renewal.models.projects import plan_order

SURVEY_FIELDS = ["title", "status", "opens_at", "closes_at"]


def project_households(project: Project):
    """The households of every compound of the project (its electorate for the survey)."""
    q = Q(pk__in=[])
    for path in project.compounds.values_list("path", flat=True):
        q |= subtree_q(path, "area_path")
    return Household.objects.filter(q)


@transaction.atomic
def create_survey(*, project: Project, title: str, closes_at: datetime, acting_user,
                  options: list[tuple[str, str]], intro: str = "") -> Survey:
    """The questionnaire: the works residents may ask for, each in its category."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    if project.stage not in (Stage.RESERVE, Stage.PLANNING):
        raise ValidationError(_("需求调查在谋划阶段进行"))
    if Survey.objects.filter(project=project).exists():
        raise ValidationError(_("该项目已有需求调查"))
    cleaned = []
    for category, label in options or ():
        label = (label or "").strip()
        if not label:
            continue
        if category not in Category.values:
            raise ValidationError({"options": _("未知的类别：%(c)s") % {"c": category}})
        if len(label) > 100:
            raise ValidationError({"options": _("每个选项不能超过 100 个字")})
        cleaned.append((category, label))
    if not cleaned:
        raise ValidationError({"options": _("请至少列出一项改造需求")})
    if len({label for _c, label in cleaned}) != len(cleaned):
        raise ValidationError({"options": _("改造需求有重复")})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("截止时间须晚于现在")})
    survey = Survey.objects.create(project=project, area_path=project.area_path,
                                   title=text(title, "title", _("请填写问卷标题"), 100),
                                   intro=(intro or "").strip()[:5000], closes_at=closes_at)
    SurveyOption.objects.bulk_create(
        SurveyOption(survey=survey, category=c, label=label, order=plan_order(c, i))
        for i, (c, label) in enumerate(cleaned))
    audit.record(actor=acting_user, action="renewal.create_survey", obj=survey,
                 after=audit.snapshot(survey, SURVEY_FIELDS) | {"options": len(cleaned)})
    return survey


def _set_status(survey: Survey, status: str, acting_user, action: str, frm: str) -> Survey:
    survey = Survey.objects.select_for_update().select_related("project").get(pk=survey.pk)
    require_manager(acting_user, survey.area_path)
    if survey.status != frm:
        raise ValidationError(_("问卷当前为“%(s)s”") % {"s": survey.get_status_display()})
    before = audit.snapshot(survey, SURVEY_FIELDS)
    survey.status = status
    if status == SurveyStatus.OPEN:
        survey.opens_at = timezone.now()
    survey.save()
    audit.record(actor=acting_user, action=f"renewal.{action}", obj=survey, before=before,
                 after=audit.snapshot(survey, SURVEY_FIELDS))
    return survey


@transaction.atomic
def open_survey(*, survey: Survey, acting_user) -> Survey:
    from gongzhi.core.notifications import notify
    from gongzhi.renewal.actions.projects import _residents, project_url

    survey = _set_status(survey, SurveyStatus.OPEN, acting_user, "open_survey",
                         SurveyStatus.DRAFT)
    notify(_residents(survey.project), kind="renewal.survey",
           title=_("改造需求调查：%(t)s") % {"t": survey.title},
           url=project_url(survey.project) + "survey/")
    return survey


@transaction.atomic
def close_survey(*, survey: Survey, acting_user) -> Survey:
    return _set_status(survey, SurveyStatus.CLOSED, acting_user, "close_survey",
                       SurveyStatus.OPEN)


def _check_open(survey: Survey, household: Household) -> None:
    if survey.status != SurveyStatus.OPEN or survey.closes_at <= timezone.now():
        raise ValidationError(_("需求调查未开始或已结束"))
    if not project_households(survey.project).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("该住户不在改造小区内")})


def _options(survey: Survey, choices) -> list[SurveyOption]:
    ids = {int(c.pk if isinstance(c, SurveyOption) else c) for c in choices or ()}
    found = list(survey.options.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"choices": _("所选需求不在本问卷中")})
    return found


def _save(survey: Survey, household: Household, choices, comment: str, source: str,
          acting_user) -> SurveyResponse:
    survey = Survey.objects.select_related("project").get(pk=survey.pk)  # its status now
    _check_open(survey, household)
    options = _options(survey, choices)
    comment = (comment or "").strip()
    if not options and not comment:
        raise ValidationError({"choices": _("请至少选择一项需求，或写下您的意见")})
    if len(comment) > 1000:
        raise ValidationError({"comment": _("不能超过 %(n)d 个字") % {"n": 1000}})
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, household=household, building_id_copy=household.building_id,
                comment=comment, source=source, answered_by=actor(acting_user),
                answered_at=timezone.now())
    except IntegrityError as exc:  # the other member of the household was a moment faster
        raise ValidationError(_("您家已经填写过这份问卷（每户一份）")
                              if source == ResponseSource.ONLINE else
                              _("该住户已经填写过这份问卷（每户一份）")) from exc
    response.choices.set(options)
    audit.record(actor=acting_user, action="renewal.answer_survey", obj=survey,
                 after={"household": household.pk, "source": source,
                        "choices": sorted(o.pk for o in options)})
    return response


@transaction.atomic
def answer_survey(*, survey: Survey, choices, acting_user, comment: str = ""
                  ) -> SurveyResponse:
    """A resident answers for their own household on the phone."""
    resident = getattr(acting_user, "resident", None)
    if resident is None:
        raise PermissionDenied(_("只有登记在册的居民可以填写问卷"))
    return _save(survey, resident.household, choices, comment, ResponseSource.ONLINE,
                 acting_user)


def may_enter(user, household: Household) -> bool:
    """Door to door (入户): renewal staff, and the grid workers and building heads there."""
    return can(user, Perm.MANAGE_RENEWAL, household) or can(user, Perm.ENTER_CASES, household)


@transaction.atomic
def enter_survey_answer(*, survey: Survey, household: Household, choices, acting_user,
                        comment: str = "") -> SurveyResponse:
    """Staff write down a household's answer on a visit (入户登记)."""
    if not may_enter(acting_user, household):
        raise PermissionDenied(_("您无权登记该住户的问卷"))
    return _save(survey, household, choices, comment, ResponseSource.DOOR, acting_user)
