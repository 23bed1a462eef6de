"""The time bank (时间银行) and the points rules.

Hours served arrive as units through ``ledger.credit_hours``; here they leave: spent on a
service at the counter (兑换服务) or given to a family member (转给家人). A balance is the sum
of a holder's entries; every read-then-write locks the holder's user row first, so two
requests at the same moment cannot both spend the same units. The reward catalogue and the
neighbour coupons are in ``rewards``.
"""

from decimal import Decimal, InvalidOperation
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, can, is_administrator
from gongzhi.volunteering.actions._common import actor
from gongzhi.volunteering.actions.ledger import TENTH, time_bank_balance
from gongzhi.volunteering.models import (
    PointsRule,
    RuleCode,
    TimeBankEntry,
    TimeBankKind,
    Volunteer,
)
from gongzhi.volunteering.selectors import holder_paths

MAX_UNITS = Decimal("99999.9")
MAX_RULE_POINTS = 1000


def lock_users(*users) -> None:
    """Lock the users' rows, lowest id first (two transfers between the same two people
    the other way round must not deadlock)."""
    ids = sorted({u.pk for u in users})
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def whole(value, field: str, *, low: int, high: int, message: str) -> int:
    """``value`` as an int between ``low`` and ``high``; ``message`` on ``field`` if not."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if not low <= number <= high:
        raise ValidationError({field: message})
    return number


def clean_units(value) -> Decimal:
    """More than 0 units, at most one decimal place."""
    try:
        units = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"units": _("请填写时间币数量")}) from None
    if not units.is_finite() or units <= 0:
        raise ValidationError({"units": _("数量须大于 0")})
    if units != units.quantize(TENTH):
        raise ValidationError({"units": _("数量最多保留一位小数")})
    if units > MAX_UNITS:
        raise ValidationError({"units": _("数量过大")})
    return units


def _entry(**fields) -> TimeBankEntry:
    try:
        with transaction.atomic():
            return TimeBankEntry.objects.create(created_at=timezone.now(), **fields)
    except IntegrityError:
        raise ValidationError(_("这笔记录已经登记过了")) from None


@transaction.atomic
def spend_units(*, holder, units, note: str, acting_user,
                source_key: str | None = None) -> TimeBankEntry:
    """Staff at the time-bank counter record that ``holder`` used ``units`` for a service
    (兑换服务). Never more than the balance."""
    paths = holder_paths(holder)
    if not paths:
        raise ValidationError(_("该账号不是本平台的居民或志愿者，没有时间银行账户"))
    if acting_user is not None and not any(can(acting_user, Perm.MANAGE_VOLUNTEERS, p)
                                           for p in paths):
        raise PermissionDenied(_("您无权为该居民办理时间银行业务"))
    units = clean_units(units)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明兑换的服务")})
    source_key = source_key or f"spend:{uuid4().hex}"
    if len(source_key) > 60:
        raise ValidationError({"source_key": _("来源编号过长")})
    lock_users(holder)
    balance = time_bank_balance(holder)
    if units > balance:
        raise ValidationError({"units": _("时间币余额不足（余额 %(balance)s）")
                               % {"balance": balance}})
    entry = _entry(holder=holder, units=-units, kind=TimeBankKind.SPEND, source_key=source_key,
                   note=note[:200], created_by=actor(acting_user))
    audit.record(actor=acting_user, action="volunteering.spend_units", obj=entry,
                 area_path=paths[0],
                 after={"holder": holder.pk, "units": str(units), "note": note[:200],
                        "balance": str(balance - units)})
    notify([holder], kind="volunteering.units_spent",
           title=_("时间银行支出 %(units)s 时间币") % {"units": units}, body=note[:200],
           url="/volunteering/me/")
    return entry


@transaction.atomic
def transfer_units(*, to_user, units, acting_user) -> tuple[TimeBankEntry, TimeBankEntry]:
    """The holder (``acting_user``) gives units to a member of their own household, who may
    not hold more than the storage cap (GONGZHI_TIME_BANK_CAP)."""
    holder = acting_user
    if not getattr(holder, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"))
    units = clean_units(units)
    if to_user.pk == holder.pk:
        raise ValidationError({"to_user": _("不能转给自己")})
    mine = getattr(holder, "resident", None)
    theirs = getattr(to_user, "resident", None)
    if mine is None or theirs is None or mine.household_id != theirs.household_id:
        raise ValidationError({"to_user": _("只能转给同一户的家庭成员")})
    lock_users(holder, to_user)
    # credit_hours locks the volunteer row before reading the cap; so does a transfer in.
    list(Volunteer.objects.select_for_update().filter(user=to_user))
    balance = time_bank_balance(holder)
    if units > balance:
        raise ValidationError({"units": _("时间币余额不足（余额 %(balance)s）")
                               % {"balance": balance}})
    cap = Decimal(settings.GONGZHI_TIME_BANK_CAP)
    room = cap - time_bank_balance(to_user)
    if units > room:
        raise ValidationError({"units": _("对方的时间银行最多存 %(cap)s 时间币，还能转入 "
                                          "%(room)s") % {"cap": cap, "room": max(room, 0)}})
    key = uuid4().hex
    out = _entry(holder=holder, units=-units, kind=TimeBankKind.TRANSFER_OUT,
                 source_key=f"transfer:{key}:out", counterpart=to_user,
                 created_by=actor(acting_user))
    into = _entry(holder=to_user, units=units, kind=TimeBankKind.TRANSFER_IN,
                  source_key=f"transfer:{key}:in", counterpart=holder,
                  created_by=actor(acting_user))
    audit.record(actor=acting_user, action="volunteering.transfer_units", obj=out,
                 area_path=mine.household.area_path,
                 after={"from": holder.pk, "to": to_user.pk, "units": str(units),
                        "key": key})
    notify([to_user], kind="volunteering.units_received",
           title=_("%(name)s 转给您 %(units)s 时间币") % {"name": holder.display_name,
                                                     "units": units},
           url="/volunteering/me/")
    return out, into


@transaction.atomic
def save_points_rule(*, code: str, points, is_active: bool, acting_user) -> PointsRule:
    """Administrators set how many points a deed earns (0 or inactive: none)."""
    if not is_administrator(acting_user):
        raise PermissionDenied(_("只有管理员可以设置积分规则"))
    if code not in RuleCode.values:
        raise ValidationError({"code": _("未知的积分规则")})
    points = whole(points, "points", low=0, high=MAX_RULE_POINTS,
                   message=_("积分须为 0 到 %(n)d 之间的整数") % {"n": MAX_RULE_POINTS})
    rule = PointsRule.objects.select_for_update().filter(code=code).first()
    before = audit.snapshot(rule, ["code", "points", "is_active"]) if rule else None
    if rule is None:
        rule = PointsRule(code=code)
    rule.points, rule.is_active = points, bool(is_active)
    rule.save()
    audit.record(actor=acting_user, action="volunteering.save_points_rule", obj=rule,
                 before=before, after=audit.snapshot(rule, ["code", "points", "is_active"]))
    return rule
