"""What points buy, in the volunteering API: the reward catalogue (积分超市) and neighbour
coupons (友邻券) for holders, and for staff (MANAGE_VOLUNTEERS) the menu items and rewards
of their area.

The balance is the sum of the points ledger, never a stored number. A coupon's code is
shown to its holder only (in the reply to the purchase and in coupons/mine). Every change is
one of ``gongzhi.volunteering.actions``; refusals answer as in ``gongzhi.volunteering.api``
(403 / 409 / 422); a row the caller cannot name answers 404.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core.api import AUTH_ERRORS, ApiError, ErrorOut
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import menu as menu_actions
from gongzhi.volunteering.actions import rewards as reward_actions
from gongzhi.volunteering.actions.ledger import points_balance
from gongzhi.volunteering.api import CREATE_ERRORS, ID, STEP_ERRORS, forbidden, invalid, run_action
from gongzhi.volunteering.api_schemas import AreaRef, MenuItemOut, area_ref, menu_item_body
from gongzhi.volunteering.api_staff import manager
from gongzhi.volunteering.models import Coupon, CouponCode, Reward, ServiceItem

router = Router()

ACT_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RewardOut(Schema):
    id: int
    name: str
    description: str
    points: int = Field(description="所需积分 / points it costs")
    stock: int = Field(description="库存 / left")
    area: AreaRef
    is_active: bool


class CouponOut(Schema):
    id: int
    title: str
    description: str
    merchant: str = Field(description="商户 / the shop")
    points: int
    stock: int
    valid_until: date


class ShelfOut(Schema):
    points: int = Field(description="积分余额（积分账户合计）/ points balance, from the ledger")
    rewards: list[RewardOut]
    coupons: list[CouponOut]


class RedemptionOut(Schema):
    id: int
    reward: RewardOut
    points: int = Field(description="用去的积分 / points spent")
    balance: int = Field(description="兑换后的积分余额 / points left")
    created_at: datetime


class CodeOut(Schema):
    id: int
    code: str = Field(description="券码（仅本人可见）/ the one-time code, for its holder only")
    coupon: CouponOut
    issued_at: datetime
    redeemed_at: datetime | None
    balance: int = Field(description="积分余额 / points left")


class CodeList(Schema):
    items: list[CodeOut]


class MenuItemIn(Schema):
    library: str = Field(..., max_length=16, description="项目库 / library")
    name: str = Field(..., max_length=100, description="服务项目 / name")
    usual_hours: str = Field(..., max_length=10, description="一般用时 0.5–24 小时 / hours")
    area: str = Field(..., max_length=64, description="服务范围（区域编码）/ area code")
    team: str | None = Field(None, max_length=64, description="队伍编码 / team code")
    description: str = Field("", max_length=2000, description="说明 / details")


class RewardIn(Schema):
    name: str = Field(..., max_length=100, description="礼品 / name")
    points: int = Field(..., description="所需积分 / points it costs")
    stock: int = Field(..., description="库存 / how many")
    area: str = Field(..., max_length=64, description="区域编码 / area code")
    description: str = Field("", max_length=2000, description="说明 / details")


class RestockIn(Schema):
    add: int = Field(..., description="补充数量 / how many to add")


# --- rows as JSON ------------------------------------------------------------------------


def reward_body(reward: Reward) -> dict:
    return {"id": reward.pk, "name": reward.name, "description": reward.description,
            "points": reward.points, "stock": reward.stock, "area": area_ref(reward.area),
            "is_active": reward.is_active}


def coupon_body(coupon: Coupon) -> dict:
    return {"id": coupon.pk, "title": coupon.title, "description": coupon.description,
            "merchant": coupon.merchant.name, "points": coupon.points, "stock": coupon.stock,
            "valid_until": coupon.valid_until}


def code_body(code: CouponCode, balance: int) -> dict:
    return {"id": code.pk, "code": code.code, "coupon": coupon_body(code.coupon),
            "issued_at": code.issued_at, "redeemed_at": code.redeemed_at, "balance": balance}


def _out_of_stock(model, pk: int):
    def check() -> tuple[str, str] | None:
        offer = model.objects.get(pk=pk)
        return ("out_of_stock", "none left") if offer.is_active and offer.stock < 1 else None
    return check


# --- holders -----------------------------------------------------------------------------


@router.get("/rewards", response={200: ShelfOut, **AUTH_ERRORS},
            summary="积分超市与友邻券 / rewards and coupons I may redeem, with my points")
def shelf(request: HttpRequest):
    user = request.auth
    return {"points": points_balance(user),
            "rewards": [reward_body(r) for r in selectors.rewards_for(user)
                        .select_related("area")],
            "coupons": [coupon_body(c) for c in selectors.coupons_for(user)]}


@router.post("/rewards/{id}/redeem", response={201: RedemptionOut, **STEP_ERRORS},
             summary="兑换礼品 / spend points on a reward")
def redeem(request: HttpRequest, id: int = ID):
    """409 ``out_of_stock`` when none is left; 422 when the points do not reach."""
    user = request.auth
    reward = selectors.rewards_for(user).filter(pk=id).first()
    if reward is None:
        raise ApiError(404, _("未找到该礼品"), "reward not found", "not_found")
    done: list = []
    refused = run_action(
        lambda: done.append(reward_actions.redeem_reward(reward=reward, acting_user=user)),
        _out_of_stock(Reward, id))
    if refused:
        return refused
    redemption = done[0]
    return Reply(201, {"id": redemption.pk,
                       "reward": reward_body(Reward.objects.select_related("area").get(pk=id)),
                       "points": redemption.points, "balance": points_balance(user),
                       "created_at": redemption.created_at})


@router.post("/coupons/{id}/buy", response={201: CodeOut, **STEP_ERRORS},
             summary="兑换友邻券，得到券码 / spend points on a coupon and get its code")
def buy(request: HttpRequest, id: int = ID):
    """409 ``out_of_stock`` when none is left; 422 when the points do not reach."""
    user = request.auth
    coupon = selectors.coupons_for(user).filter(pk=id).first()
    if coupon is None:
        raise ApiError(404, _("未找到该友邻券"), "coupon not found", "not_found")
    done: list[CouponCode] = []
    refused = run_action(
        lambda: done.append(reward_actions.buy_coupon(coupon=coupon, acting_user=user)),
        _out_of_stock(Coupon, id))
    if refused:
        return refused
    code = CouponCode.objects.select_related("coupon__merchant").get(pk=done[0].pk)
    return Reply(201, code_body(code, points_balance(user)))


@router.get("/coupons/mine", response={200: CodeList, **AUTH_ERRORS},
            summary="我的友邻券券码 / my coupon codes, unused first")
def my_codes(request: HttpRequest):
    user = request.auth
    balance = points_balance(user)
    return {"items": [code_body(c, balance) for c in selectors.my_coupon_codes(user)]}


# --- staff -------------------------------------------------------------------------------



def _area(code: str) -> AreaNode:
    area = AreaNode.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({"area": _("未找到该区域")})
    return area


def _team(code: str | None) -> Organisation | None:
    if not code:
        return None
    team = Organisation.objects.filter(code=code, kind=OrgKind.VOLUNTEER_TEAM).first()
    if team is None:
        raise ValidationError({"team": _("未找到该志愿服务队")})
    return team


def _create(run):
    try:
        return run(), None
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    except ValidationError as exc:
        return None, invalid(exc)


@router.post("/manage/menu", response={201: MenuItemOut, **CREATE_ERRORS},
             summary="新增服务项目 / add an item to the menu of my area")
def add_item(request: HttpRequest, body: MenuItemIn):
    user = manager(request)
    item, refused = _create(lambda: menu_actions.save_service_item(
        acting_user=user, library=body.library, name=body.name, usual_hours=body.usual_hours,
        area=_area(body.area), team=_team(body.team), description=body.description))
    if refused:
        return refused
    return Reply(201, menu_item_body(ServiceItem.objects.select_related("team", "area")
                                     .get(pk=item.pk)))


@router.post("/manage/menu/{id}/retire", response={200: MenuItemOut, **STEP_ERRORS},
             summary="下架服务项目 / take an item off the menu")
def retire_item(request: HttpRequest, id: int = ID):
    """409 ``already_retired`` when it is off the menu already."""
    user = manager(request)
    item = ServiceItem.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"),
                                      pk=id).first()
    if item is None:
        raise ApiError(404, _("未找到该服务项目"), "menu item not found", "not_found")
    refused = run_action(
        lambda: menu_actions.retire_service_item(item=item, acting_user=user),
        lambda: None if ServiceItem.objects.get(pk=id).is_active
        else ("already_retired", "this item is off the menu already"))
    return refused or menu_item_body(ServiceItem.objects.select_related("team", "area")
                                     .get(pk=id))


@router.post("/manage/rewards", response={201: RewardOut, **CREATE_ERRORS},
             summary="上架积分礼品 / put a reward on the shelf of my area")
def add_reward(request: HttpRequest, body: RewardIn):
    user = manager(request)
    reward, refused = _create(lambda: reward_actions.save_reward(
        acting_user=user, name=body.name, points=body.points, stock=body.stock,
        area=_area(body.area), description=body.description))
    if refused:
        return refused
    return Reply(201, reward_body(Reward.objects.select_related("area").get(pk=reward.pk)))


@router.post("/manage/rewards/{id}/restock", response={200: RewardOut, **ACT_ERRORS},
             summary="补充库存 / add to a reward's stock")
def restock(request: HttpRequest, body: RestockIn, id: int = ID):
    user = manager(request)
    reward = selectors.managed_rewards(user).filter(pk=id).first()
    if reward is None:
        raise ApiError(404, _("未找到该礼品"), "reward not found", "not_found")
    refused = run_action(
        lambda: reward_actions.restock_reward(reward=reward, add=body.add, acting_user=user),
        lambda: None)
    return refused or reward_body(Reward.objects.select_related("area").get(pk=id))
