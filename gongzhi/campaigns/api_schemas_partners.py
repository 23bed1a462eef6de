"""Request and response bodies of the 网格合伙人 API (gongzhi.campaigns.api_partners)."""

from datetime import date, datetime

from ninja import Field, Schema

from gongzhi.campaigns.models import PartnerApplication, PartnerPost, PatrolTask
from gongzhi.campaigns.selectors_partners import Contribution

KINDS = "resident 居民 / shop 商户 / property 物业人员"
STATUSES = "pending 待审核 / accepted 已接纳 / declined 未接纳 / ended 已退出"


class GridRef(Schema):
    code: str
    name: str


class PostOut(Schema):
    id: int
    title: str
    duties: str = Field(description="合伙人职责 / what partners do")
    grid: GridRef = Field(description="网格 / the grid")
    places: int = Field(description="招募名额 / places")
    closes_on: date = Field(description="报名截止（含当天）/ last day to apply")
    is_open: bool = Field(description="招募中 / taking applications")


class PostPage(Schema):
    items: list[PostOut]
    count: int


class PostIn(Schema):
    grid: str = Field(..., max_length=64, description="网格编码 / the grid's code")
    title: str = Field(..., max_length=100)
    duties: str = Field(..., max_length=2000)
    places: int = Field(5, ge=1, le=50)
    closes_on: date


class ApplyIn(Schema):
    kind: str = Field(..., max_length=10, description=KINDS)
    motivation: str = Field(..., max_length=300, description="自我介绍和特长 / about me")
    organisation: str | None = Field(None, max_length=64,
                                     description="商户或物业的编码 / the shop's or property "
                                                 "company's code (shop, property)")


class ApplicationOut(Schema):
    id: int
    post: int
    post_title: str
    applicant: str = Field(description="申请人 / applicant's name")
    kind: str = Field(description=KINDS)
    organisation: str | None
    motivation: str
    status: str = Field(description=STATUSES)
    decision_note: str
    created_at: datetime


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    count: int


class DecideIn(Schema):
    accept: bool
    note: str = Field("", max_length=200, description="审核意见（不接纳时必填）/ reason, "
                                                      "required to decline")


class PatrolOut(Schema):
    id: int
    partner: int = Field(description="合伙人申请 ID / the partner's application")
    route: str
    due_on: date
    status: str = Field(description="assigned 待巡查 / done 已完成 / cancelled 已取消")
    report: str
    case: int | None = Field(description="上报的诉求件 / the case filed from it")


class PatrolPage(Schema):
    items: list[PatrolOut]
    count: int


class AssignIn(Schema):
    partner: int = Field(..., ge=1, description="合伙人申请 ID / the partner's application")
    route: str = Field(..., max_length=200)
    due_on: date


class ReportIn(Schema):
    report: str = Field(..., max_length=500)
    problem_title: str = Field("", max_length=100, description="发现的问题（可选，立为诉求件）"
                                                               " / a problem: filed as a case")
    problem_description: str = Field("", max_length=5000)


class CountsOut(Schema):
    patrols_done: int
    problems_reported: int
    cases_assigned: int
    cases_done: int = Field(description="其中已办结 / of those resolved or archived")


class PartnershipOut(Schema):
    application: ApplicationOut
    counts: CountsOut
    patrols: list[PatrolOut]
    assigned_cases: list[int] = Field(description="派给我的诉求件 ID / cases dispatched to me")


def post_body(post: PartnerPost) -> dict:
    return {"id": post.pk, "title": post.title, "duties": post.duties,
            "grid": {"code": post.area.code, "name": post.area.name}, "places": post.places,
            "closes_on": post.closes_on, "is_open": post.is_open}


def application_body(a: PartnerApplication) -> dict:
    return {"id": a.pk, "post": a.post_id, "post_title": a.post.title,
            "applicant": a.applicant.display_name, "kind": a.kind,
            "organisation": a.organisation.name if a.organisation_id else None,
            "motivation": a.motivation, "status": a.status, "decision_note": a.decision_note,
            "created_at": a.created_at}


def patrol_body(t: PatrolTask) -> dict:
    return {"id": t.pk, "partner": t.partner_id, "route": t.route, "due_on": t.due_on,
            "status": t.status, "report": t.report, "case": t.case_id}


def counts_body(c: Contribution) -> dict:
    return {"patrols_done": c.patrols_done, "problems_reported": c.problems_reported,
            "cases_assigned": c.cases_assigned, "cases_done": c.cases_done}
