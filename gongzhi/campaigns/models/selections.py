"""The "最美" selections (最美家庭、最美志愿者、最美楼道 …): nominations by residents and staff,
review, a public vote of the area's residents, the final list and its announcement.

The database holds the rules that must survive two requests at once: one vote per voter
and nominee, and at most ``votes_per_category`` per voter and category (each vote takes a
numbered slot; the slots are unique).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.core.choices import QuickChoiceLabels

MAX_VOTES_PER_CATEGORY = 10


class Stage(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    NOMINATING = "nominating", _("推荐报名")
    VOTING = "voting", _("群众投票")
    REVIEWING = "reviewing", _("审定名单")
    ANNOUNCED = "announced", _("结果已公布")


class Selection(QuickChoiceLabels):
    """One "最美" selection of an area (a community, or a street across its communities)."""

    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="selections",
                             verbose_name=_("区域"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    title = models.CharField(_("评选名称"), max_length=100)
    rules = models.TextField(_("评选条件和办法"))
    year = models.PositiveSmallIntegerField(_("年度"))
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices,
                             default=Stage.DRAFT)
    nominations_close = models.DateTimeField(_("推荐截止时间"))
    voting_closes = models.DateTimeField(_("投票截止时间"))
    votes_per_category = models.PositiveSmallIntegerField(_("每类每人可投票数"), default=1)
    notice = models.ForeignKey("notices.Notice", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("结果公示"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(auto_now_add=True)
    announced_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("最美评选")
        verbose_name_plural = _("最美评选")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(votes_per_category__gte=1,
                                   votes_per_category__lte=MAX_VOTES_PER_CATEGORY),
                name="selection_votes_per_category_range"),
        ]

    def __str__(self) -> str:
        return self.title


class SelectionCategory(models.Model):
    """最美家庭, 最美志愿者, 最美楼道 …: each with its own places and its own votes."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE,
                                  related_name="categories", verbose_name=_("最美评选"))
    name = models.CharField(_("评选类别"), max_length=30)
    places = models.PositiveSmallIntegerField(_("评选名额"), default=3)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评选类别")
        verbose_name_plural = _("评选类别")
        ordering = ["selection", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["selection", "name"],
                                               name="selection_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PASSED = "passed", _("审核通过")
    REFUSED = "refused", _("未通过")
    WINNER = "winner", _("当选")
    NOT_CHOSEN = "not_chosen", _("未当选")


class NominationSource(models.TextChoices):
    SELF = "self", _("自荐")
    RESIDENT = "resident", _("居民推荐")
    STAFF = "staff", _("社区推荐")


class Nomination(QuickChoiceLabels):
    """A family, a volunteer, a stairwell … put forward, with why; voted on once passed."""

    category = models.ForeignKey(SelectionCategory, on_delete=models.CASCADE,
                                 related_name="nominations", verbose_name=_("评选类别"))
    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("地点"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("住户"))
    nominee = models.CharField(_("推荐对象"), max_length=50)
    story = models.TextField(_("推荐理由和事迹"))
    source = models.CharField(_("推荐方式"), max_length=10, choices=NominationSource.choices)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("推荐人"))
    status = models.CharField(_("状态"), max_length=12, choices=NominationStatus.choices,
                              default=NominationStatus.PENDING)
    refusal_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["category", "created_at", "id"]
        indexes = [models.Index(fields=["category", "status"])]

    def __str__(self) -> str:
        return self.nominee

    @property
    def place(self) -> str:
        """Where the nominee is, as neighbours say it: a building with its compound
        (铁路小区1栋: two compounds may each have a 1栋)."""
        area = self.area
        if area.kind == AreaKind.BUILDING and area.parent_id:
            return f"{area.parent.name}{area.name}"
        return area.name


def photo_path(photo: "NominationPhoto", filename: str) -> str:
    return f"campaigns/{photo.sha256[:2]}/{filename}"


class NominationPhoto(models.Model):
    """A photo of a nomination (the family, the tidy stairwell), stored by hash."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE,
                                   related_name="photos", verbose_name=_("推荐"))
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("推荐照片")
        verbose_name_plural = _("推荐照片")
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "sha256"],
                                               name="nomination_photo_once")]

    def __str__(self) -> str:
        return self.sha256[:16]


class Vote(models.Model):
    """One resident's vote for one nominee. ``slot`` numbers the voter's votes in the
    category from 1 to the selection's limit: two votes sent at once take the same slot
    and the database keeps one."""

    category = models.ForeignKey(SelectionCategory, on_delete=models.CASCADE,
                                 related_name="votes", verbose_name=_("评选类别"))
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE,
                                   related_name="vote_rows", verbose_name=_("推荐"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("投票人"))
    slot = models.PositiveSmallIntegerField(_("第几票"))
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "voter"], name="vote_once_a_nominee"),
            models.UniqueConstraint(fields=["category", "voter", "slot"],
                                    name="vote_slots_of_a_voter"),
            models.CheckConstraint(condition=models.Q(slot__gte=1,
                                                      slot__lte=MAX_VOTES_PER_CATEGORY),
                                   name="vote_slot_range"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.nomination_id}"
