"""Users, roles scoped to an area node, organisations and API tokens."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaNode, Resident
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.core.permissions import Role


class User(AbstractUser):
    """A person who logs in, by phone number or by username."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    resident = models.OneToOneField(
        Resident,
        verbose_name=_("居民档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleGrant(QuickChoiceLabels):
    """A role held on an area node; it covers that node and everything below it."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="role_grants"
    )
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="rolegrant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class OrgKind(models.TextChoices):
    DEPARTMENT = "department", _("职能部门")
    PROPERTY = "property", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    CO_BUILDING = "co_building", _("共建单位")
    SOCIAL = "social", _("社会组织")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    MERCHANT = "merchant", _("商户")  # shops that take neighbour coupons (友邻券)
    CONTRACTOR = "contractor", _("施工单位")  # builders of renovation works (老旧小区改造)


class Organisation(QuickChoiceLabels):
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    areas = models.ManyToManyField(
        AreaNode, verbose_name=_("服务区域"), related_name="organisations", blank=True
    )
    members = models.ManyToManyField(
        User, through="Membership", related_name="organisations", verbose_name=_("成员")
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    is_leader = models.BooleanField(_("负责人"), default=False)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.user}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
