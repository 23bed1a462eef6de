"""JSON API of the area tree and households: every read goes through the caller's scope.

Anything outside the scope answers 404, exactly as if it did not exist.
"""

import base64
import binascii
import json
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from gongzhi.areas import selectors
from gongzhi.areas.models import AreaNode, Household
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError

router = Router()
households_router = Router()


def area_not_found() -> ApiError:
    return ApiError(404, _("未找到该区域"), "area not found", "not_found")


def household_not_found() -> ApiError:
    return ApiError(404, _("未找到该住户"), "household not found", "not_found")


AREA_CODE = Path(..., max_length=64, description="区域编码 / area code, e.g. CA-G1")


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class AreaOut(AreaRef):
    kind_label: str
    depth: int
    parent_code: str | None
    child_count: int


class AreaDetailOut(AreaOut):
    ancestors: list[AreaRef] = Field(description="根在前，不含本节点 / root first, not self")
    household_count: int = Field(description="调用者可见的住户数 / households the caller may see")
    address: str
    floors: int | None
    built_year: int | None
    bbox: list[float] | None = Field(description="[min_lng, min_lat, max_lng, max_lat]")
    boundary: dict | None = Field(description="GeoJSON，仅当 boundary=true / only if asked")


class ResidentOut(Schema):
    id: int
    name: str
    phone: str = Field(description="未获授权时脱敏 / masked unless entitled: 138****1234")
    id_number: str
    is_head: bool
    tags: list[str]
    tag_labels: list[str]
    masked: bool


class HouseholdOut(Schema):
    id: int
    building_code: str
    building_name: str
    unit: str
    room: str
    floor: int | None
    floor_area: str | None = Field(description="m²，两位小数的字符串 / decimal string, e.g. 88.50")
    tenure: str
    tenure_label: str
    member_count: int
    residents: list[ResidentOut]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None = Field(description="下一页游标，无则为 null / null on the last page")


def _area_out(node: AreaNode, parent_code: str | None, child_count: int) -> dict:
    return {
        "code": node.code, "name": node.name, "kind": node.kind,
        "kind_label": str(node.get_kind_display()), "depth": node.depth,
        "parent_code": parent_code, "child_count": child_count,
    }


def _detail_out(request: HttpRequest, node: AreaNode, with_boundary: bool) -> dict:
    above = list(node.ancestors().exclude(pk=node.pk))
    child_count, household_count = selectors.area_counts(request.auth, node)
    has_bbox = node.min_lng is not None
    return {
        **_area_out(node, above[-1].code if above else None, child_count),
        "ancestors": [{"code": a.code, "name": a.name, "kind": a.kind} for a in above],
        "household_count": household_count,
        "address": node.address, "floors": node.floors, "built_year": node.built_year,
        "bbox": [node.min_lng, node.min_lat, node.max_lng, node.max_lat] if has_bbox else None,
        "boundary": node.boundary if with_boundary else None,
    }


def _area_or_404(request: HttpRequest, code: str) -> AreaNode:
    node = selectors.area_by_code(request.auth, code)
    if node is None:
        raise area_not_found()
    return node


def household_out(user, household: Household) -> dict:
    area = household.floor_area
    return {
        "id": household.pk,
        "building_code": household.building.code,
        "building_name": household.building.name,
        "unit": household.unit, "room": household.room, "floor": household.floor,
        "floor_area": None if area is None else str(area.quantize(Decimal("0.01"))),
        "tenure": household.tenure, "tenure_label": str(household.get_tenure_display()),
        "member_count": household.member_count,
        "residents": [_resident_out(user, r) for r in household.residents.all()],
    }


def _resident_out(user, resident) -> dict:
    card = selectors.resident_card(user, resident)
    return {
        "id": card.id, "name": card.name, "phone": card.phone, "id_number": card.id_number,
        "is_head": card.is_head, "tags": list(resident.tags), "tag_labels": card.tags,
        "masked": card.masked,
    }


# --- Opaque cursors: base64 of the last row's sort key ---------------------------------


def encode_cursor(key: tuple[str, str, str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        path, unit, room, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _bad_cursor() from None
    if not (all(isinstance(v, str) for v in (path, unit, room)) and type(pk) is int):
        raise _bad_cursor()
    return path, unit, room, pk


def _bad_cursor() -> ApiError:
    return ApiError(422, _("分页游标无效"), "invalid cursor", "invalid_cursor")


# --- Endpoints ---------------------------------------------------------------------------


@router.get("/", response={200: list[AreaOut], **AUTH_ERRORS}, summary="我的区域 / my scope roots")
def scope_roots(request: HttpRequest):
    return [
        _area_out(n, n.parent.code if n.parent else None, n.child_count)
        for n in selectors.root_nodes(request.auth)
    ]


# Declared before /{code} so that "locate" is not taken for an area code.
@router.get("/locate", response={200: AreaDetailOut, **ERRORS},
            summary="按坐标查网格 / smallest grid at a point")
def locate(
    request: HttpRequest,
    lng: float = Query(..., ge=-180, le=180, description="经度 / longitude (WGS84)"),
    lat: float = Query(..., ge=-90, le=90, description="纬度 / latitude (WGS84)"),
):
    grid = selectors.visible_grid_at(request.auth, lng, lat)
    if grid is None:
        raise ApiError(404, _("该位置不在您可见的网格内"), "no visible grid at this point",
                       "not_found")
    return _detail_out(request, grid, with_boundary=False)


@router.get("/{code}", response={200: AreaDetailOut, **ERRORS}, summary="区域详情 / one area")
def area_detail(
    request: HttpRequest,
    code: str = AREA_CODE,
    boundary: bool = Query(False, description="附带 GeoJSON 边界 / include the boundary"),
):
    return _detail_out(request, _area_or_404(request, code), with_boundary=boundary)


@router.get("/{code}/children", response={200: list[AreaOut], **ERRORS},
            summary="下级区域 / direct children")
def area_children(request: HttpRequest, code: str = AREA_CODE):
    node = _area_or_404(request, code)
    return [
        _area_out(child, node.code, child.child_count)
        for child in selectors.visible_children(request.auth, node)
    ]


@router.get("/{code}/households", response={200: HouseholdPage, **ERRORS},
            summary="辖区住户 / households in the subtree")
def area_households(
    request: HttpRequest,
    code: str = AREA_CODE,
    cursor: str | None = Query(None, max_length=200, description="上一页的 next_cursor"),
    limit: int = Query(50, ge=1, le=200, description="每页条数 / page size (1–200)"),
    q: str = Query("", max_length=50, description="房号、楼栋或居民姓名 / room, building, name"),
):
    node = _area_or_404(request, code)
    after = decode_cursor(cursor) if cursor else None
    rows = list(selectors.household_page(request.auth, node, after=after, q=q.strip())[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [household_out(request.auth, h) for h in rows],
        "next_cursor": encode_cursor(selectors.household_key(rows[-1])) if more else None,
    }


@households_router.get("/{id}", response={200: HouseholdOut, **ERRORS},
                       summary="住户详情 / one household")
def household_detail(
    request: HttpRequest,
    # Named "id" because the URL is /api/households/{id}.
    id: int = Path(..., ge=1, le=2**63 - 1, description="住户 ID / household id"),
):
    qs = selectors.household_cards(selectors.visible_households(request.auth))
    household = qs.filter(pk=id).first()
    if household is None:
        raise household_not_found()
    return household_out(request.auth, household)
