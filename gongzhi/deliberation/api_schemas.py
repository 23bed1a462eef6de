"""Request and response bodies of the deliberation API (gongzhi.deliberation.api).

Bilingual descriptions (中文 / English) end up in the OpenAPI schema at /api/docs.
"""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class CouncilRef(Schema):
    id: int
    name: str


class StepOut(Schema):
    label: str = Field(description="计票步骤 / the check made")
    value: str | None = Field(description="实际比例，如 \"3/4\" / the share reached, a fraction")
    needed: str | None = Field(description="所需比例 / the share needed")
    strict: bool = Field(description="须超过（过半数）而非达到 / must exceed, not just reach")
    met: bool


class OutcomeOut(Schema):
    """The count as stored when the poll closed: areas are exact decimals in m², shares
    exact fractions ("a/b"), both as text."""

    rule: str
    passed: bool = Field(description="是否通过 / passed")
    quorum_met: bool = Field(description="参与表决达到法定比例 / enough took part")
    units: int = Field(description="表决单位（专有部分）数 / units in the electorate")
    owners: int = Field(description="业主人数 / owners by headcount")
    area: str = Field(description="总面积 m² / total area")
    voted_units: int
    voted_owners: int
    voted_area: str
    yes_units: int
    no_units: int
    abstain_units: int
    yes_owners: int
    no_owners: int
    abstain_owners: int
    yes_area: str
    no_area: str
    abstain_area: str
    turnout_area: str | None
    turnout_owners: str | None
    approval_area: str | None
    approval_owners: str | None
    approval_units: str | None
    approval_cast: str | None
    quorum: str | None
    threshold: str
    strict: bool
    split_owners: int = Field(description="多套房投票不一致的业主数 / owners whose units split")
    steps: list[StepOut]


class PlanOutcomeOut(OutcomeOut):
    id: int
    label: str


class PollOutcomeOut(OutcomeOut):
    adopted: int | None = Field(None, description="通过的方案 ID / the plan adopted")
    plans: list[PlanOutcomeOut] | None = Field(None, description="逐个方案的计票 / by plan")


class PollSummaryOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    area: AreaRef = Field(description="表决范围 / who votes: the area's owners")
    electorate: str = Field(description="households 业主 / council 议事会成员")
    rule: str
    rule_label: str
    matter: str = Field(description="民法典第278条共同决定事项 / art. 278 matter, or empty")
    matter_label: str
    secret: bool = Field(description="不记名表决 / secret ballot")
    opens_at: datetime
    closes_at: datetime
    accepting: bool = Field(description="现在可以投票 / ballots are taken now")
    counted_at: datetime | None


class PollPage(Schema):
    items: list[PollSummaryOut]
    count: int = Field(description="总条数 / rows in all")
    limit: int
    offset: int


class OptionOut(Schema):
    id: int
    label: str


class MyUnitOut(Schema):
    id: int = Field(description="表决单位 ID，投票时填写 / the unit to vote for")
    label: str
    voted: bool = Field(description="该户已投票（不含选择）/ a ballot exists, never its choice")


class PollOut(PollSummaryOut):
    description: str
    council: CouncilRef | None
    topic: int | None = Field(description="议题 ID / topic id")
    options: list[OptionOut] = Field(description="方案；为空时表决同意/反对/弃权 / plans")
    my_units: list[MyUnitOut] = Field(description="我可以投票的户 / units I may vote for")
    outcome: PollOutcomeOut | None = Field(description="计票结果，计票后才有 / once counted")


class BallotIn(Schema):
    unit: int = Field(..., ge=1, le=2**63 - 1, description="my_units 中的 ID / a unit of mine")
    choice: Literal["yes", "no", "abstain", "option"] = Field(
        ..., description="同意/反对/弃权，或选方案 / yes, no, abstain, or option")
    option: int | None = Field(None, ge=1, le=2**63 - 1,
                               description="choice=option 时的方案 ID / the plan chosen")


class BallotOut(Schema):
    """The receipt of a ballot: never its choice (a ballot may be secret)."""

    unit: int
    poll: int
    cast_at: datetime


class TopicSummaryOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    source: str = Field(description="proposal 居民提议 / case 问题台账 / staff 工作人员")
    source_label: str
    council: CouncilRef
    area: AreaRef
    created_at: datetime
    supports: int = Field(description="附议人数 / supporters")
    support_threshold: int = Field(description="列入议程所需附议数 / supports for the agenda")


class TopicPage(Schema):
    items: list[TopicSummaryOut]
    count: int
    limit: int
    offset: int


class TopicOut(TopicSummaryOut):
    description: str
    decision: str
    decided_at: datetime | None
    supported: bool = Field(description="我已附议 / I support it")
    mine: bool = Field(description="我提出的 / I proposed it")
    polls: list[int] = Field(description="相关表决 ID / polls on this topic")


class TopicIn(Schema):
    council: int = Field(..., ge=1, le=2**63 - 1, description="议事会 ID / council id")
    title: str = Field(..., max_length=100, description="议题 / title")
    description: str = Field(..., max_length=5000, description="说明 / what and why")


class FloorRowOut(Schema):
    floor: int | None = Field(description="楼层 / floor")
    households: int
    agree: int
    conditional: int
    disagree: int
    unanswered: int


class SummaryOut(Schema):
    rows: list[FloorRowOut] = Field(description="逐层统计 / by floor")
    totals: FloorRowOut
    as_answered: OutcomeOut | None = Field(
        description="按回复计票（有条件视为弃权）/ conditions not met count as abstaining")
    if_conditions_met: OutcomeOut | None = Field(
        description="条件都满足时 / as if every condition were met")
    missing_area: int = Field(description="缺建筑面积的户数 / households without floor area")


class MyAnswerOut(Schema):
    answer: str
    answer_label: str
    condition: str
    answered_at: datetime


class ConsultationOut(Schema):
    id: int
    title: str
    description: str
    area: AreaRef
    unit: str = Field(description="只征询一个单元时的单元号 / the one unit asked, or empty")
    matter: str
    matter_label: str
    opens_at: datetime
    closes_at: datetime
    status: str
    status_label: str
    my_household: str | None = Field(description="我家 / my home, if it is asked")
    may_answer: bool = Field(description="我可以代表本户回复 / I may answer for my home now")
    my_answer: MyAnswerOut | None = Field(description="本户的回复 / my home's answer")
    summary: SummaryOut | None = Field(description="结束后的逐层统计 / once closed")


class AnswerIn(Schema):
    answer: Literal["agree", "conditional", "disagree"] = Field(
        ..., description="同意 / 有条件同意 / 不同意")
    condition: str = Field("", max_length=300, description="同意的条件 / the condition")


class ResolutionStepOut(Schema):
    status: str
    label: str
    at: datetime | None
    done: bool


class ResolutionOut(Schema):
    id: int
    title: str
    text: str
    area: AreaRef
    status: str
    status_label: str
    steps: list[ResolutionStepOut] = Field(
        description="拟定 → 报批 → 批准 → 公示 → 实施 / every step with its date")
    decision_note: str = Field(description="审批意见 / the approver's note")
    carried_out_note: str
    poll: int | None = Field(description="表决 ID / poll id")
    topic: int | None = Field(description="议题 ID / topic id")
    notice: int | None = Field(description="公示 ID / notice id")
    notice_period_ends_at: datetime | None = Field(description="公示期截止 / notice period end")
