"""Projects in yearly batches (年度批次), their items of work, supervision and acceptance."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.renewal.models.compounds import Management


class Batch(QuickChoiceLabels):
    """年度批次: the projects a street or district takes on in one year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("批次名称"), max_length=100)
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("改造批次")
        verbose_name_plural = _("改造批次")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "year", "name"],
                                               name="renewal_batch_once")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    RESERVE = "reserve", _("储备")
    PLANNING = "planning", _("谋划")
    WORKS = "works", _("实施")
    ACCEPTANCE = "acceptance", _("验收")
    MANAGEMENT = "management", _("长效管理")


STAGE_ORDER = list(Stage.values)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    VOTING = "voting", _("征求意见中")
    PASSED = "passed", _("居民已通过")
    FAILED = "failed", _("居民未通过")
    SUBMITTED = "submitted", _("报街道审批")
    REFUSED = "refused", _("未获批准")
    APPROVED = "approved", _("已批准")


class Project(QuickChoiceLabels):
    """改造项目: one compound (or several side by side) from reserve to long-term management."""

    name = models.CharField(_("项目名称"), max_length=100)
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="projects")
    # The compound, or the community when the project spans several compounds.
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    compounds = models.ManyToManyField(AreaNode, verbose_name=_("改造小区"), related_name="+")
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices,
                             default=Stage.RESERVE)
    summary = models.TextField(_("项目概况"), blank=True)
    plan_status = models.CharField(_("改造方案"), max_length=10, choices=PlanStatus.choices,
                                   default=PlanStatus.DRAFT)
    # The plan put to residents: an owners' vote (art. 278) or a household consultation.
    poll = models.ForeignKey("deliberation.Poll", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey("deliberation.Consultation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    resolution = models.ForeignKey("deliberation.Resolution", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    funding_notice = models.ForeignKey("notices.Notice", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    started_at = models.DateTimeField(_("开工时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    # Long-term management (长效管理) after acceptance.
    management = models.CharField(_("长效管理方式"), max_length=10, blank=True,
                                  choices=Management.choices)
    manager = models.ForeignKey(Organisation, verbose_name=_("管理单位"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    convention = models.TextField(_("居民公约"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    BASIC = "basic", _("基础类")
    IMPROVEMENT = "improvement", _("完善类")
    ENHANCEMENT = "enhancement", _("提升类")


# Plan order: basics before improvements before enhancements (REFERENCES: 先基础后提升).
CATEGORY_RANK = {value: rank for rank, value in enumerate(Category.values)}


def plan_order(category: str, position: int) -> int:
    return CATEGORY_RANK[category] * 1000 + position


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("未开工")
    IN_WORKS = "in_works", _("施工中")
    FINISHED = "finished", _("已完工")
    REWORK = "rework", _("整改中")
    ACCEPTED = "accepted", _("已验收")


class WorkItem(QuickChoiceLabels):
    """改造内容: one item of the plan (e.g. 雨污分流 1,200 m, budget ¥360,000)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    name = models.CharField(_("改造内容"), max_length=100)
    quantity = models.DecimalField(_("工程量"), max_digits=12, decimal_places=2,
                                   null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)
    contractor = models.ForeignKey(Organisation, verbose_name=_("施工单位"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey("renewal.SurveyOption", verbose_name=_("对应的居民需求"),
                             null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="items")
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际完工"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices,
                              default=ItemStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容")
        ordering = ["project", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ProgressLog(models.Model):
    """施工进度: what was done, how far along, with photos."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="progress_logs")
    note = models.TextField(_("进度说明"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    logged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("施工进度")
        verbose_name_plural = _("施工进度")
        ordering = ["-logged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.progress}%"


class MemberRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("居民监督员")
    REPRESENTATIVE = "representative", _("居民代表")


class ProjectMember(QuickChoiceLabels):
    """Residents appointed to a project: supervisors on site, representatives who accept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"),
                             on_delete=models.PROTECT, related_name="renewal_roles")
    role = models.CharField(_("职责"), max_length=16, choices=MemberRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    appointed_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("项目居民成员")
        verbose_name_plural = _("项目居民成员")
        ordering = ["project", "role", "name"]
        constraints = [models.UniqueConstraint(
            fields=["project", "user", "role"], name="renewal_member_once",
            condition=models.Q(left_at__isnull=True))]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """监督巡查: a supervisor's visit to the site; a problem found opens a case."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspections")
    item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("巡查情况"))
    problem = models.TextField(_("发现的问题"), blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    inspected_at = models.DateTimeField()

    class Meta:
        verbose_name = _("监督巡查")
        verbose_name_plural = _("监督巡查")
        ordering = ["-inspected_at", "-id"]

    def __str__(self) -> str:
        return self.note[:50]


class Party(models.TextChoices):
    RESIDENTS = "residents", _("居民代表")
    COMMUNITY = "community", _("社区")


class Signoff(QuickChoiceLabels):
    """验收意见: one party's sign-off of one item, or its refusal with a reason."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="signoffs")
    party = models.CharField(_("验收方"), max_length=10, choices=Party.choices)
    accepted = models.BooleanField(_("通过"))
    reason = models.CharField(_("意见"), max_length=300, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField()
    # A refusal sends the item back to works; sign-offs before it no longer count.
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("验收意见")
        verbose_name_plural = _("验收意见")
        ordering = ["-signed_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["item", "party"], name="renewal_signoff_once",
            condition=models.Q(superseded=False))]


def photo_path(instance: "Photo", filename: str) -> str:
    return f"renewal/{instance.sha256[:2]}/{filename}"


class Photo(models.Model):
    """A photo of a compound, an item's progress or an inspection, stored by hash."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="photos")
    record = models.ForeignKey("renewal.CompoundRecord", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="photos")
    progress = models.ForeignKey(ProgressLog, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="photos")
    inspection = models.ForeignKey(Inspection, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="photos")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.sha256[:16]
