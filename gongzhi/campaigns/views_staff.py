"""Staff console pages for the "最美" selections (文明创建 · 工作台): the selections this user
organises, a new selection, the organiser's page of one selection (the next step, the review
queue, the standings, the final list) and a staff nomination.

Every change is an action's; a page only parses, checks the scope and shows the action's
answer. Selections outside the user's RUN_CAMPAIGNS scope answer 404; a user without the
permission anywhere, or an action refusing them, answers 403. Buttons redirect back to the
selection (POST-redirect-GET) with the action's answer as a message.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.campaigns import actions, selectors
from gongzhi.campaigns import forms_staff as forms
from gongzhi.campaigns.models import (
    Nomination,
    NominationStatus,
    Selection,
    Stage,
    Vote,
)
from gongzhi.campaigns.templatetags.campaigns import first_topic_url
from gongzhi.core.pages import PAGE_SIZE, one_or_404, page_of, run_form
from gongzhi.core.permissions import Perm, scope_paths

T = "campaigns/staff/"
NS = NominationStatus
STAGE_ORDER = [value for value, _label in Stage.choices]
# The button each stage waits for (its URL name); in 审定名单 once the list is confirmed.
NEXT_STEP = {
    Stage.DRAFT: "open_nominations",
    Stage.NOMINATING: "open_voting",
    Stage.VOTING: "close_voting",
    Stage.REVIEWING: "announce",
}


def require_organiser_somewhere(user) -> None:
    """403 unless the user runs campaigns somewhere (the pages then scope to where)."""
    if not (user.is_superuser or scope_paths(user, Perm.RUN_CAMPAIGNS)):
        raise PermissionDenied(_("您无权组织文明创建活动"))


def staff_selection(request: HttpRequest, pk) -> Selection:
    """The selection ``pk`` the user organises: no campaigns role → 403, else outside → 404."""
    require_organiser_somewhere(request.user)
    return one_or_404(selectors.managed_selections(request.user), pk, _("未找到该评选"))


def to_selection(selection: Selection, anchor: str = "") -> HttpResponse:
    url = reverse("campaigns_staff:selection", kwargs={"pk": selection.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _count(rows: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of ``rows`` (filtered on the outer selection), 0 when none."""
    return Coalesce(Subquery(rows.order_by().values("category__selection")
                             .annotate(n=Count("pk")).values("n")), 0)


# --- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """文明创建 in the console menu: the first part this user works on (organisers: the
    selections; building heads and grid workers: assessing households)."""
    url = first_topic_url(request.user)
    if url is None:
        raise PermissionDenied(_("您无权组织该区域的文明创建活动"))
    return redirect(url)


@login_required
@require_GET
def selection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_organiser_somewhere(user)
    base = selectors.managed_selections(user)
    filters = forms.StageFilterForm(request.GET or None)
    stage = filters.chosen()
    counts = dict(base.order_by().values("stage").annotate(n=Count("pk"))
                  .values_list("stage", "n"))
    stages = [{"stage": value, "label": label, "n": counts.get(value, 0),
               "current": stage == value, "query": urlencode({"stage": value})}
              for value, label in Stage.choices]
    rows = base.filter(stage=stage) if stage else base
    of_selection = {"category__selection": OuterRef("pk")}
    rows = rows.annotate(
        n_pending=_count(Nomination.objects.filter(**of_selection, status=NS.PENDING)),
        n_ballot=_count(Nomination.objects.filter(**of_selection,
                                                  status__in=selectors.ON_BALLOT)),
        n_votes=_count(Vote.objects.filter(**of_selection)),
    ).order_by("-created_at", "-id")
    return render(request, T + "list.html", {
        "page": page_of(request, rows), "stages": stages, "stage": stage,
        "total": sum(counts.values()), "extra": urlencode({"stage": stage}) if stage else ""})


# --- a new selection ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_organiser_somewhere(user)
    form = forms.SelectionForm(request.POST or None, user=user)
    made: list[Selection] = []
    if request.method == "POST" and run_form(form, lambda d: made.append(
            actions.create_selection(
                area=d["area"], title=d["title"], rules=d["rules"], year=d["year"],
                nominations_close=d["nominations_close"], voting_closes=d["voting_closes"],
                votes_per_category=d["votes_per_category"], categories=form.categories(),
                acting_user=user))):
        messages.success(request, _("已发起评选（筹备中）：确认无误后请开始推荐报名"))
        return to_selection(made[0])
    return render(request, T + "create.html", {"form": form},
                  status=400 if form.is_bound else 200)


# --- the selection page ----------------------------------------------------------------------


def _stage_bar(selection: Selection) -> list[dict]:
    here = STAGE_ORDER.index(selection.stage)
    return [{"label": label, "done": i < here, "current": i == here}
            for i, (_value, label) in enumerate(Stage.choices)]


def _standings(ballot, reviewing: bool) -> list[dict]:
    """Per category: its nominees with votes, who is marked winner, and whether the last
    place is tied with the first one out (the organiser has to decide, with a note)."""
    out = []
    for category, nominations in ballot:
        places = category.places
        tied = (reviewing and len(nominations) > places
                and nominations[places - 1].vote_count == nominations[places].vote_count)
        out.append({"category": category, "rows": nominations, "tied": tied,
                    "votes": sum(n.vote_count for n in nominations),
                    "winners": [n for n in nominations if n.status == NS.WINNER]})
    return out


def selection_context(request: HttpRequest, selection: Selection, **given) -> dict:
    """Everything the page shows; ``given`` holds a bound form with its errors."""
    ballot = selectors.ballot(selection)
    reviewing = selection.stage == Stage.REVIEWING
    standings = _standings(ballot, reviewing)
    decided = any(n.status in forms.DECIDED for _c, rows in ballot for n in rows)
    review = selection.stage in (Stage.NOMINATING, Stage.VOTING)
    queue = list(selectors.to_review(selection)[:PAGE_SIZE]) if review else []
    ctx = {
        "selection": selection, "stages": _stage_bar(selection),
        "categories": [s["category"] for s in standings], "standings": standings,
        "next": NEXT_STEP.get(selection.stage), "decided": decided,
        "to_review": queue, "review_open": review,
        "pending": selectors.to_review(selection).count() if review else 0,
        "total_votes": sum(s["votes"] for s in standings),
        "confirm_form": forms.ConfirmForm(ballot=ballot, initial=forms.confirm_initial(ballot))
        if reviewing else None,
        "may_nominate": selection.stage == Stage.NOMINATING,
    }
    ctx.update(given)
    return ctx


@login_required
@require_GET
def selection_page(request: HttpRequest, pk: int) -> HttpResponse:
    selection = staff_selection(request, pk)
    return render(request, T + "selection.html", selection_context(request, selection))


def _step(request: HttpRequest, pk: int, action: Callable, done: str) -> HttpResponse:
    """A button without fields: the action's refusal as an error message, else ``done``;
    back to the selection either way (PermissionDenied: 403)."""
    selection = staff_selection(request, pk)
    try:
        action(selection=selection, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return to_selection(selection, "next")


@login_required
@require_POST
def open_nominations(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.open_nominations,
                 _("已开始推荐报名：本区域居民可以推荐或自荐"))


@login_required
@require_POST
def open_voting(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.open_voting,
                 _("已开始群众投票：本区域居民可以为审核通过的推荐对象投票"))


@login_required
@require_POST
def close_voting(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.close_voting, _("投票已结束，请审定名单"))


@login_required
@require_POST
def announce(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.announce_winners, _("评选结果已公示，已通知推荐人"))


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    selection = staff_selection(request, pk)
    ballot = selectors.ballot(selection)
    form = forms.ConfirmForm(request.POST, ballot=ballot)
    if run_form(form, lambda d: actions.confirm_winners(
            selection=selection, winners=form.winners(), note=d["note"],
            acting_user=request.user)):
        messages.success(request, _("名单已审定，确认无误后请公布结果"))
        return to_selection(selection, "next")
    if selection.stage != Stage.REVIEWING:  # the page has no list form to show it on
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return to_selection(selection, "next")
    return render(request, T + "selection.html",
                  selection_context(request, selection, confirm_form=form), status=400)


# --- nominations --------------------------------------------------------------------------


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """通过 / 不通过 (with the reason) of one nomination of a selection the user organises."""
    require_organiser_somewhere(request.user)
    nomination = one_or_404(
        Nomination.objects.filter(category__selection__in=selectors.managed_selections(
            request.user)).select_related("category__selection"), pk, _("未找到该推荐"))
    selection = nomination.category.selection
    form = forms.ReviewForm(request.POST)
    if run_form(form, lambda d: actions.review_nomination(
            nomination=nomination, passed=d["decision"] == "pass", reason=d["reason"],
            acting_user=request.user)):
        passed = form.cleaned_data["decision"] == "pass"
        messages.success(request, (_("“%(name)s”已通过审核") if passed
                                   else _("“%(name)s”未通过审核，已告知推荐人"))
                         % {"name": nomination.nominee})
    else:
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, _("“%(name)s”：%(errors)s")
                       % {"name": nomination.nominee, "errors": " ".join(errors)})
    return to_selection(selection, "review")


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """社区推荐: staff put a nominee forward; it goes straight onto the ballot."""
    selection = staff_selection(request, pk)
    bound = request.method == "POST"
    form = forms.NominationForm(request.POST if bound else None,
                                request.FILES if bound else None, selection=selection)
    if bound and run_form(form, lambda d: actions.nominate(
            category=d["category"], nominee=d["nominee"], story=d["story"], area=d["area"],
            photos=d["photos"], acting_user=request.user)):
        messages.success(request, _("已推荐“%(name)s”，已列入投票名单")
                         % {"name": form.cleaned_data["nominee"].strip()})
        return to_selection(selection, "standings")
    return render(request, T + "nominate.html", {
        "selection": selection, "form": form, "open": selection.stage == Stage.NOMINATING,
    }, status=400 if bound else 200)

