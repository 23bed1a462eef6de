"""Request and response bodies of the renewal API (gongzhi.renewal.api), and how rows become
those bodies.

Money is exact: yuan to the fen, sent as text ("360000.00"); sums are added up from the
rows by the selectors, never stored. Bilingual descriptions (中文 / English) end up in the
OpenAPI schema at /api/docs.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gongzhi.areas.models import AreaNode
from gongzhi.renewal import selectors
from gongzhi.renewal.models import Project, Survey, SurveyResponse, WorkItem
from gongzhi.renewal.selectors import FundingSummary

MONEY = "金额（元，两位小数的文本）/ yuan as text, to the fen"


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class ItemOut(Schema):
    id: int
    category: str = Field(description="basic 基础类 / improvement 完善类 / enhancement 提升类")
    category_label: str
    name: str
    quantity: str | None = Field(description="工程量 / quantity")
    unit: str
    budget: str = Field(description=MONEY)
    committed: str = Field(description="已落实资金 / money committed to it")
    spent: str = Field(description="已支出 / money paid for it")
    status: str = Field(description="planned, in_works, finished, rework, accepted")
    status_label: str
    progress: int = Field(description="进度（%）/ per cent done")
    contractor: str | None = Field(description="施工单位 / contractor")
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None


class SourceOut(Schema):
    kind: str
    label: str
    amount: str = Field(description="到位 / the source's amount")
    committed: str
    spent: str


class CategoryOut(Schema):
    category: str
    label: str
    budget: str
    committed: str
    spent: str


class FundingOut(Schema):
    budget: str = Field(description="总预算 / the items' budgets added up")
    raised: str = Field(description="资金来源合计 / the sources added up")
    committed: str
    spent: str
    residents_spent: str = Field(description="居民出资已支出 / residents' money spent")
    residents_share: str | None = Field(
        description="居民出资占到位资金的比例（0–1，四位小数）/ residents' share of the "
                    "money raised, 0–1, or null")
    residents_share_text: str = Field(description="如 11.1% / as a percentage")
    residents_spent_share: str | None = Field(
        description="已支出中居民出资的比例 / residents' share of what was spent, or null")
    residents_spent_share_text: str
    by_source: list[SourceOut]
    by_category: list[CategoryOut]


class SurveyBriefOut(Schema):
    id: int
    title: str
    status: str = Field(description="open 调查中 / closed 已结束")
    status_label: str
    closes_at: datetime
    accepting: bool = Field(description="现在可以填写 / open for answers now")
    answered: bool = Field(description="我家已填写 / my household has answered")


class VoteOut(Schema):
    via: Literal["poll", "consultation"] | None = Field(
        description="表决（业主大会）或征询 / an owners' poll or a consultation")
    id: int | None = Field(description="表决或征询的 ID（见 /api/deliberation）/ its id")
    result: Literal["none", "open", "passed", "failed"]
    closes_at: datetime | None


class PhotoOut(Schema):
    id: int
    url: str = Field(description="照片地址（需登录）/ the photo, for those who may see it")
    note: str = Field(description="施工进度说明 / the progress note it came with")
    taken_at: datetime


class ProjectSummaryOut(Schema):
    id: int
    name: str
    stage: str = Field(description="reserve 储备 / planning 谋划 / works 实施 / acceptance "
                                   "验收 / management 长效管理")
    stage_label: str
    plan_status: str
    plan_status_label: str
    year: int | None = Field(description="批次年度 / the batch's year")
    batch: str | None
    area: AreaRef
    compounds: list[AreaRef]
    progress: int = Field(description="按预算加权的总进度（%）/ progress weighted by budget")
    planned_start: date | None
    planned_end: date | None
    started_at: datetime | None
    accepted_at: datetime | None
    my_roles: list[str] = Field(description="supervisor 居民监督员 / representative 居民代表")


class ProjectOut(ProjectSummaryOut):
    summary: str
    items: list[ItemOut]
    funding: FundingOut
    survey: SurveyBriefOut | None
    vote: VoteOut
    resolution: int | None = Field(description="决议 ID / the plan's resolution")
    funding_notice: int | None = Field(description="资金公开公告 ID / the finance notice")
    photos: list[PhotoOut] = Field(description="最近的施工照片 / latest progress photos")


class ProjectPage(Schema):
    items: list[ProjectSummaryOut]
    count: int
    limit: int
    offset: int


class OptionOut(Schema):
    id: int
    category: str
    category_label: str
    label: str


class MyAnswerOut(Schema):
    choices: list[int]
    comment: str
    answered_at: datetime
    by_me: bool = Field(description="是我填写的（否则为家人或入户登记）/ answered by me")
    source: str = Field(description="online 线上 / door 入户登记")


class SurveyOut(Schema):
    id: int
    project: int
    title: str
    intro: str
    status: str
    status_label: str
    opens_at: datetime | None
    closes_at: datetime
    accepting: bool
    options: list[OptionOut]
    my_household: str | None = Field(description="我家（在改造小区内时）/ my household")
    may_answer: bool = Field(description="我现在可以替我家填写 / I may answer now")
    my_answer: MyAnswerOut | None = Field(description="我家的答卷 / my household's answer")


class SurveyAnswerIn(Schema):
    choices: list[int] = Field(default_factory=list, max_length=100,
                               description="选项 ID / the options wanted")
    comment: str = Field("", max_length=1000, description="其他意见 / anything else")


class InspectionIn(Schema):
    note: str = Field(..., max_length=2000, description="巡查情况 / what was seen")
    problem: str = Field("", max_length=2000,
                         description="发现的问题（填写即立案）/ a problem found opens a case")
    item: int | None = Field(None, ge=1, le=2**63 - 1, description="改造内容 ID / the item")


class CaseRef(Schema):
    id: int
    reference: str = Field(description="诉求件编号 / the case's reference number")


class InspectionOut(Schema):
    id: int
    project: int
    item: int | None
    note: str
    problem: str
    case: CaseRef | None = Field(description="由问题生成的诉求件 / the case it opened")
    inspected_at: datetime


class SignoffIn(Schema):
    accepted: bool = Field(..., description="true 同意验收 / false 不同意（须写理由）")
    reason: str = Field("", max_length=300, description="不同意的理由 / why not")
    party: Literal["residents", "community"] | None = Field(
        None, description="代表哪一方签署，默认按身份 / the side signing, else by role")


class SignoffOut(Schema):
    id: int
    party: str
    party_label: str
    accepted: bool
    reason: str
    signed_at: datetime
    item: ItemOut
    project_stage: str = Field(description="签署后的项目阶段 / the project's stage after it")


class StageIn(Schema):
    step: Literal["start_planning", "start_works", "start_acceptance",
                  "complete_acceptance"] = Field(
        ..., description="start_planning 储备→谋划 / start_works 谋划→实施 / "
                         "start_acceptance 实施→验收 / complete_acceptance 验收→长效管理")


class ProgressIn(Schema):
    note: str = Field(..., max_length=2000, description="施工进度说明 / what was done")
    progress: int = Field(..., ge=0, le=100, description="进度（%）/ per cent done")


class ProgressOut(Schema):
    id: int
    note: str
    progress: int
    logged_at: datetime
    item: ItemOut


class CompoundOut(Schema):
    id: int = Field(description="小区档案 ID / the record")
    compound: AreaRef
    built_year: int | None
    floor_area: str | None = Field(description="总建筑面积（m²）/ floor area")
    management: str
    management_label: str
    manager: str | None
    eligible: bool = Field(description="建成年份在改造范围内 / built before the cut-off year")
    buildings: int
    households: int
    projects: list[int] = Field(description="该小区的改造项目 / its projects")


class CompoundPage(Schema):
    items: list[CompoundOut]
    count: int
    limit: int
    offset: int


class StageCount(Schema):
    stage: str
    label: str
    count: int


class BoardRow(Schema):
    id: int
    name: str
    stage: str
    stage_label: str
    progress: int
    budget: str
    raised: str
    spent: str
    residents_share_text: str


class BoardOut(Schema):
    year: int
    projects: int
    compounds: int = Field(description="改造小区数 / compounds renovated")
    households: int = Field(description="惠及户数 / households in them")
    by_stage: list[StageCount]
    funding: FundingOut
    progress: int = Field(description="按预算加权的总进度（%）/ progress weighted by budget")
    rows: list[BoardRow]


# --- rows as these bodies --------------------------------------------------------------------


def yuan(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def area_ref(node: AreaNode) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind}


def item_body(item: WorkItem, money: dict | None = None) -> dict:
    committed, spent = (money or selectors.item_money(item.project)).get(item.pk, (0, 0))
    return {
        "id": item.pk, "category": item.category, "category_label": item.get_category_display(),
        "name": item.name, "unit": item.unit, "budget": yuan(item.budget),
        "quantity": None if item.quantity is None else f"{item.quantity.normalize():f}",
        "committed": yuan(committed), "spent": yuan(spent), "status": item.status,
        "status_label": item.get_status_display(), "progress": item.progress,
        "contractor": item.contractor.name if item.contractor_id else None,
        "planned_start": item.planned_start, "planned_end": item.planned_end,
        "actual_start": item.actual_start, "actual_end": item.actual_end,
    }


def funding_body(summary: FundingSummary) -> dict:
    def exact(share: Decimal | None) -> str | None:
        return None if share is None else str(share.quantize(Decimal("0.0001")))

    return {
        "budget": yuan(summary.budget), "raised": yuan(summary.raised),
        "committed": yuan(summary.committed), "spent": yuan(summary.spent),
        "residents_spent": yuan(summary.residents_spent),
        "residents_share": exact(summary.residents_share),
        "residents_share_text": summary.residents_share_text,
        "residents_spent_share": exact(summary.residents_spent_share),
        "residents_spent_share_text": summary.residents_spent_share_text,
        "by_source": [{"kind": r.kind, "label": r.label, "amount": yuan(r.amount),
                       "committed": yuan(r.committed), "spent": yuan(r.spent)}
                      for r in summary.by_source],
        "by_category": [{"category": r.category, "label": r.label, "budget": yuan(r.budget),
                         "committed": yuan(r.committed), "spent": yuan(r.spent)}
                        for r in summary.by_category],
    }


def project_summary(project: Project, roles: set[str]) -> dict:
    return {
        "id": project.pk, "name": project.name, "stage": project.stage,
        "stage_label": project.get_stage_display(), "plan_status": project.plan_status,
        "plan_status_label": project.get_plan_status_display(),
        "year": project.batch.year if project.batch_id else None,
        "batch": project.batch.name if project.batch_id else None,
        "area": area_ref(project.area),
        "compounds": [area_ref(c) for c in sorted(project.compounds.all(),
                                                  key=lambda c: c.path)],
        "progress": selectors.progress_percent(project),
        "planned_start": project.planned_start, "planned_end": project.planned_end,
        "started_at": project.started_at, "accepted_at": project.accepted_at,
        "my_roles": sorted(roles),
    }


def option_body(option) -> dict:
    return {"id": option.pk, "category": option.category,
            "category_label": option.get_category_display(), "label": option.label}


def answer_body(response: SurveyResponse | None, user) -> dict | None:
    if response is None:
        return None
    return {"choices": sorted(response.choices.values_list("pk", flat=True)),
            "comment": response.comment, "answered_at": response.answered_at,
            "by_me": response.answered_by_id == user.pk, "source": response.source}


def survey_body(survey: Survey, *, household, response, accepting: bool, user) -> dict:
    return {
        "id": survey.pk, "project": survey.project_id, "title": survey.title,
        "intro": survey.intro, "status": survey.status,
        "status_label": survey.get_status_display(), "opens_at": survey.opens_at,
        "closes_at": survey.closes_at, "accepting": accepting,
        "options": [option_body(o) for o in survey.options.all()],
        "my_household": str(household) if household is not None else None,
        "may_answer": household is not None and accepting and response is None,
        "my_answer": answer_body(response, user),
    }


def inspection_body(inspection) -> dict:
    case = inspection.case
    return {"id": inspection.pk, "project": inspection.project_id, "item": inspection.item_id,
            "note": inspection.note, "problem": inspection.problem,
            "case": {"id": case.pk, "reference": case.reference} if case else None,
            "inspected_at": inspection.inspected_at}
