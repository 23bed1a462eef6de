"""Request and response bodies of the campaigns API (gongzhi.campaigns.api), and how rows
become those bodies. Bilingual descriptions (中文 / English) end up in the OpenAPI schema at
/api/docs.
"""

from datetime import datetime

from ninja import Field, Schema

from gongzhi.areas.models import AreaNode
from gongzhi.campaigns import selectors
from gongzhi.campaigns.models import Nomination, NominationStatus, Selection, Stage

STAGES = "draft 筹备中 / nominating 推荐报名 / voting 群众投票 / reviewing 审定名单 / " \
         "announced 结果已公布"
# The vote counts are shown once the vote opens, never while nominations come in.
COUNTED = (Stage.VOTING, Stage.REVIEWING, Stage.ANNOUNCED)


class AreaRef(Schema):
    code: str
    name: str


class SelectionSummaryOut(Schema):
    id: int
    title: str
    year: int = Field(description="年度 / year")
    stage: str = Field(description=STAGES)
    stage_label: str
    area: AreaRef = Field(description="评选的区域（社区或街道）/ the community or street")
    nominations_close: datetime = Field(description="推荐截止时间 / nominations close")
    voting_closes: datetime = Field(description="投票截止时间 / voting closes")
    votes_per_category: int = Field(description="每类每人可投票数 / votes per person and "
                                                "category")
    organising: bool = Field(description="我是组织者（工作人员）/ I run this selection")


class SelectionPage(Schema):
    items: list[SelectionSummaryOut]
    count: int
    limit: int
    offset: int


class NominationOut(Schema):
    id: int
    category: int = Field(description="评选类别 ID / the category")
    nominee: str = Field(description="推荐对象 / the family, volunteer, stairwell …")
    place: AreaRef = Field(description="所在位置（楼栋等）/ where the nominee lives or is")
    story: str = Field(description="推荐理由和事迹 / why, and what they did")
    source: str = Field(description="self 自荐 / resident 居民推荐 / staff 社区推荐")
    source_label: str
    status: str = Field(description="pending 待审核 / passed 审核通过 / refused 未通过 / "
                                    "winner 当选 / not_chosen 未当选")
    status_label: str
    refusal_reason: str = Field(description="未通过原因 / why it was refused")
    votes: int | None = Field(description="得票数（投票开始后才有）/ votes, from the vote's "
                                          "opening on; null before")
    voted: bool = Field(description="我投过它一票 / I voted for it")
    created_at: datetime


class CategoryOut(Schema):
    id: int
    name: str = Field(description="评选类别，如 最美家庭 / the category, e.g. 最美家庭")
    places: int = Field(description="评选名额 / how many are chosen")
    votes_left: int = Field(description="我在本类还可投的票数 / my votes left in it")
    nominations: list[NominationOut] = Field(
        description="投票名单（审核通过的推荐），得票多的在前 / the ballot, most votes first")


class SelectionOut(SelectionSummaryOut):
    rules: str = Field(description="评选条件和办法 / who qualifies, and how it is run")
    may_nominate: bool = Field(description="我现在可以推荐（推荐报名中，本区域居民或工作人员）"
                                           "/ open for nominations now, and I may nominate")
    may_vote: bool = Field(description="我现在可以投票（投票中，本区域居民）/ open for votes "
                                       "now, and I may vote")
    announced_at: datetime | None
    notice: int | None = Field(description="结果公示的公告 ID / the results notice")
    categories: list[CategoryOut]
    my_votes: list[int] = Field(description="我投过票的推荐 ID / nominations I voted for")
    my_nominations: list[NominationOut] = Field(
        description="我提交的推荐及审核结果 / my nominations and how they were reviewed")


class NominateIn(Schema):
    category: int = Field(..., ge=1, le=2**63 - 1, description="评选类别 ID / the category")
    nominee: str = Field(..., description="推荐对象（50 字以内）/ who or what, up to 50 "
                                          "characters")
    story: str = Field(..., description="推荐理由和事迹（2000 字以内）/ why, up to 2000 "
                                        "characters")
    self_nomination: bool = Field(False, description="自荐：推荐我家 / put my own household "
                                                     "forward")


class VoteOut(Schema):
    nomination: int
    category: int
    slot: int = Field(description="这是我在本类的第几票 / which of my votes in the category")
    votes_left: int = Field(description="我在本类还可投的票数 / my votes left in it")


class ReviewIn(Schema):
    passed: bool = Field(..., description="true 通过 / false 不通过（须说明原因）")
    reason: str = Field("", max_length=200, description="不通过的原因 / why not (200 max)")


class WinnerOut(Schema):
    id: int
    category: str = Field(description="评选类别 / the category")
    nominee: str
    place: AreaRef
    story: str


class HonourSelectionOut(Schema):
    id: int
    title: str
    year: int
    area: AreaRef = Field(description="评选的区域（本社区或所在街道）/ the selection's area")
    announced_at: datetime | None
    notice: int | None = Field(description="结果公示的公告 ID / the results notice")
    winners: list[WinnerOut]


class HonourOut(Schema):
    community: AreaRef
    selections: list[HonourSelectionOut] = Field(
        description="已公布的评选及本社区的当选者，新的在前 / announced selections with this "
                    "community's winners, newest first")


# --- rows as these bodies --------------------------------------------------------------------


def area_ref(node: AreaNode) -> dict:
    return {"code": node.code, "name": node.name}


def selection_summary(selection: Selection, organising: bool) -> dict:
    return {
        "id": selection.pk, "title": selection.title, "year": selection.year,
        "stage": selection.stage, "stage_label": selection.get_stage_display(),
        "area": area_ref(selection.area), "nominations_close": selection.nominations_close,
        "voting_closes": selection.voting_closes,
        "votes_per_category": selection.votes_per_category, "organising": organising,
    }


def nomination_body(nomination: Nomination, selection: Selection, voted: set[int], *,
                    organiser: bool = False) -> dict:
    """The votes come from the row's ``vote_count`` annotation (counted here without it),
    and only once the vote has opened; the final list only once announced (or to its
    organisers)."""
    status = selectors.status_shown(nomination, selection, organiser=organiser)
    count = None
    if selection.stage in COUNTED:
        count = getattr(nomination, "vote_count", None)
        if count is None:
            count = nomination.vote_rows.count()
    return {
        "id": nomination.pk, "category": nomination.category_id, "nominee": nomination.nominee,
        "place": area_ref(nomination.area), "story": nomination.story,
        "source": nomination.source, "source_label": nomination.get_source_display(),
        "status": str(status), "status_label": str(NominationStatus(status).label),
        "refusal_reason": nomination.refusal_reason, "votes": count,
        "voted": nomination.pk in voted, "created_at": nomination.created_at,
    }


def winner_body(nomination: Nomination) -> dict:
    return {"id": nomination.pk, "category": nomination.category.name,
            "nominee": nomination.nominee, "place": area_ref(nomination.area),
            "story": nomination.story}
