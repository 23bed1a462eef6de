"""Public notices (公示公告): what was decided, published to the residents of an area.

A notice has a notice period (公示期) during which residents of the area may lodge
objections (异议); staff answer each one. Withdrawn notices stay on record. Every change
goes through ``gongzhi.notices.actions``; later work adds outside channels.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class NoticeKind(models.TextChoices):
    RESOLUTION = "resolution", _("决议公示")
    POLL_RESULT = "poll_result", _("表决结果公示")
    FINANCE = "finance", _("财务公示")
    ANNOUNCEMENT = "announcement", _("通知公告")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Notice(QuickChoiceLabels):
    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind.choices,
                            default=NoticeKind.ANNOUNCEMENT)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    area = models.ForeignKey(AreaNode, verbose_name=_("公示范围"), on_delete=models.PROTECT,
                             related_name="notices")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices,
                              default=NoticeStatus.DRAFT)
    # 公示期: objections are taken from publication until the period ends (inclusive).
    period_days = models.PositiveSmallIntegerField(_("公示期（天）"), default=7)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    period_ends_at = models.DateTimeField(_("公示期截止"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # What the notice publishes, e.g. "deliberation.resolution:12" (for the link back).
    subject = models.CharField(max_length=60, blank=True, db_index=True)

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "area_path", "-published_at"],
                                name="notice_published_area")]

    def __str__(self) -> str:
        return self.title


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Objection(QuickChoiceLabels):
    """异议: a resident's objection to a notice, lodged within the notice period."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"),
                               on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"))
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    created_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.author_id}"

    @property
    def area_path(self) -> str:
        return self.notice.area_path
