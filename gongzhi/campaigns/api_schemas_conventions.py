"""Request and response bodies of the 居民公约 API (gongzhi.campaigns.api_conventions), with
bilingual descriptions for /api/docs."""

from datetime import datetime

from ninja import Field, Schema

from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.api_schemas import AreaRef, area_ref
from gongzhi.campaigns.models import Convention, ConventionSignature

STAGES = "draft 草拟中 / consulting 征求意见 / published 已公布"


class ConventionSummaryOut(Schema):
    id: int
    title: str = Field(description="公约名称 / title")
    area: AreaRef = Field(description="公约的区域（社区或小区）/ the community or compound")
    stage: str = Field(description=STAGES)
    stage_label: str
    published_at: datetime | None = Field(description="公布时间 / when published")
    notice: int | None = Field(description="公布公告 ID / the notice it was published as")
    organising: bool = Field(description="我是组织者（工作人员）/ I run this convention")


class ConventionPage(Schema):
    items: list[ConventionSummaryOut]
    count: int
    limit: int
    offset: int


class SignatureOut(Schema):
    household: int = Field(description="住户 ID / the household")
    household_label: str = Field(description="住户（楼栋单元房号）/ building, unit and room")
    signed_at: datetime = Field(description="签署时间 / when signed")
    signed_by: str = Field(description="签署人或登记人 / who signed (or recorded it)")
    paper: bool = Field(description="纸质签署，由楼栋长等登记 / signed on paper, recorded by "
                                    "a building head or grid worker")


class CountsOut(Schema):
    households: int = Field(description="征询户数 / households asked")
    answered: int = Field(description="已回复 / answered")
    agree: int = Field(description="同意 / agree")
    conditional: int = Field(description="有条件同意 / agree with conditions")
    disagree: int = Field(description="不同意 / disagree")


class ConventionOut(ConventionSummaryOut):
    articles: list[str] = Field(description="公约条文，一条一项 / the articles, in order")
    consultation: int | None = Field(description="意见征询 ID / the consultation")
    counts: CountsOut | None = Field(description="征求意见结果（工作人员可见）/ the "
                                                 "consultation's counts (staff only)")
    my_household: str | None = Field(description="我家 / my household, if I live here")
    my_signature: SignatureOut | None = Field(description="我家的签署，未签署为 null / my "
                                                          "household's signature, null if none")
    may_sign: bool = Field(description="我现在可以为我家签署 / I may sign for my household now")


class SignIn(Schema):
    household: int | None = Field(None, ge=1, le=2**63 - 1,
                                  description="代为登记纸质签署的住户（楼栋长、网格员）；为自己家"
                                              "签署时不填 / the household whose paper "
                                              "signature is recorded; leave out to sign for "
                                              "my own")


class RateRowOut(Schema):
    building: AreaRef = Field(description="楼栋 / building")
    compound: str = Field(description="所在小区 / its compound")
    households: int = Field(description="住户数 / households on record")
    signed: int = Field(description="已签署户数 / households signed")
    rate: float | None = Field(description="签署率（%，一位小数）/ signing rate, per cent")


class RatesOut(Schema):
    convention: int
    buildings: list[RateRowOut]
    total: RateRowOut = Field(description="合计（building 为公约区域）/ the total")


def summary(convention: Convention, organising: bool) -> dict:
    return {"id": convention.pk, "title": convention.title, "area": area_ref(convention.area),
            "stage": convention.stage, "stage_label": convention.get_stage_display(),
            "published_at": convention.published_at, "notice": convention.notice_id,
            "organising": organising}


def signature_body(signature: ConventionSignature) -> dict:
    by = signature.signed_by
    resident = getattr(by, "resident", None) if by else None
    paper = not sc.signed_for_household(signature)
    name = (resident.name if resident is not None and not paper else
            (by.get_username() if by else ""))
    return {"household": signature.household_id, "household_label": str(signature.household),
            "signed_at": signature.signed_at, "signed_by": name, "paper": paper}


def rate_body(row: sc.RateRow, place, compound: str = "") -> dict:
    return {"building": area_ref(place), "compound": compound, "households": row.households,
            "signed": row.signed, "rate": float(row.rate) if row.rate is not None else None}
