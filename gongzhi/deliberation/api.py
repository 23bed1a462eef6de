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
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import AreaNode
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation.actions.consultations import may_answer_for
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.api_schemas import (
    AnswerIn,
    BallotIn,
    BallotOut,
    ConsultationOut,
    PollOut,
    PollPage,
    ResolutionOut,
    TopicIn,
    TopicOut,
    TopicPage,
)
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
from gongzhi.deliberation.selectors import (
    visible_consultations,
    visible_polls,
    visible_resolutions,
    visible_topics,
)

router = Router()

ACT_ERRORS = {**ERRORS, 403: ErrorOut}
ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")


# --- lookups -----------------------------------------------------------------------------


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
    """The stored count for the API, plan by plan for a choice among plans."""
    if data is None:
        return None
    out = dict(data)
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
             response={201: BallotOut, **ACT_ERRORS, 409: ErrorOut},
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


@router.post("/topics", response={201: TopicOut, **AUTH_ERRORS, 403: ErrorOut, 422: ErrorOut},
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
