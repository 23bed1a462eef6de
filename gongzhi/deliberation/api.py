"""JSON API of deliberation (议事协商): polls and ballots, topics and support (附议),
consultations (征询) and resolutions (决议).

A resident sees what lies at or above their home (their building, compound, community,
street); staff see what lies in the area they run councils for. Anything else answers 404,
as if it did not exist. Every change is one of ``gongzhi.deliberation.actions``; their
refusals answer 403 (not yours to do), 409 (already done: one ballot per unit) or 422.
Staff run councils, polls and resolutions from the console, not from here.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply

from gongzhi.areas.models import AreaNode
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation.actions.consultations import may_answer_for
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.electorate import households_of
from gongzhi.deliberation.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationStatus,
    Council,
    Poll,
    PollStatus,
    PollUnit,
    Resolution,
    ResolutionStatus,
    Topic,
    TopicSupport,
)
from gongzhi.deliberation.outcome import outcome_dict

router = Router()

ACT_ERRORS = {**ERRORS, 403: ErrorOut}
ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")


# --- schemas -----------------------------------------------------------------------------


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


# --- what the caller may see -------------------------------------------------------------


def _staff_q(user):
    return scope_q(user, Perm.RUN_COUNCILS, "area_path")


def visible_polls(user) -> QuerySet[Poll]:
    # Querysets, not Q objects, are OR-ed: a superuser's scope is Q(), which a Q "|" drops.
    return selectors.resident_polls(user) | selectors.staff_polls(user)


def visible_topics(user) -> QuerySet[Topic]:
    topics = Topic.objects.filter(selectors.near_home_q(user)) | selectors.topics_in_scope(user)
    return topics.select_related("council", "area").annotate(n_supports=Count("supports"))


def visible_consultations(user) -> QuerySet[Consultation]:
    return selectors.consultations_near(user) | Consultation.objects.filter(_staff_q(user))


def visible_resolutions(user) -> QuerySet[Resolution]:
    """Drafts only for those who run councils there; every later step is public."""
    return selectors.resident_resolutions(user) | selectors.staff_resolutions(user)


def _one(queryset: QuerySet, pk: int, detail: str, what_en: str):
    """The row, or 404 whether it does not exist or the caller may not see it."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise ApiError(404, detail, f"{what_en} not found", "not_found")
    return row


def _page(queryset: QuerySet, limit: int, offset: int, out) -> dict:
    rows = queryset[offset:offset + limit]
    return {"items": [out(r) for r in rows], "count": queryset.count(), "limit": limit,
            "offset": offset}


# --- errors ------------------------------------------------------------------------------


def _refusal(exc: Exception, *, forbidden_en: str,
             conflict: tuple[str, str, str] | None = None) -> Reply:
    """An action's refusal as JSON: 403, 422, or 409 when it names ``conflict``'s field
    (field, code, English detail)."""
    if isinstance(exc, PermissionDenied):
        detail = str(exc) if str(exc) and not str(exc).isascii() else _("无权执行此操作")
        return Reply(403, {"detail": detail, "detail_en": forbidden_en, "code": "forbidden"})
    if hasattr(exc, "error_dict"):
        errors = [{"loc": ["body", field], "msg": str(m), "type": "invalid"}
                  for field, items in exc.error_dict.items() for e in items for m in e.messages]
    else:
        errors = [{"loc": ["body"], "msg": str(m), "type": "invalid"} for m in exc.messages]
    body = {"detail": "；".join(e["msg"] for e in errors) or _("请求参数有误"),
            "detail_en": "invalid input", "code": "invalid", "errors": errors}
    if conflict and conflict[0] in getattr(exc, "error_dict", {}):
        return Reply(409, body | {"code": conflict[1], "detail_en": conflict[2]})
    return Reply(422, body)


# --- rows as JSON ------------------------------------------------------------------------


def _area(node: AreaNode) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind}


def _outcome(data: dict | None) -> dict | None:
    """The stored count for the API: the split owners as a number only (their keys hold ID
    numbers)."""
    if data is None:
        return None
    out = dict(data, split_owners=len(data.get("split_owners") or []))
    if data.get("plans") is not None:
        out["plans"] = [_outcome(plan) for plan in data["plans"]]
    return out


def _poll_summary(poll: Poll, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "id": poll.pk, "title": poll.title, "status": poll.status,
        "status_label": poll.get_status_display(), "area": _area(poll.area),
        "electorate": poll.electorate, "rule": poll.rule, "rule_label": poll.get_rule_display(),
        "matter": poll.matter, "matter_label": poll.get_matter_display() if poll.matter else "",
        "secret": poll.secret, "opens_at": poll.opens_at, "closes_at": poll.closes_at,
        "accepting": poll.status == PollStatus.OPEN and poll.opens_at <= now <= poll.closes_at,
        "counted_at": poll.counted_at,
    }


def poll_out(user, poll: Poll) -> dict:
    units = units_of(user, poll).order_by("label", "pk").values_list("pk", "label", "ballot")
    return {
        **_poll_summary(poll), "description": poll.description,
        "council": {"id": poll.council_id, "name": poll.council.name}
        if poll.council_id else None,
        "topic": poll.topic_id,
        "options": [{"id": o.pk, "label": o.label} for o in poll.options.all()],
        "my_units": [{"id": pk, "label": label, "voted": ballot is not None}
                     for pk, label, ballot in units],
        "outcome": _outcome(poll.outcome) if poll.status == PollStatus.CLOSED else None,
    }


def _topic_summary(topic: Topic) -> dict:
    return {
        "id": topic.pk, "title": topic.title, "status": topic.status,
        "status_label": topic.get_status_display(), "source": topic.source,
        "source_label": topic.get_source_display(),
        "council": {"id": topic.council_id, "name": topic.council.name},
        "area": _area(topic.area), "created_at": topic.created_at,
        "supports": topic.n_supports, "support_threshold": topic.council.support_threshold,
    }


def topic_out(user, topic: Topic) -> dict:
    return {
        **_topic_summary(topic), "description": topic.description, "decision": topic.decision,
        "decided_at": topic.decided_at,
        "supported": TopicSupport.objects.filter(topic=topic, user=user).exists(),
        "mine": topic.proposer_id == user.pk,
        "polls": list(visible_polls(user).filter(topic=topic).order_by("pk")
                      .values_list("pk", flat=True)),
    }


def _summary(consultation: Consultation) -> dict:
    summary = selectors.consultation_summary(consultation)

    def row(r) -> dict:
        return {"floor": r.floor, "households": r.households, "agree": r.agree,
                "conditional": r.conditional, "disagree": r.disagree,
                "unanswered": r.unanswered}

    def count(result) -> dict | None:
        return _outcome(outcome_dict(result)) if result is not None else None

    return {"rows": [row(r) for r in summary.rows], "totals": row(summary.totals),
            "as_answered": count(summary.as_answered),
            "if_conditions_met": count(summary.if_conditions_met),
            "missing_area": summary.missing_area}


def consultation_out(user, consultation: Consultation) -> dict:
    resident = getattr(user, "resident", None)
    home = resident.household if resident is not None else None
    if home is not None and not households_of(consultation).filter(pk=home.pk).exists():
        home = None
    answer = (ConsultationAnswer.objects.filter(consultation=consultation, household=home)
              .first() if home is not None else None)
    now = timezone.now()
    is_open = (consultation.status == ConsultationStatus.OPEN
               and consultation.opens_at <= now <= consultation.closes_at)
    closed = consultation.status == ConsultationStatus.CLOSED
    return {
        "id": consultation.pk, "title": consultation.title,
        "description": consultation.description, "area": _area(consultation.area),
        "unit": consultation.unit, "matter": consultation.matter,
        "matter_label": consultation.get_matter_display(),
        "opens_at": consultation.opens_at, "closes_at": consultation.closes_at,
        "status": consultation.status, "status_label": consultation.get_status_display(),
        "my_household": str(home) if home is not None else None,
        "may_answer": bool(home is not None and is_open and answer is None
                           and may_answer_for(user, home)),
        "my_answer": {"answer": answer.answer, "answer_label": answer.get_answer_display(),
                      "condition": answer.condition, "answered_at": answer.answered_at}
        if answer is not None else None,
        "summary": _summary(consultation) if closed else None,
    }


def _resolution_steps(r: Resolution) -> list[dict]:
    S = ResolutionStatus
    decided = r.status in (S.APPROVED, S.NOTICE, S.CARRIED_OUT)
    refused = r.status == S.REJECTED
    published = r.status in (S.NOTICE, S.CARRIED_OUT)
    steps = [
        (S.DRAFT, r.created_at, True),
        (S.SUBMITTED, r.submitted_at, r.status != S.DRAFT),
        # A refusal, or else the approval (pending until given; a resubmission waits again).
        (S.REJECTED if refused else S.APPROVED, r.decided_at if decided or refused else None,
         decided or refused),
        (S.NOTICE, r.notice.published_at if r.notice_id and published else None, published),
        (S.CARRIED_OUT, r.carried_out_at, r.status == S.CARRIED_OUT),
    ]
    return [{"status": s.value, "label": str(s.label), "at": at, "done": done}
            for s, at, done in steps]


def resolution_out(r: Resolution) -> dict:
    return {
        "id": r.pk, "title": r.title, "text": r.text, "area": _area(r.area),
        "status": r.status, "status_label": r.get_status_display(),
        "steps": _resolution_steps(r), "decision_note": r.decision_note,
        "carried_out_note": r.carried_out_note, "poll": r.poll_id, "topic": r.topic_id,
        "notice": r.notice_id,
        "notice_period_ends_at": r.notice.period_ends_at if r.notice_id else None,
    }


# --- polls -------------------------------------------------------------------------------


@router.get("/polls", response={200: PollPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="表决列表 / polls I may see")
def poll_list(request: HttpRequest,
              status: Literal["draft", "open", "closed"] | None = Query(
                  None, description="草稿（仅工作人员）/ 表决中 / 已计票 — status"),
              limit: int = LIMIT, offset: int = OFFSET):
    polls = visible_polls(request.auth)
    if status:
        polls = polls.filter(status=status)
    now = timezone.now()
    return _page(polls.select_related("area").order_by("-opens_at", "-id"), limit, offset,
                 lambda p: _poll_summary(p, now))


@router.get("/polls/{id}", response={200: PollOut, **ERRORS},
            summary="表决详情与结果 / one poll, my units and the result")
def poll_detail(request: HttpRequest, id: int = ID):
    poll = _one(visible_polls(request.auth).select_related("area", "council"), id,
                _("未找到该表决"), "poll")
    return poll_out(request.auth, poll)


@router.post("/polls/{id}/ballots",
             response={200: BallotOut, 201: BallotOut, **ACT_ERRORS, 409: ErrorOut},
             summary="投票（每户一票）/ vote, once per unit")
def cast_ballot(request: HttpRequest, body: BallotIn, id: int = ID):
    """201 with the receipt; 409 ``already_voted`` when the unit has a ballot already."""
    user = request.auth
    poll = _one(visible_polls(user), id, _("未找到该表决"), "poll")
    unit = PollUnit.objects.filter(poll=poll, pk=body.unit).first()
    if unit is None:
        return _refusal(ValidationError({"unit": _("该户不在本次表决范围内")}),
                        forbidden_en="")
    try:
        ballot = actions.cast_ballot(poll=poll, unit=unit, choice=body.choice,
                                     option_id=body.option, acting_user=user)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, forbidden_en="only the owner of this unit may vote for it",
                        conflict=("unit", "already_voted",
                                  "this unit has already voted: one ballot per unit"))
    return Reply(201, {"unit": ballot.unit_id, "poll": ballot.poll_id,
                       "cast_at": ballot.cast_at})


# --- topics ------------------------------------------------------------------------------


@router.get("/topics", response={200: TopicPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="议题列表 / topics near my home or in my scope")
def topic_list(request: HttpRequest,
               status: Literal["proposed", "agenda", "decided", "declined"] | None = Query(
                   None, description="征集附议 / 已列入议程 / 已形成决定 / 未采纳 — status"),
               limit: int = LIMIT, offset: int = OFFSET):
    topics = visible_topics(request.auth)
    if status:
        topics = topics.filter(status=status)
    return _page(topics.order_by("-created_at", "-id"), limit, offset, _topic_summary)


@router.post("/topics", response={200: TopicOut, 201: TopicOut, **AUTH_ERRORS,
                                  403: ErrorOut, 422: ErrorOut},
             summary="提出议题（居民提议）/ propose a topic")
def propose(request: HttpRequest, body: TopicIn):
    user = request.auth
    council = Council.objects.filter(pk=body.council).first()
    if council is None:
        return _refusal(ValidationError({"council": _("未找到该议事会")}), forbidden_en="")
    try:
        topic = actions.propose_topic(council=council, title=body.title,
                                      description=body.description, acting_user=user)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, forbidden_en="only residents of the council's area may propose")
    return Reply(201, topic_out(user, visible_topics(user).get(pk=topic.pk)))


@router.get("/topics/{id}", response={200: TopicOut, **ERRORS}, summary="议题详情 / one topic")
def topic_detail(request: HttpRequest, id: int = ID):
    topic = _one(visible_topics(request.auth), id, _("未找到该议题"), "topic")
    return topic_out(request.auth, topic)


@router.post("/topics/{id}/support", response={200: TopicOut, **ACT_ERRORS},
             summary="附议 / support a proposal")
def support(request: HttpRequest, id: int = ID):
    """Once per resident; a second support is refused with 422 (the action does not tell
    it apart from its other refusals)."""
    user = request.auth
    topic = _one(visible_topics(user), id, _("未找到该议题"), "topic")
    try:
        actions.support_topic(topic=topic, acting_user=user)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, forbidden_en="only residents of the council's area may support")
    return topic_out(user, visible_topics(user).get(pk=topic.pk))


# --- consultations -----------------------------------------------------------------------


@router.get("/consultations/{id}", response={200: ConsultationOut, **ERRORS},
            summary="意见征询 / one consultation, my answer and, once closed, the summary")
def consultation_detail(request: HttpRequest, id: int = ID):
    consultation = _one(visible_consultations(request.auth).select_related("area"), id,
                        _("未找到该征询"), "consultation")
    return consultation_out(request.auth, consultation)


@router.post("/consultations/{id}/answer", response={200: ConsultationOut, **ACT_ERRORS},
             summary="回复征询（户主）/ answer for my home")
def answer(request: HttpRequest, body: AnswerIn, id: int = ID):
    user = request.auth
    consultation = _one(visible_consultations(user).select_related("area"), id,
                        _("未找到该征询"), "consultation")
    resident = getattr(user, "resident", None)
    en = "only the head of an owner-occupied household may answer for it"
    if resident is None:
        return _refusal(PermissionDenied(_("只有本户户主可以回复")), forbidden_en=en)
    try:
        actions.answer_consultation(consultation=consultation, household=resident.household,
                                    answer=body.answer, condition=body.condition,
                                    acting_user=user)
    except (ValidationError, PermissionDenied) as exc:
        return _refusal(exc, forbidden_en=en)
    consultation.refresh_from_db()
    return consultation_out(user, consultation)


# --- resolutions -------------------------------------------------------------------------


@router.get("/resolutions/{id}", response={200: ResolutionOut, **ERRORS},
            summary="决议及其进程 / one resolution and its steps")
def resolution_detail(request: HttpRequest, id: int = ID):
    resolution = _one(visible_resolutions(request.auth).select_related("area", "notice"), id,
                      _("未找到该决议"), "resolution")
    return resolution_out(resolution)
