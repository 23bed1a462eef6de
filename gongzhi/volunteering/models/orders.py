"""The four orders (四单): a resident orders from the menu or posts a micro-wish (点单),
staff dispatch it or put it on the open board (派单), a volunteer takes it (接单) and
reports the hours, the resident rates it (评单)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.volunteering.models.volunteers import ServiceItem, Volunteer


class OrderKind(models.TextChoices):
    MENU = "menu", _("点单服务")
    WISH = "wish", _("微心愿")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("待派单")
    OPEN = "open", _("待认领")  # on the open board: any volunteer of the area may claim it
    DISPATCHED = "dispatched", _("已派单")  # to a team or a volunteer, waiting to be taken
    ACCEPTED = "accepted", _("已接单")
    DONE = "done", _("待评价")
    RATED = "rated", _("已评价")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_ORDER_STATUSES = (OrderStatus.ORDERED, OrderStatus.OPEN, OrderStatus.DISPATCHED,
                         OrderStatus.ACCEPTED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ServiceOrder(QuickChoiceLabels):
    kind = models.CharField(_("类型"), max_length=8, choices=OrderKind.choices)
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务项目"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="orders")
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    # Where the service is wanted: the resident's home building, as a rule.
    area = models.ForeignKey(AreaNode, verbose_name=_("地点"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("点单人"),
                                  on_delete=models.PROTECT, related_name="service_orders")
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.ORDERED)
    team = models.ForeignKey(Organisation, verbose_name=_("派给队伍"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="orders")
    created_at = models.DateTimeField(_("点单时间"))
    # Nobody has taken it by then: staff are told (flagged_at records that they were).
    take_by = models.DateTimeField(_("接单期限"))
    flagged_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1,
                                null=True, blank=True)
    report = models.TextField(_("服务情况"), blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "take_by"], name="order_status_take_by")]

    def __str__(self) -> str:
        return self.title


# What each step of the timeline is called (OrderEvent.kind is the action's name).
EVENT_LABELS = {
    "ordered": _("居民点单"), "wished": _("居民发布微心愿"), "dispatched": _("社区派单"),
    "posted": _("改为公开认领"), "claimed": _("志愿者认领"), "accepted": _("志愿者接单"),
    "declined": _("退回重新派单"), "done": _("服务完成"), "rated": _("居民评价"),
    "cancelled": _("订单取消"), "flagged": _("超时未接单，已提醒社区"),
}


class OrderEvent(models.Model):
    """The order's timeline: who did what, when (the audit log keeps the full record)."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)  # ordered, dispatched, posted, claimed, accepted …
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.kind}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))
