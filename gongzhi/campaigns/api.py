"""JSON API of campaigns (文明创建): the "最美" selections near me or that I run, each with
its ballot, my votes and votes left; nominating (myself, my household or others, placed at
my building); voting; the staff's review of a nomination; and a community's honour roll.

A selection is seen by the residents of its area (once out of draft) and by the staff who
run its campaigns; anything else answers 404, as if it did not exist. A nomination is seen
where its selection is, while it is on the ballot — its nominator and the staff see it
whatever its status. Every change is one of ``gongzhi.campaigns.actions``; their refusals
answer 403 (not yours to do: not a resident of the area, not its staff), 409 (done
already: ``already_voted`` for this nominee, ``no_votes_left`` in the category,
``already_reviewed``) or 422 (bad input, and steps the selection's stage or dates do not
allow — nominating or voting after the close answers 422, like the other apps' "started,
paused …").
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns import actions, selectors
from gongzhi.campaigns.actions._common import is_organiser, lives_in
from gongzhi.campaigns.api_schemas import (
    HonourOut,
    NominateIn,
    NominationOut,
    ReviewIn,
    SelectionOut,
    SelectionPage,
    VoteOut,
    area_ref,
    nomination_body,
    selection_summary,
    winner_body,
)
from gongzhi.campaigns.models import Nomination, NominationStatus, Selection, Stage, Vote
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut, run_action, validation_body

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
AREA_CODE = Path(..., max_length=64, description="社区编码 / the community's code, e.g. CA")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
ACT_ERRORS = {**ERRORS, 403: ErrorOut}
CHANGE_ERRORS = {**ACT_ERRORS, 409: ErrorOut}


# --- lookups -----------------------------------------------------------------------------


def _visible(user):
    """Selections near my home (not drafts) and those I organise (drafts too)."""
    return (selectors.selections_near(user) | selectors.managed_selections(user)).select_related(
        "area")


def _selection(user, pk: int) -> Selection:
    selection = selectors.visible_selection(user, pk)
    if selection is None:
        raise ApiError(404, _("未找到该评选"), "selection not found", "not_found")
    return selection


def _nomination(user, pk: int) -> Nomination:
    """A nomination of a selection I may open: on the ballot, mine, or any if I run it."""
    near = selectors.selections_near(user).values("pk")
    managed = selectors.managed_selections(user).values("pk")
    seen = Q(category__selection__in=managed) | (
        Q(category__selection__in=near)
        & (Q(status__in=selectors.ON_BALLOT) | Q(nominated_by=user)))
    nomination = (Nomination.objects.filter(seen, pk=pk)
                  .select_related("category__selection__area", "area")
                  .annotate(vote_count=Count("vote_rows")).first())
    if nomination is None:
        raise ApiError(404, _("未找到该推荐"), "nomination not found", "not_found")
    return nomination


# --- bodies ------------------------------------------------------------------------------


def _open_for_nominations(selection: Selection) -> bool:
    return selection.stage == Stage.NOMINATING and timezone.now() < selection.nominations_close


def _open_for_votes(selection: Selection) -> bool:
    return selection.stage == Stage.VOTING and timezone.now() < selection.voting_closes


def selection_out(user, selection: Selection) -> dict:
    organising = is_organiser(user, selection.area_path)
    resident = lives_in(user, selection.area_path)
    voted = selectors.my_votes(selection, user)
    left = selectors.votes_left(selection, user)
    mine = selectors.my_nominations(selection, user).annotate(vote_count=Count("vote_rows"))
    return {
        **selection_summary(selection, organising),
        "rules": selection.rules,
        "may_nominate": _open_for_nominations(selection) and (resident or organising),
        "may_vote": _open_for_votes(selection) and resident,
        "announced_at": selection.announced_at, "notice": selection.notice_id,
        "categories": [
            {"id": category.pk, "name": category.name, "places": category.places,
             "votes_left": left[category.pk],
             "nominations": [nomination_body(n, selection, voted, organiser=organising)
                             for n in rows]}
            for category, rows in selectors.ballot(selection)],
        "my_votes": sorted(voted),
        "my_nominations": [nomination_body(n, selection, voted, organiser=organising)
                           for n in mine],
    }


# --- selections --------------------------------------------------------------------------


@router.get("/selections", response={200: SelectionPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="我身边和我组织的最美评选 / selections near me and those I run")
def selection_list(request: HttpRequest,
                   stage: Literal["draft", "nominating", "voting", "reviewing", "announced"]
                   | None = Query(None, description="阶段 / stage"),
                   limit: int = LIMIT, offset: int = OFFSET):
    user = request.auth
    selections = _visible(user)
    if stage:
        selections = selections.filter(stage=stage)
    selections = selections.order_by("-year", "-created_at", "-id")
    rows = selections[offset:offset + limit]
    return {"items": [selection_summary(s, is_organiser(user, s.area_path)) for s in rows],
            "count": selections.count(), "limit": limit, "offset": offset}


@router.get("/selections/{id}", response={200: SelectionOut, **ERRORS},
            summary="评选详情：类别、投票名单、我的投票 / one selection with its ballot")
def selection_detail(request: HttpRequest, id: int = ID):
    """``votes`` of each nominee is null until the vote opens."""
    return selection_out(request.auth, _selection(request.auth, id))


@router.post("/selections/{id}/nominations", response={201: NominationOut, **ACT_ERRORS},
             summary="推荐评选对象（本区域居民）/ nominate someone, or my household")
def nominate(request: HttpRequest, body: NominateIn, id: int = ID):
    """201 with the nomination, waiting for review (staff's pass at once). The nominee is
    placed at my building; ``self_nomination`` puts my own household forward. 403 for
    someone who neither lives in the area nor runs it; 422 for bad input, a category of
    another selection, or a selection not taking nominations. Staff with no home on record
    nominate from the console, where they pick the place."""
    user = request.auth
    selection = _selection(user, id)
    category = selection.categories.filter(pk=body.category).first()
    if category is None:
        return Reply(422, validation_body(ValidationError(
            {"category": _("该评选类别不属于本次评选")})))
    resident = resident_at_home(user)
    home = resident.household if resident is not None else None
    done: list[Nomination] = []
    refused = run_action(lambda: done.append(actions.nominate(
        category=category, nominee=body.nominee, story=body.story,
        area=home.building if home is not None else None,
        household=home if body.self_nomination else None, acting_user=user)))
    return refused or Reply(201, nomination_body(done[0], selection, set()))


# --- nominations -------------------------------------------------------------------------


@router.post("/nominations/{id}/vote", response={201: VoteOut, **CHANGE_ERRORS},
             summary="为推荐对象投票（本区域居民）/ vote for a nominee")
def vote(request: HttpRequest, id: int = ID):
    """201 with the vote and the votes I have left in its category. 409
    ``already_voted`` when I voted for this nominee already, ``no_votes_left`` when my
    votes in the category are used up; 422 when the vote is not open (not started, or
    closed) or the nominee is not on the ballot; 403 for someone not living in the area."""
    user = request.auth
    nomination = _nomination(user, id)
    selection = nomination.category.selection

    def conflict() -> tuple[str, str] | None:
        now = Selection.objects.get(pk=selection.pk)
        if not _open_for_votes(now) or not Nomination.objects.filter(
                pk=nomination.pk, status=NominationStatus.PASSED).exists():
            return None  # refused for the selection's or the nominee's state
        mine = Vote.objects.filter(category_id=nomination.category_id, voter=user)
        if mine.filter(nomination=nomination).exists():
            return "already_voted", "you have voted for this nominee already"
        if mine.count() >= now.votes_per_category:
            return "no_votes_left", "you have used all your votes in this category"
        return None

    done: list[Vote] = []
    refused = run_action(lambda: done.append(actions.cast_vote(
        nomination=nomination, acting_user=user)), conflict)
    if refused:
        return refused
    row = done[0]
    return Reply(201, {"nomination": row.nomination_id, "category": row.category_id,
                       "slot": row.slot,
                       "votes_left": selectors.votes_left(selection, user)[row.category_id]})


@router.post("/nominations/{id}/review", response={200: NominationOut, **CHANGE_ERRORS},
             summary="审核推荐（工作人员）/ pass a nomination onto the ballot, or refuse it")
def review(request: HttpRequest, body: ReviewIn, id: int = ID):
    """200 with the nomination. A refusal needs the reason (told to the nominator). 409
    ``already_reviewed`` when it was reviewed before; 422 once the vote has closed; 403
    for anyone but the staff who run the selection."""
    user = request.auth
    nomination = _nomination(user, id)

    def conflict() -> tuple[str, str] | None:
        now = Nomination.objects.select_related("category__selection").get(pk=nomination.pk)
        if now.category.selection.stage not in (Stage.NOMINATING, Stage.VOTING):
            return None
        if now.status != NominationStatus.PENDING:
            return "already_reviewed", "this nomination has been reviewed already"
        return None

    refused = run_action(lambda: actions.review_nomination(
        nomination=nomination, passed=body.passed, reason=body.reason, acting_user=user),
        conflict)
    if refused:
        return refused
    fresh = _nomination(user, id)
    selection = fresh.category.selection
    return nomination_body(fresh, selection, selectors.my_votes(selection, user),
                           organiser=True)


# --- the honour roll ---------------------------------------------------------------------


@router.get("/honour/{code}", response={200: HonourOut, **ERRORS},
            summary="社区光荣榜：历次评选的当选者 / a community's honour roll")
def honour(request: HttpRequest, code: str = AREA_CODE):
    """The winners of every announced selection who live or are in the community (its
    own selections and its street's), newest first. For its residents and the staff who
    see or run it, as the page; 404 for anyone else, an unknown code or an area that is
    not a community."""
    community = AreaNode.objects.filter(code=code, kind=AreaKind.COMMUNITY).first()
    if community is None or not selectors.may_see_honour(request.auth, community):
        raise ApiError(404, _("未找到该社区"), "community not found", "not_found")
    roll = selectors.honour_roll(community)
    areas = {a.pk: a for a in AreaNode.objects.filter(pk__in={s.area_id for s, _w in roll})}
    return {
        "community": area_ref(community),
        "selections": [
            {"id": s.pk, "title": s.title, "year": s.year, "area": area_ref(areas[s.area_id]),
             "announced_at": s.announced_at, "notice": s.notice_id,
             "winners": [winner_body(w) for w in winners]}
            for s, winners in roll],
    }
