"""十星级文明户: published criteria (ten stars by default), a yearly assessment of each
household by its grid worker or building head with the evidence for every star, confirmed
by the community; the confirmed stars show on the household's record and door plaque and
earn points through the volunteering points rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Household
from gongzhi.core.choices import QuickChoiceLabels

DEFAULT_CRITERIA = ("爱国守法", "诚信友善", "孝老爱亲", "勤俭节约", "清洁卫生",
                    "移风易俗", "邻里和睦", "热心公益", "遵章守纪", "崇学向善")


class StarCriterion(models.Model):
    """One star of 十星级文明户 and what earns it (administrators may reword, add or retire
    one; an assessment keeps the stars it gave)."""

    name = models.CharField(_("星级名称"), max_length=20, unique=True)
    description = models.CharField(_("评定标准"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("文明户星级标准")
        verbose_name_plural = _("文明户星级标准")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("待社区确认")
    CONFIRMED = "confirmed", _("已评定")


class StarAssessment(QuickChoiceLabels):
    """A household's assessment for one year (one per household and year)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="star_assessments", verbose_name=_("住户"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    stars = models.PositiveSmallIntegerField(_("星数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    note = models.CharField(_("评定说明"), max_length=300, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("评定人"))
    assessed_at = models.DateTimeField(_("评定时间"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    points_awarded = models.PositiveIntegerField(_("所得积分"), default=0)

    class Meta:
        verbose_name = _("文明户评定")
        verbose_name_plural = _("文明户评定")
        ordering = ["-year", "area_path", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "year"],
                                               name="star_assessment_once_a_year")]
        indexes = [models.Index(fields=["year", "area_path"])]

    def __str__(self) -> str:
        return f"{self.household} · {self.year}"


class StarAward(models.Model):
    """One star given in an assessment, with what shows it was earned."""

    assessment = models.ForeignKey(StarAssessment, on_delete=models.CASCADE,
                                   related_name="awards", verbose_name=_("文明户评定"))
    criterion = models.ForeignKey(StarCriterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("星级"))
    evidence = models.CharField(_("事实依据"), max_length=200)

    class Meta:
        verbose_name = _("所获星级")
        verbose_name_plural = _("所获星级")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"],
                                               name="star_award_once")]

    def __str__(self) -> str:
        return self.criterion.name
