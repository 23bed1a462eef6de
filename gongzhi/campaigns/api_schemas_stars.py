"""Request and response bodies of the 十星级文明户 API (gongzhi.campaigns.api_stars), and how
rows become those bodies."""

from datetime import datetime

from ninja import Field, Schema

from gongzhi.campaigns import selectors_stars as sel
from gongzhi.campaigns.models import StarAssessment, StarCriterion

STATUSES = "draft 待社区确认 / confirmed 已评定（积分已发放）"


class CriterionOut(Schema):
    id: int
    name: str = Field(description="星级名称，如 爱国守法 / the star, e.g. 爱国守法")
    description: str = Field(description="评定标准 / what earns it")
    order: int


class AwardOut(Schema):
    criterion: int = Field(description="星级 ID / the criterion")
    name: str = Field(description="星级名称 / its name")
    evidence: str = Field(description="事实依据 / what shows it was earned")


class AssessmentOut(Schema):
    id: int
    household: int = Field(description="住户 ID / the household")
    address: str = Field(description="门牌地址 / the address on the door")
    building: str = Field(description="楼栋编码 / the building's code")
    year: int = Field(description="年度 / year")
    stars: int = Field(description="星数 / stars earned")
    status: str = Field(description=STATUSES)
    status_label: str
    note: str = Field(description="评定说明 / note")
    awards: list[AwardOut] = Field(description="所获星级及事实依据 / the stars with evidence")
    assessed_at: datetime
    confirmed_at: datetime | None
    points_awarded: int = Field(description="确认时发放的积分 / points awarded on confirmation")


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    count: int
    limit: int
    offset: int


class AwardIn(Schema):
    criterion: int = Field(..., ge=1, le=2**63 - 1, description="星级 ID / the criterion")
    evidence: str = Field(..., description="事实依据（200 字以内）/ evidence, up to 200 "
                                           "characters")


class AssessIn(Schema):
    household: int = Field(..., ge=1, le=2**63 - 1, description="住户 ID / the household")
    year: int = Field(..., description="年度：今年或去年 / this year or last year")
    awards: list[AwardIn] = Field(..., description="所获星级，每颗须有事实依据 / the stars, "
                                                   "each with its evidence")
    note: str = Field("", description="评定说明（300 字以内）/ note, up to 300 characters")


class MyStarsOut(Schema):
    household: str | None = Field(description="我家门牌 / my household (null: none on "
                                              "record)")
    assessments: list[AssessmentOut] = Field(
        description="经社区确认的历年评定，新的在前 / confirmed assessments, newest first")
    criteria: list[CriterionOut] = Field(description="评定标准 / the criteria")


def criterion_body(criterion: StarCriterion) -> dict:
    return {"id": criterion.pk, "name": criterion.name, "description": criterion.description,
            "order": criterion.order}


def assessment_body(assessment: StarAssessment) -> dict:
    """Needs the household's building (and its parent) and the awards' criteria loaded."""
    household = assessment.household
    return {
        "id": assessment.pk, "household": household.pk, "address": sel.address(household),
        "building": household.building.code, "year": assessment.year,
        "stars": assessment.stars, "status": assessment.status,
        "status_label": assessment.get_status_display(), "note": assessment.note,
        "awards": [{"criterion": a.criterion_id, "name": a.criterion.name,
                    "evidence": a.evidence} for a in assessment.awards.all()],
        "assessed_at": assessment.assessed_at, "confirmed_at": assessment.confirmed_at,
        "points_awarded": assessment.points_awarded,
    }
