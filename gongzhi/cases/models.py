"""The problem ledger (问题台账 / 诉求件): cases, their timeline, photos and deadlines.

Closed loop: 受理 → 派单 → 办理 → 办结 → 评价 → 归档, with forwarding (转办), escalation
up the area tree (上报 / 吹哨), extensions (延期), reopening on a bad rating and merging of
duplicates. Every change goes through ``gongzhi.cases.actions``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class Category(models.Model):
    """A kind of problem, with its time limits. Two levels: group › category."""

    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    # 12345 practice: accept online submissions within 2 h; general requests in 7 days.
    response_hours = models.PositiveSmallIntegerField(_("响应时限（小时）"), default=2)
    resolution_workdays = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=7)
    urgent_response_hours = models.PositiveSmallIntegerField(_("紧急响应时限（小时）"), default=1)
    urgent_resolution_workdays = models.PositiveSmallIntegerField(
        _("紧急办结时限（工作日）"), default=1
    )
    keywords = models.CharField(_("关键词"), max_length=300, blank=True,
                                help_text=_("空格分隔，用于自动分类建议"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题分类")
        verbose_name_plural = _("问题分类")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Area + category → the body responsible by default (the deepest matching area wins)."""

    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.CASCADE,
                             related_name="routing_rules")
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.CASCADE,
                                 related_name="routing_rules")
    organisation = models.ForeignKey(Organisation, verbose_name=_("责任单位"),
                                     on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [models.UniqueConstraint(fields=["area", "category"],
                                               name="routing_unique_area_category")]

    def __str__(self) -> str:
        return f"{self.area} · {self.category} → {self.organisation}"

    @property
    def area_path(self) -> str:
        return self.area.path


class Source(models.TextChoices):
    RESIDENT_PAGE = "resident_page", _("居民上报")
    HOTLINE = "hotline", _("热线电话")
    VISIT = "visit", _("来访")
    DOOR_TO_DOOR = "door_to_door", _("入户走访")
    PATROL = "patrol", _("网格巡查")
    DEPUTY_STATION = "deputy_station", _("人大代表联络站")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    ESCALATED = "escalated", _("已上报")
    RESOLVED = "resolved", _("已办结")
    ARCHIVED = "archived", _("已归档")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS,
                 Status.ESCALATED)
CLOSED_STATUSES = (Status.ARCHIVED, Status.REJECTED, Status.MERGED)
# Open, or resolved and waiting for the reporter's rating: still on the wall chart.
ACTIVE_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


def reference_for(created_at, pk: int | None) -> str:
    """受理编号: the report's local date and the case id, e.g. 20261202000042."""
    if not (created_at and pk):
        return ""
    # The platform's one time zone (Asia/Shanghai); lists show thousands of these.
    day = created_at.astimezone(timezone.get_default_timezone())
    return f"{day:%Y%m%d}{pk:06d}"


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Case(QuickChoiceLabels):
    created_at = models.DateTimeField(_("上报时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"))
    category = models.ForeignKey(Category, verbose_name=_("分类"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    priority = models.CharField(_("紧急程度"), max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.SUBMITTED)
    # Where the problem is (a building, compound or grid) and, denormalised, its path.
    area = models.ForeignKey(AreaNode, verbose_name=_("位置"), on_delete=models.PROTECT,
                             related_name="cases")
    area_path = models.CharField(max_length=60, editable=False)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    # The level that triages the case now: the community, or above it after escalation.
    handling_area = models.ForeignKey(AreaNode, verbose_name=_("责任层级"),
                                      on_delete=models.PROTECT, related_name="handled_cases")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("反映人"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="cases")
    reporter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True,
                                 blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_cases")
    assignee_org = models.ForeignKey(Organisation, verbose_name=_("承办单位"), null=True,
                                     blank=True, on_delete=models.SET_NULL,
                                     related_name="assigned_cases")
    response_due = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("办结时限"), null=True, blank=True)
    # What the reporter is told to expect (Open311 ``expected_datetime``): from submission,
    # the category's limit counted from the report; from acceptance on, resolution_due.
    # Not a deadline: overdue rules, reminders and KPIs read resolution_due, empty until
    # the case is accepted.
    expected_resolution = models.DateTimeField(_("预计办结时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    rejection_reason = models.CharField(_("不予受理原因"), max_length=200, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_cases")
    # 五问: the handler fills these along the way.
    need = models.TextField(_("问需求"), blank=True)
    cause = models.TextField(_("问原因"), blank=True)
    plan = models.TextField(_("问方案"), blank=True)
    progress = models.TextField(_("问进度"), blank=True)
    outcome = models.TextField(_("问成效"), blank=True)
    # Segmented words of title + description (jieba), for duplicates and suggestions.
    terms = models.TextField(blank=True, editable=False)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True,
                                       editable=False)
    # Lets an anonymous reporter follow and rate their case from the link they were given.
    access_token = models.CharField(max_length=32, unique=True, editable=False)
    # Bumped by every action: a form posted against an old version is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("诉求件")
        verbose_name_plural = _("问题台账")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "-created_at", "-id"], name="case_area_created"),
            models.Index(fields=["status", "resolution_due"], name="case_status_due"),
            models.Index(fields=["assignee_org", "status"], name="case_org_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            # The work in hand under an area (wall chart, home page, reminders): a small
            # index, about one case in a hundred, whatever the age of the ledger.
            models.Index(fields=["area_path", "resolution_due"], name="case_active_area",
                         condition=models.Q(status__in=ACTIVE_STATUSES)),
            # A street's and a community's ledger in date order (selectors.in_area).
            models.Index(Substr("area_path", 1, 18), F("created_at").desc(), F("id").desc(),
                         name="case_street_created"),
            models.Index(Substr("area_path", 1, 24), F("created_at").desc(), F("id").desc(),
                         name="case_community_created"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """受理编号 shown to residents: the report date and the case id (derived, not stored)."""
        return reference_for(self.created_at, self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("上报")
    ACCEPTED = "accepted", _("受理")
    REJECTED = "rejected", _("不予受理")
    RECLASSIFIED = "reclassified", _("调整分类")
    DISPATCHED = "dispatched", _("派单")
    FORWARDED = "forwarded", _("转办")
    ESCALATED = "escalated", _("上报上级")
    STARTED = "started", _("开始办理")
    NOTE = "note", _("办理记录")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_DECIDED = "extension_decided", _("延期审批")
    RESOLVED = "resolved", _("办结")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("重新办理")
    ARCHIVED = "archived", _("归档")
    MERGED = "merged", _("合并")
    SUPPORTED = "supported", _("附议")
    REMINDED = "reminded", _("催办")
    DELIBERATED = "deliberated", _("议事协商")


class CaseEvent(QuickChoiceLabels):
    """One step on the case's timeline; internal notes are hidden from residents."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices)
    note = models.TextField(_("说明"), blank=True)
    is_internal = models.BooleanField(_("仅内部可见"), default=False)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.note[:30]}"


def photo_path(instance: "CasePhoto", filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:16]}.{instance.extension}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="photos")
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.sha256[:8]}.{self.extension}"


class Supporter(models.Model):
    """A resident who says "me too" (附议), or the reporter of a case merged into this one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="supported_cases")
    phone = models.CharField(max_length=20, blank=True)
    from_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=models.Q(user__isnull=False),
                                    name="supporter_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.user_id or self.phone}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ExtensionRequest(QuickChoiceLabels):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    workdays = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.CharField(_("延期理由"), max_length=300)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(status="pending"),
                                    name="extension_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.workdays} · {self.get_status_display()}"


class ReminderKind(models.TextChoices):
    RESPONSE_DUE_SOON = "response_due_soon", _("即将超过响应时限")
    RESPONSE_OVERDUE = "response_overdue", _("已超过响应时限")
    RESOLUTION_DUE_SOON = "resolution_due_soon", _("即将超过办结时限")
    RESOLUTION_OVERDUE = "resolution_overdue", _("已超过办结时限")


class Reminder(models.Model):
    """A reminder sent once per case, kind and deadline (a new deadline may remind again)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    due = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("催办提醒")
        verbose_name_plural = _("催办提醒")
        constraints = [models.UniqueConstraint(fields=["case", "kind", "due"],
                                               name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()}"


class CategoryTerm(models.Model):
    """How often a word appeared in cases staff filed under a category (learned suggestions)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("分类关键词")
        verbose_name_plural = _("分类关键词")
        constraints = [models.UniqueConstraint(fields=["category", "term"],
                                               name="categoryterm_unique")]
        indexes = [models.Index(fields=["term"])]

    def __str__(self) -> str:
        return f"{self.category_id} · {self.term} × {self.count}"
