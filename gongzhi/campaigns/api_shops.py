"""API of 门前三包, mounted under /api/campaigns/ (paths /shops…): the shops I inspect, run
or belong to; registering one; inspections (a problem needs a note and at least one photo,
sent base64-encoded); the month's scores of an area; publishing the month's 红黑榜.

A shop outside what the caller inspects, runs or belongs to answers 404, as if it did not
exist. Refusals: 403 (not yours to do), 422 (bad input, a month not ended, a board out
already). Every change is one of ``gongzhi.campaigns.actions``.
"""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import AreaNode
from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_shops as sel
from gongzhi.campaigns.api_schemas import area_ref
from gongzhi.campaigns.api_schemas_shops import (
    BoardIn,
    BoardOut,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    ScoresOut,
    ShopIn,
    ShopOut,
    ShopPage,
    board_body,
    inspection_body,
    score_body,
    shop_body,
)
from gongzhi.campaigns.models import Inspection, Shop, ShopBoard
from gongzhi.core.api import ERRORS, ApiError, ErrorOut, run_action, validation_body
from gongzhi.core.permissions import Perm, can

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
ACT_ERRORS = {**ERRORS, 403: ErrorOut}


def visible_shops(user):
    """Shops I inspect, run campaigns for, or belong to."""
    return sel.with_counts(sel.visible_shops(user))


def _shop(user, pk: int) -> Shop:
    shop = visible_shops(user).filter(pk=pk).first()
    if shop is None:
        raise ApiError(404, _("未找到该商户"), "shop not found", "not_found")
    return shop


def _area(code: str) -> AreaNode:
    area = AreaNode.objects.filter(code=code).first()
    if area is None:
        raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
    return area


def _invalid(field: str, message: str) -> Reply:
    return Reply(422, validation_body(ValidationError({field: message})))


# --- inspections, scores, boards (before /shops/{id}) ----------------------------------------


@router.get("/shops/inspections", response={200: InspectionPage, **ERRORS},
            summary="门前三包检查记录 / inspections of the shops I see")
def inspection_list(request: HttpRequest,
                    shop: int | None = Query(None, ge=1, description="商户 ID / one shop"),
                    open: bool = Query(False, description="只看未整改问题 / open problems only"),
                    limit: int = LIMIT, offset: int = OFFSET):
    shops = visible_shops(request.auth)
    if shop is not None:
        shops = shops.filter(pk=_shop(request.auth, shop).pk)
    rows = (sel.open_problems(shops) if open else
            Inspection.objects.filter(shop__in=shops.values("pk")).prefetch_related("photos")
            .order_by("-inspected_at", "-id"))
    return {"items": [inspection_body(r) for r in rows[offset:offset + limit]],
            "count": rows.count(), "limit": limit, "offset": offset}


def _photos(encoded: list[str]) -> list[bytes] | None:
    try:
        return [base64.b64decode(text, validate=True) for text in encoded]
    except (binascii.Error, ValueError):
        return None


@router.post("/shops/inspections", response={201: InspectionOut, **ACT_ERRORS},
             summary="检查商户（网格员）/ record an inspection")
def inspect(request: HttpRequest, body: InspectionIn):
    """201 with the inspection. A failed duty makes it a problem: ``note`` and at least one
    photo are then required (422 otherwise); the shop's members are told. With
    ``reinspection_of`` (an open problem of the same shop), a pass closes the problem. 403
    for someone who does not inspect the shop's grid."""
    user = request.auth
    shop = _shop(user, body.shop)
    photos = _photos(body.photos)
    if photos is None:
        return _invalid("photos", _("照片须为 base64 编码"))
    done: list[Inspection] = []
    refused = run_action(lambda: done.append(actions.inspect_shop(
        shop=shop, sanitation_ok=body.sanitation_ok, greenery_ok=body.greenery_ok,
        order_ok=body.order_ok, note=body.note, photos=photos,
        reinspection_of=body.reinspection_of, acting_user=user)))
    return refused or Reply(201, inspection_body(done[0]))


@router.get("/shops/scores", response={200: ScoresOut, **ERRORS},
            summary="商户月度得分和红黑榜 / the month's scores of an area")
def scores(request: HttpRequest,
           area: str = Query(..., max_length=64, description="区域编码 / area code"),
           month: str = Query(..., pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")):
    """Each shop inspected that month: 100 − 10 × duties not kept (re-inspections too) −
    10 × problems open at the month's end, at least 0; 红榜 from 90, 黑榜 below 70. For
    those who inspect or run the area; 404 for anyone else."""
    node = _area(area)
    user = request.auth
    if not (can(user, Perm.RUN_CAMPAIGNS, node) or can(user, Perm.INSPECT, node)):
        raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
    first = sel.parse_month(month)
    if first is None:
        return _invalid("month", _("请选择月份"))
    return {"area": area_ref(node), "month": f"{first:%Y-%m}", "red_from": sel.RED_FROM,
            "black_below": sel.BLACK_BELOW,
            "published": ShopBoard.objects.filter(area=node, month=first).exists(),
            "shops": [score_body(s) for s in sel.month_scores(node, first)]}


@router.post("/shops/boards", response={201: BoardOut, **ACT_ERRORS},
             summary="发布门前三包红黑榜 / publish a month's red and black lists")
def publish_board(request: HttpRequest, body: BoardIn):
    """201 with the board, published as a notice of the community or street. 422 for a
    month not ended yet, a board out already, or a month without inspections; 403 for
    anyone but the area's staff."""
    node = _area(body.area)
    month = sel.parse_month(body.month)
    if month is None:
        return _invalid("month", _("请选择月份"))
    done: list[ShopBoard] = []
    refused = run_action(lambda: done.append(actions.publish_shop_board(
        area=node, month=month, acting_user=request.auth)))
    return refused or Reply(201, board_body(done[0]))


# --- shops ----------------------------------------------------------------------------------


@router.get("/shops", response={200: ShopPage, **ERRORS},
            summary="沿街商户（我检查、管理或所属的）/ shops I inspect, run or belong to")
def shop_list(request: HttpRequest,
              area: str | None = Query(None, max_length=64, description="区域编码 / area"),
              q: str = Query("", max_length=50, description="按名称搜索 / name contains"),
              limit: int = LIMIT, offset: int = OFFSET):
    shops = visible_shops(request.auth)
    if area:
        node = AreaNode.objects.filter(code=area).first()
        shops = shops.filter(area_path__startswith=node.path) if node else shops.none()
    if q.strip():
        shops = shops.filter(organisation__name__contains=q.strip())
    shops = shops.order_by("area_path", "address", "id")
    return {"items": [shop_body(s) for s in shops[offset:offset + limit]],
            "count": shops.count(), "limit": limit, "offset": offset}


@router.post("/shops", response={201: ShopOut, **ACT_ERRORS},
             summary="登记沿街商户（社区工作人员）/ register a shop")
def register(request: HttpRequest, body: ShopIn):
    """201 with the shop (a new merchant organisation on the grid). 422 for bad input (a
    phone number that is none, an area that is no grid); 403 for anyone but its staff."""
    node = AreaNode.objects.filter(code=body.area).first()
    if node is None:
        return _invalid("area", _("请选择商户所在网格"))
    done: list[Shop] = []
    refused = run_action(lambda: done.append(actions.register_shop(
        name=body.name, area=node, address=body.address,
        responsible_person=body.responsible_person, responsible_phone=body.responsible_phone,
        business=body.business, phone=body.phone, acting_user=request.auth)))
    return refused or Reply(201, shop_body(_shop(request.auth, done[0].pk)))


@router.get("/shops/{id}", response={200: ShopOut, **ERRORS},
            summary="商户详情 / one shop")
def shop_detail(request: HttpRequest, id: int = ID):
    return shop_body(_shop(request.auth, id))
