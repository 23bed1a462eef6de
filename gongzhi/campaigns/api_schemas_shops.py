"""Request and response bodies of the 门前三包 API (gongzhi.campaigns.api_shops), and how rows
become them. Bilingual descriptions (中文 / English) end up in the OpenAPI schema."""

from datetime import date, datetime

from ninja import Field, Schema

from gongzhi.campaigns.api_schemas import AreaRef, area_ref
from gongzhi.campaigns.models import Inspection, Shop, ShopBoard
from gongzhi.campaigns.selectors_shops import ShopScore


class ShopIn(Schema):
    name: str = Field(max_length=100, description="商户名称 / the shop's name")
    area: str = Field(max_length=64, description="所在网格编码 / the code of its grid")
    address: str = Field(max_length=120, description="门牌地址 / street address")
    responsible_person: str = Field(max_length=30, description="责任人 / who answers for it")
    responsible_phone: str = Field(max_length=20, description="责任人电话 / their phone")
    business: str = Field("", max_length=30, description="经营类别 / trade")
    phone: str = Field("", max_length=20, description="商户电话 / the shop's phone")


class ShopOut(Schema):
    id: int
    name: str
    code: str = Field(description="商户组织编码 / the merchant organisation's code")
    area: AreaRef = Field(description="所在网格 / its grid")
    address: str
    business: str
    responsible_person: str
    responsible_phone: str
    open_problems: int = Field(description="未整改问题数 / problems not rectified yet")
    last_inspected_at: datetime | None = Field(description="最近检查时间 / last inspection")


class ShopPage(Schema):
    items: list[ShopOut]
    count: int
    limit: int
    offset: int


class InspectionIn(Schema):
    shop: int = Field(ge=1, description="商户 ID / the shop")
    sanitation_ok: bool = Field(description="包市容环境卫生达标 / frontage clean")
    greenery_ok: bool = Field(description="包绿化达标 / greenery cared for")
    order_ok: bool = Field(description="包秩序达标 / frontage orderly")
    note: str = Field("", max_length=300, description="检查情况（有问题时必填）/ what was "
                                                      "seen (required for a problem)")
    photos: list[str] = Field(default_factory=list, max_length=9,
                              description="照片（base64 编码的 JPEG/PNG/WebP，有问题时至少一张）"
                                          " / base64-encoded photos, at least one for a problem")
    reinspection_of: int | None = Field(None, ge=1, description="复查的问题 ID / the open "
                                                                "problem re-inspected")


class InspectionOut(Schema):
    id: int
    shop: int
    inspected_at: datetime
    result: str = Field(description="pass 合格 / problem 有问题")
    result_label: str
    sanitation_ok: bool
    greenery_ok: bool
    order_ok: bool
    failed_duties: list[str] = Field(description="未达标的责任 / duties not kept")
    note: str
    photos: int = Field(description="照片数 / number of photos")
    reinspection_of: int | None
    rectified_at: datetime | None = Field(description="整改完成时间（复查合格）/ when a "
                                                      "re-inspection passed")
    case: int | None = Field(description="转办的诉求件 / the case it went to")


class InspectionPage(Schema):
    items: list[InspectionOut]
    count: int
    limit: int
    offset: int


class ScoreOut(Schema):
    shop: int
    name: str
    address: str
    inspections: int
    problems: int
    failed_duties: int = Field(description="未达标项合计 / duties not kept, summed")
    unrectified: int = Field(description="月底未整改问题 / problems open at the month's end")
    score: int = Field(description="月度得分 / the month's score (0–100)")
    listing: str = Field(description="red 红榜 / black 黑榜 / '' 未上榜")


class ScoresOut(Schema):
    area: AreaRef
    month: str = Field(description="YYYY-MM")
    red_from: int
    black_below: int
    published: bool = Field(description="该月红黑榜已发布 / the board is out")
    shops: list[ScoreOut]


class BoardIn(Schema):
    area: str = Field(max_length=64, description="社区或街道编码 / community or street code")
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM（已结束的月份 / ended)")


class BoardOut(Schema):
    id: int
    area: AreaRef
    month: date
    notice: int | None
    published_at: datetime
    entries: int
    red: int
    black: int


def shop_body(shop: Shop) -> dict:
    return {"id": shop.pk, "name": shop.organisation.name, "code": shop.organisation.code,
            "area": area_ref(shop.area), "address": shop.address, "business": shop.business,
            "responsible_person": shop.responsible_person,
            "responsible_phone": shop.responsible_phone,
            "open_problems": getattr(shop, "n_open", 0) or 0,
            "last_inspected_at": getattr(shop, "last_at", None)}


def inspection_body(row: Inspection) -> dict:
    return {"id": row.pk, "shop": row.shop_id, "inspected_at": row.inspected_at,
            "result": row.result, "result_label": row.get_result_display(),
            "sanitation_ok": row.sanitation_ok, "greenery_ok": row.greenery_ok,
            "order_ok": row.order_ok, "failed_duties": [str(d) for d in row.failed_duties],
            "note": row.note, "photos": len(row.photos.all()),
            "reinspection_of": row.reinspection_of_id, "rectified_at": row.rectified_at,
            "case": row.case_id}


def score_body(s: ShopScore) -> dict:
    return {"shop": s.shop.pk, "name": s.shop.organisation.name, "address": s.shop.address,
            "inspections": s.inspections, "problems": s.problems, "failed_duties": s.failed,
            "unrectified": s.unrectified, "score": s.score, "listing": s.listing}


def board_body(board: ShopBoard) -> dict:
    entries = list(board.entries.all())
    return {"id": board.pk, "area": area_ref(board.area), "month": board.month,
            "notice": board.notice_id, "published_at": board.published_at,
            "entries": len(entries), "red": sum(e.listing == "red" for e in entries),
            "black": sum(e.listing == "black" for e in entries)}
