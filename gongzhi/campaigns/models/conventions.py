"""居民公约: a convention drafted by staff, put to the area's households in a consultation
(征求意见, deliberation), published as a notice and signed (acknowledged) by households."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaNode, Household
from gongzhi.core.choices import QuickChoiceLabels


class ConventionStage(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    CONSULTING = "consulting", _("征求意见")
    PUBLISHED = "published", _("已公布")


class Convention(QuickChoiceLabels):
    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("区域"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    title = models.CharField(_("公约名称"), max_length=100)
    text = models.TextField(_("公约条文"))
    stage = models.CharField(_("阶段"), max_length=12, choices=ConventionStage.choices,
                             default=ConventionStage.DRAFT)
    consultation = models.ForeignKey("deliberation.Consultation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("意见征询"))
    notice = models.ForeignKey("notices.Notice", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("公布公告"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("起草人"))
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民公约")
        verbose_name_plural = _("居民公约")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ConventionSignature(models.Model):
    """A household's acknowledgement of a published convention (one per household)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE,
                                   related_name="signatures", verbose_name=_("居民公约"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("住户"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("签署人"))
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("公约签署")
        verbose_name_plural = _("公约签署")
        constraints = [models.UniqueConstraint(fields=["convention", "household"],
                                               name="convention_signed_once")]

    def __str__(self) -> str:
        return f"{self.convention_id} · {self.household_id}"
