"""The needs survey (问需于民): which works each household asks for, one answer a household."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Household
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.renewal.models.projects import Category, Project


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("调查中")
    CLOSED = "closed", _("已结束")


class Survey(QuickChoiceLabels):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="survey")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    title = models.CharField(_("问卷标题"), max_length=100)
    intro = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=SurveyStatus.choices,
                              default=SurveyStatus.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"))

    class Meta:
        verbose_name = _("需求调查")
        verbose_name_plural = _("需求调查")

    def __str__(self) -> str:
        return self.title


class SurveyOption(QuickChoiceLabels):
    """A work residents may ask for (雨污分流, 加装电梯, 增设停车位 …)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="options")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    label = models.CharField(_("改造需求"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("需求选项")
        verbose_name_plural = _("需求选项")
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.label


class ResponseSource(models.TextChoices):
    ONLINE = "online", _("居民线上填写")
    DOOR = "door", _("入户登记")


class SurveyResponse(models.Model):
    """One household's answer: the database refuses a second (two members at once)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    building_id_copy = models.IntegerField(editable=False)  # results by building, no join
    choices = models.ManyToManyField(SurveyOption, related_name="responses", blank=True)
    comment = models.TextField(_("其他意见"), blank=True)
    source = models.CharField(max_length=8, choices=ResponseSource.choices)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("需求调查答卷")
        verbose_name_plural = _("需求调查答卷")
        constraints = [models.UniqueConstraint(fields=["survey", "household"],
                                               name="renewal_survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.household_id}"
