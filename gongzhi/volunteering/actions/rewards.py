"""What points buy: the reward catalogue (积分超市) and shops' neighbour coupons (友邻券).

Spending locks the holder's user row (so two redemptions cannot both spend the same
points) and takes one off the stock with a conditional UPDATE (so many people taking the
last item at once leave exactly one winner and a stock of zero, never below).
"""

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organisation, OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.volunteering.actions._common import require_manager, text
from gongzhi.volunteering.actions.bank import lock_users, whole
from gongzhi.volunteering.actions.ledger import points_balance
from gongzhi.volunteering.models import (
    Coupon,
    CouponCode,
    PointsEntry,
    PointsReason,
    Redemption,
    Reward,
)
from gongzhi.volunteering.selectors import holder_paths

# No 0/O, 1/I/L: read out over a shop counter without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_POINTS = 1_000_000
MAX_STOCK = 100_000
REWARD_FIELDS = ["name", "description", "points", "stock", "area", "is_active"]
COUPON_FIELDS = ["merchant", "title", "description", "points", "stock", "valid_until", "area",
                 "is_active"]


def _price(points) -> int:
    return whole(points, "points", low=1, high=MAX_POINTS,
                 message=_("所需积分须为 1 到 %(n)d 之间的整数") % {"n": MAX_POINTS})


def _stock(stock, field: str = "stock") -> int:
    return whole(stock, field, low=0, high=MAX_STOCK,
                 message=_("数量须为 0 到 %(n)d 之间的整数") % {"n": MAX_STOCK})


def _spend_points(holder, offer: Reward | Coupon) -> None:
    """Lock the holder, check where they belong and their balance, take one off the stock."""
    if not getattr(holder, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"))
    if not offer.is_active:
        raise ValidationError(_("已下架"))
    if not any(p.startswith(offer.area_path) for p in holder_paths(holder)):
        raise PermissionDenied(_("仅限本区域的居民和志愿者兑换"))
    lock_users(holder)
    balance = points_balance(holder)
    if balance < offer.points:
        raise ValidationError(_("积分不足：需要 %(need)d，您有 %(have)d")
                              % {"need": offer.points, "have": balance})
    taken = type(offer).objects.filter(pk=offer.pk, stock__gte=1).update(stock=F("stock") - 1)
    if not taken:
        raise ValidationError(_("已兑完"))


# --- the reward catalogue ---------------------------------------------------------------------


@transaction.atomic
def save_reward(*, acting_user, name: str, points, stock, area: AreaNode,
                description: str = "", reward: Reward | None = None,
                is_active: bool | None = None) -> Reward:
    """Staff put a reward on the shelf of their area, or change one."""
    require_manager(acting_user, area)
    before = None
    if reward is not None:
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        require_manager(acting_user, reward.area_path)
        before = audit.snapshot(reward, REWARD_FIELDS)
    else:
        reward = Reward()
    reward.name = text(name, "name", _("请填写礼品名称"), 100)
    reward.description = (description or "").strip()
    reward.points, reward.stock = _price(points), _stock(stock)
    reward.area, reward.area_path = area, area.path
    if is_active is not None:
        reward.is_active = bool(is_active)
    reward.save()
    audit.record(actor=acting_user, action="volunteering.save_reward", obj=reward,
                 before=before, after=audit.snapshot(reward, REWARD_FIELDS))
    return reward


@transaction.atomic
def restock_reward(*, reward: Reward, add: int, acting_user) -> Reward:
    """Staff add ``add`` more to the stock (an UPDATE, so redemptions meanwhile still count)."""
    require_manager(acting_user, reward.area_path)
    add = whole(add, "add", low=1, high=MAX_STOCK,
                message=_("补充数量须为 1 到 %(n)d 之间的整数") % {"n": MAX_STOCK})
    Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + add)
    reward = Reward.objects.get(pk=reward.pk)
    audit.record(actor=acting_user, action="volunteering.restock_reward", obj=reward,
                 after={"add": add, "stock": reward.stock})
    return reward


@transaction.atomic
def redeem_reward(*, reward: Reward, acting_user) -> Redemption:
    """The holder (``acting_user``) spends points on one of the reward."""
    holder = acting_user
    reward = Reward.objects.get(pk=reward.pk)  # the price and shelf as they are now
    _spend_points(holder, reward)
    now = timezone.now()
    redemption = Redemption.objects.create(reward=reward, holder=holder, points=reward.points,
                                           created_at=now)
    PointsEntry.objects.create(holder=holder, points=-reward.points, reason=PointsReason.REWARD,
                               source_key=f"reward:{redemption.pk}", note=reward.name[:200],
                               created_at=now)
    audit.record(actor=acting_user, action="volunteering.redeem_reward", obj=redemption,
                 area_path=reward.area_path,
                 after={"reward": reward.pk, "points": reward.points})
    notify([holder], kind="volunteering.reward_redeemed",
           title=_("已兑换“%(name)s”，用去 %(points)d 积分") % {"name": reward.name,
                                                          "points": reward.points},
           body=_("请到社区领取。"), url="/volunteering/me/")
    return redemption


@transaction.atomic
def hand_over_redemption(*, redemption: Redemption, acting_user) -> Redemption:
    """Staff record that the holder has collected the reward."""
    redemption = (Redemption.objects.select_for_update().select_related("reward")
                  .get(pk=redemption.pk))
    require_manager(acting_user, redemption.reward.area_path)
    if redemption.handed_over_at is not None:
        raise ValidationError(_("该礼品已经领取"))
    redemption.handed_over_at, redemption.handed_over_by = timezone.now(), acting_user
    redemption.save(update_fields=["handed_over_at", "handed_over_by"])
    audit.record(actor=acting_user, action="volunteering.hand_over_redemption", obj=redemption,
                 area_path=redemption.reward.area_path, after={"handed_over": True})
    return redemption


# --- neighbour coupons (友邻券) ---------------------------------------------------------------


def _valid_until(value) -> date:
    day = value if isinstance(value, date) else parse_date(str(value or "").strip() or "x")
    if day is None:
        raise ValidationError({"valid_until": _("请填写有效期")})
    if day < timezone.localdate():
        raise ValidationError({"valid_until": _("有效期不能早于今天")})
    return day


@transaction.atomic
def save_coupon(*, acting_user, merchant: Organisation, title: str, points, stock,
                valid_until, area: AreaNode, description: str = "",
                coupon: Coupon | None = None, is_active: bool | None = None) -> Coupon:
    """Staff put a shop's offer on the shelf of their area, or change one."""
    require_manager(acting_user, area)
    if merchant.kind != OrgKind.MERCHANT or not merchant.is_active:
        raise ValidationError({"merchant": _("请选择在册的商户")})
    before = None
    if coupon is not None:
        coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
        require_manager(acting_user, coupon.area_path)
        before = audit.snapshot(coupon, COUPON_FIELDS)
    else:
        coupon = Coupon()
    coupon.merchant = merchant
    coupon.title = text(title, "title", _("请填写友邻券名称"), 100)
    coupon.description = (description or "").strip()
    if len(coupon.description) > 300:
        raise ValidationError({"description": _("不能超过 %(n)d 个字") % {"n": 300}})
    coupon.points, coupon.stock = _price(points), _stock(stock)
    coupon.valid_until = _valid_until(valid_until)
    coupon.area, coupon.area_path = area, area.path
    if is_active is not None:
        coupon.is_active = bool(is_active)
    coupon.save()
    audit.record(actor=acting_user, action="volunteering.save_coupon", obj=coupon,
                 before=before, after=audit.snapshot(coupon, COUPON_FIELDS))
    return coupon


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


@transaction.atomic
def buy_coupon(*, coupon: Coupon, acting_user) -> CouponCode:
    """The holder (``acting_user``) spends points on a coupon and gets a one-time code."""
    holder = acting_user
    coupon = Coupon.objects.select_related("merchant").get(pk=coupon.pk)
    if coupon.valid_until < timezone.localdate():
        raise ValidationError(_("该友邻券已过期"))
    if not coupon.merchant.is_active:
        raise ValidationError(_("已下架"))
    _spend_points(holder, coupon)
    now = timezone.now()
    for _attempt in range(5):  # 31^10 codes: a collision is rare, five in a row never
        try:
            with transaction.atomic():
                code = CouponCode.objects.create(coupon=coupon, holder=holder, code=_new_code(),
                                                 issued_at=now)
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError(_("生成券码失败，请重试"))
    PointsEntry.objects.create(holder=holder, points=-coupon.points, reason=PointsReason.COUPON,
                               source_key=f"coupon:{code.pk}", note=coupon.title[:200],
                               created_at=now)
    # The code itself stays out of the audit log: only the holder and the shop see it.
    audit.record(actor=acting_user, action="volunteering.buy_coupon", obj=code,
                 area_path=coupon.area_path,
                 after={"coupon": coupon.pk, "points": coupon.points})
    notify([holder], kind="volunteering.coupon_bought",
           title=_("已兑换友邻券“%(title)s”") % {"title": coupon.title},
           body=_("到%(shop)s出示券码即可使用，有效期至 %(day)s。")
           % {"shop": coupon.merchant.name, "day": coupon.valid_until.isoformat()},
           url="/volunteering/me/")
    return code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


@transaction.atomic
def redeem_coupon_code(*, code: str, acting_user) -> CouponCode:
    """A member of the coupon's shop takes the code at the till; it works once."""
    shops = set(Membership.objects.filter(
        user_id=getattr(acting_user, "pk", None), organisation__kind=OrgKind.MERCHANT,
        organisation__is_active=True).values_list("organisation_id", flat=True))
    if not shops:
        raise PermissionDenied(_("只有商户的店员可以核销友邻券"))
    found = (CouponCode.objects.select_related("coupon__merchant", "holder")
             .filter(code=normalise_code(code)).first())
    if found is None:
        raise ValidationError({"code": _("券码不存在，请核对")})
    if found.coupon.merchant_id not in shops:
        raise PermissionDenied(_("这不是本店的友邻券"))
    if found.redeemed_at is not None:
        raise ValidationError({"code": _("该券已使用")})
    if found.coupon.valid_until < timezone.localdate():
        raise ValidationError({"code": _("该券已过期")})
    now = timezone.now()
    # Conditional: of two tills taking the same code at once, one wins.
    if not CouponCode.objects.filter(pk=found.pk, redeemed_at__isnull=True).update(
            redeemed_at=now, redeemed_by=acting_user):
        raise ValidationError({"code": _("该券已使用")})
    found.redeemed_at, found.redeemed_by = now, acting_user
    audit.record(actor=acting_user, action="volunteering.redeem_coupon_code", obj=found,
                 area_path=found.coupon.area_path,
                 after={"coupon": found.coupon_id, "merchant": found.coupon.merchant_id})
    notify([found.holder], kind="volunteering.coupon_redeemed",
           title=_("您的友邻券“%(title)s”已在%(shop)s使用")
           % {"title": found.coupon.title, "shop": found.coupon.merchant.name},
           url="/volunteering/me/")
    return found
