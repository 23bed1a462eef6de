"""Residents' pages of the "最美" selections (文明创建), on the phone: the selections near my
home, one selection (its rules, dates, the ballot with stories and photos, my votes and my
nominations), putting someone forward, voting, the photos, and a community's 光荣榜.

Everything works without JavaScript: plain forms, POST then redirect with a message. State
changes only through ``gongzhi.campaigns.actions``; their refusals are shown in the reader's
language and change nothing. A selection the user may not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.areas.selectors import home_path, resident_at_home
from gongzhi.campaigns import actions, selectors
from gongzhi.campaigns.actions._common import is_organiser, lives_in
from gongzhi.campaigns.forms_resident import NominationForm
from gongzhi.campaigns.models import (
    Nomination,
    NominationPhoto,
    NominationStatus,
    Selection,
    Stage,
)
from gongzhi.campaigns.panels import unsigned_conventions
from gongzhi.campaigns.selectors_conventions import conventions_near
from gongzhi.campaigns.selectors_partners import my_applications, open_posts_near
from gongzhi.campaigns.selectors_stars import latest_stars
from gongzhi.core.pages import apply_errors, one_or_404, upload_response
from gongzhi.core.tree import ancestor_paths

T = "campaigns/resident/"
NS = NominationStatus
STAGE_ORDER = [Stage.DRAFT, Stage.NOMINATING, Stage.VOTING, Stage.REVIEWING, Stage.ANNOUNCED]
# Once the vote opens the counts are public; before, there are none to show.
COUNTED = (Stage.VOTING, Stage.REVIEWING, Stage.ANNOUNCED)
STATUS_CLASS = {NS.PENDING: "status-due-soon", NS.PASSED: "status-on-time",
                NS.REFUSED: "status-overdue", NS.WINNER: "status-on-time",
                NS.NOT_CHOSEN: "status-closed"}


# --- helpers ----------------------------------------------------------------------------------


def error_text(exc: Exception) -> str:
    """An action's refusal as one sentence in the reader's language."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


def _selection(request: HttpRequest, pk: int) -> Selection:
    selection = selectors.visible_selection(request.user, pk)
    if selection is None:
        raise Http404(_("没有找到该评选"))
    return selection


def stages(selection: Selection) -> list[dict]:
    """筹备 → 推荐报名 → 群众投票 → 审定名单 → 结果公布, with the ones reached."""
    now = STAGE_ORDER.index(selection.stage)
    return [{"label": Stage(value).label, "reached": i <= now, "current": i == now}
            for i, value in enumerate(STAGE_ORDER)]


def my_community(user) -> AreaNode | None:
    """The community my home is in (for the link to its 光荣榜)."""
    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    if not home:
        return None
    return AreaNode.objects.filter(path__in=ancestor_paths(home),
                                   kind=AreaKind.COMMUNITY).first()


def shown_status(selection: Selection, nomination: Nomination) -> tuple[str, str]:
    """A nomination's status as residents may read it now (label, css class)."""
    status = selectors.status_shown(nomination, selection, organiser=False)
    return NS(status).label, STATUS_CLASS[status]


def voting_open(selection: Selection) -> bool:
    return selection.stage == Stage.VOTING and timezone.now() < selection.voting_closes


def nominating_open(selection: Selection) -> bool:
    return selection.stage == Stage.NOMINATING and timezone.now() < selection.nominations_close


# --- the selections near my home --------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Open for voting, taking nominations, being finalised, announced."""
    user = request.user
    resident = resident_at_home(user)
    groups: dict[str, list[Selection]] = {stage: [] for stage in STAGE_ORDER}
    for selection in selectors.selections_near(user).select_related("notice")[:50]:
        groups[selection.stage].append(selection)
    community = my_community(user)
    return render(request, T + "home.html", {
        "resident": resident, "voting": groups[Stage.VOTING],
        "nominating": groups[Stage.NOMINATING], "reviewing": groups[Stage.REVIEWING],
        "announced": groups[Stage.ANNOUNCED], "community": community,
        "any": any(groups.values()), **_other_parts(user, resident),
    })


def _other_parts(user, resident) -> dict:
    """The rest of 文明创建 near me, for the hub: my household's latest stars, conventions
    to sign, partner posts open or my partnership."""
    household_id = resident.household_id if resident is not None else None
    stars = latest_stars([household_id]).get(household_id) if household_id else None
    return {
        "stars": stars,
        "to_sign": list(unsigned_conventions(user, household_id)[:3]),
        "conventions": conventions_near(user).exists(),
        "partner_posts": open_posts_near(user).count(),
        "partnering": my_applications(user).exists(),
    }


# --- one selection ----------------------------------------------------------------------------


def ballot_rows(selection: Selection, user) -> list[dict]:
    """Every category with its nominees on the ballot, what I may do on each, and how many
    votes I have left there."""
    mine = selectors.my_votes(selection, user)
    left = selectors.votes_left(selection, user)
    may_vote = voting_open(selection) and lives_in(user, selection.area_path)
    announced = selection.stage == Stage.ANNOUNCED
    groups = []
    for category, nominations in selectors.ballot(selection):
        rows = [{"nomination": n, "voted": n.pk in mine,
                 "winner": announced and n.status == NS.WINNER,
                 "can_vote": may_vote and n.pk not in mine and left.get(category.pk, 0) > 0
                 and n.status == NS.PASSED} for n in nominations]
        groups.append({"category": category, "rows": rows, "left": left.get(category.pk, 0),
                       "used": selection.votes_per_category - left.get(category.pk, 0)})
    return groups


@login_required
@require_GET
def selection(request: HttpRequest, pk: int) -> HttpResponse:
    """The rules, the dates, the ballot, my votes and my nominations."""
    selection = _selection(request, pk)
    user = request.user
    mine = [{"nomination": n, "status": shown_status(selection, n)}
            for n in selectors.my_nominations(selection, user)]
    return render(request, T + "selection.html", {
        "selection": selection, "stages": stages(selection), "ballot": ballot_rows(selection, user),
        "counted": selection.stage in COUNTED, "voting_open": voting_open(selection),
        "nominating_open": nominating_open(selection),
        "lives_here": lives_in(user, selection.area_path), "mine": mine,
        "is_organiser": is_organiser(user, selection.area_path),
    })


# --- putting someone forward ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """推荐报名: who or what, why, photos; placed at my building, or my household if it is
    myself I put forward."""
    selection = _selection(request, pk)
    user = request.user
    if not lives_in(user, selection.area_path):
        raise PermissionDenied(_("只有本区域居民可以推荐"))
    if not nominating_open(selection):
        messages.error(request, _("该评选不在推荐报名阶段"))
        return redirect("campaigns:selection", pk=selection.pk)
    resident = resident_at_home(user)
    household = resident.household
    form = NominationForm(request.POST or None, request.FILES or None, selection=selection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        own = data["self_nomination"]
        try:
            nomination = actions.nominate(
                category=data["category"], nominee=data["nominee"], story=data["story"],
                area=household.building, household=household if own else None,
                photos=data["photos"], acting_user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if nomination.status == NS.PASSED:  # an organiser's own nomination
                messages.success(request, _("“%(name)s”已列入投票名单。")
                                 % {"name": nomination.nominee})
            else:
                messages.success(request, _(
                    "推荐已提交：“%(name)s”。社区审核通过后会列入投票名单，"
                    "审核结果会通知您。") % {"name": nomination.nominee})
            return redirect(reverse("campaigns:selection", args=[selection.pk]) + "#mine")
    return render(request, T + "nominate.html", {
        "selection": selection, "form": form, "household": household,
        "building": household.building})


# --- voting -----------------------------------------------------------------------------------


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """投票 for one nominee; the action counts my votes and says when they are used up."""
    rows = Nomination.objects.select_related("category")
    nomination = one_or_404(rows, pk, _("没有找到该推荐"))
    selection = _selection(request, nomination.category.selection_id)
    try:
        actions.cast_vote(nomination=nomination, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已为“%(name)s”投票，谢谢您的参与！")
                         % {"name": nomination.nominee})
    return redirect(reverse("campaigns:selection", args=[selection.pk])
                    + f"#nomination-{nomination.pk}")


# --- photos -----------------------------------------------------------------------------------


def may_see_photo(user, row: NominationPhoto) -> bool:
    """Whoever may open the selection, for a nomination on the ballot; the nominator and the
    organisers for one still under review or refused."""
    nomination = row.nomination
    selection = selectors.visible_selection(user, nomination.category.selection_id)
    if selection is None:
        return False
    return (nomination.status in selectors.ON_BALLOT or nomination.nominated_by_id == user.pk
            or is_organiser(user, selection.area_path))


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A nomination's photo, only for those who may see it."""
    rows = NominationPhoto.objects.select_related("nomination__category")
    row = one_or_404(rows, pk, _("没有找到这张照片"))
    if not may_see_photo(request.user, row):
        raise Http404(_("没有找到这张照片"))
    return upload_response(row, _("没有找到这张照片"))


# --- 光荣榜 -----------------------------------------------------------------------------------


@login_required
@require_GET
def honour(request: HttpRequest, code: str) -> HttpResponse:
    """光荣榜: every announced winner of the community, year by year, category by category."""
    community = AreaNode.objects.filter(code=code, kind=AreaKind.COMMUNITY).first()
    if community is None or not selectors.may_see_honour(request.user, community):
        raise Http404(_("没有找到该社区"))
    roll = []
    for selection, winners in selectors.honour_roll(community):
        by_category: dict[int, dict] = {}
        for winner in winners:
            category = winner.category
            by_category.setdefault(category.pk, {"category": category, "winners": []})[
                "winners"].append(winner)
        roll.append({"selection": selection, "categories": list(by_category.values())})
    return render(request, T + "honour.html", {"community": community, "roll": roll})
