"""Staff pages for proposal contests (提案大赛 · 工作台): new contest, the contest page with
each round's table, entering, scoring and moving the rounds on.

A contest is reached by those who run councils where it is and by its judges (a judge need
not run councils); anyone else gets 404. The actions decide who may do what (403/errors).
"""

from collections import defaultdict
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.permissions import Perm, can
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation import forms_councils as forms
from gongzhi.deliberation.actions.contests import current_round, may_enter
from gongzhi.deliberation.models import Contest, ContestStatus, RoundStatus, Score
from gongzhi.deliberation.views_staff_common import (
    T,
    one_or_404,
    require_runner_somewhere,
    run_form,
    run_step,
)


def _contest(user, pk) -> Contest:
    return one_or_404(selectors.staff_contests(user).select_related("council"), pk,
                      _("未找到该提案大赛"))


@login_required
@require_http_methods(["GET", "POST"])
def contest_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    councils = forms.runnable_councils(user)
    if request.method == "POST":
        form = forms.ContestForm(request.POST, councils=councils)
        made = []
        if run_form(form, lambda d: made.append(actions.create_contest(
                council=d["council"], title=d["title"], rounds=d["rounds"],
                judges=d["judges"], description=d["description"], acting_user=user))):
            messages.success(request, _("已新建提案大赛"))
            return redirect("deliberation_staff:contest", pk=made[0].pk)
    else:
        form = forms.ContestForm(councils=councils,
                                 initial={"council": request.GET.get("council")})
    return render(request, T + "contest_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _average(marks: list[int]) -> Fraction | None:
    return Fraction(sum(marks), len(marks)) if marks else None


def round_tables(contest: Contest) -> list[dict]:
    """Each round with its entries by average score (exact), rank and who went on.

    An entry that reached round k took part in rounds 1…k; ``ContestEntry.rank`` keeps
    only the last round's rank, so each round's ranks are worked out from its scores.
    """
    rounds = list(contest.rounds.order_by("order"))
    entries = list(contest.entries.select_related("topic", "reached"))
    marks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for round_id, entry_id, points in Score.objects.filter(round__contest=contest) \
            .values_list("round_id", "entry_id", "points"):
        marks[(round_id, entry_id)].append(points)
    last = rounds[-1].order if rounds else 0
    tables = []
    for r in rounds:
        rows = []
        for e in entries:
            if e.reached.order < r.order:
                continue
            avg = _average(marks[(r.pk, e.pk)])
            went_on = r.status == RoundStatus.CLOSED and (
                e.reached.order > r.order or (r.order == last and e.won))
            rows.append({"entry": e, "average": avg, "n_scores": len(marks[(r.pk, e.pk)]),
                         "shown": f"{float(avg):.2f}" if avg is not None else "—",
                         "went_on": went_on})
        rows.sort(key=lambda row: (row["average"] is None, -(row["average"] or 0),
                                   row["entry"].pk))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank if row["average"] is not None else None
        tables.append({"round": r, "rows": rows})
    return tables


def _contest_page(request: HttpRequest, contest: Contest, bound: dict | None = None,
                  status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    runner = can(user, Perm.RUN_COUNCILS, contest.area_path)
    current = current_round(contest)
    judge = contest.judges.filter(pk=user.pk).exists()
    to_score = []
    if judge and current is not None and current.status == RoundStatus.JUDGING:
        scored = set(Score.objects.filter(round=current, judge=user)
                     .values_list("entry_id", flat=True))
        for e in contest.entries.filter(reached=current).select_related("topic"):
            form = bound.get(("score", e.pk)) or forms.ScoreForm(prefix=f"e{e.pk}")
            to_score.append({"entry": e, "scored": e.pk in scored, "form": form})
    for key, form in bound.items():
        if isinstance(key, tuple) and not any(item["form"] is form for item in to_score):
            # The round moved on meanwhile: the form is gone, its error is not.
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    first = contest.rounds.order_by("order").first()
    entering = (contest.status == ContestStatus.OPEN and first is not None
                and first.status == RoundStatus.PENDING and may_enter(user, contest))
    return render(request, T + "contest.html", {
        "contest": contest,
        "runner": runner,
        "current": current,
        "tables": round_tables(contest),
        "judges": contest.judges.order_by("username"),
        "winners": contest.entries.filter(won=True).select_related("topic").order_by("rank"),
        "to_score": to_score,
        "entry_form": bound.get("entry") or (forms.EntryForm() if entering else None),
        "can_start": runner and current is not None and current.status == RoundStatus.PENDING
        and contest.status == ContestStatus.OPEN,
        "can_close": runner and current is not None and current.status == RoundStatus.JUDGING,
    }, status=status)


@login_required
@require_GET
def contest(request: HttpRequest, pk: int) -> HttpResponse:
    return _contest_page(request, _contest(request.user, pk))


@login_required
@require_POST
def contest_enter(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = _contest(user, pk)
    form = forms.EntryForm(request.POST)
    if run_form(form, lambda d: actions.enter_contest(contest=obj, title=d["title"],
                                                  description=d["description"],
                                                  acting_user=user)):
        messages.success(request, _("已提交参赛提案"))
        return redirect("deliberation_staff:contest", pk=obj.pk)
    return _contest_page(request, obj, {"entry": form}, status=400)


@login_required
@require_POST
def contest_score(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    user = request.user
    obj = _contest(user, pk)
    entry = one_or_404(obj.entries.all(), entry_pk, _("未找到该提案"))
    form = forms.ScoreForm(request.POST, prefix=f"e{entry.pk}")
    if run_form(form, lambda d: actions.score_entry(entry=entry, points=d["points"],
                                                comment=d["comment"], acting_user=user)):
        messages.success(request, _("已评分：%(t)s") % {"t": entry.topic.title})
        return redirect("deliberation_staff:contest", pk=obj.pk)
    return _contest_page(request, obj, {("score", entry.pk): form}, status=400)


@login_required
@require_POST
def contest_start(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _contest(request.user, pk)
    run_step(request, _("本轮评审已开始，已通知评委"), actions.start_judging, contest=obj)
    return redirect("deliberation_staff:contest", pk=obj.pk)


@login_required
@require_POST
def contest_close(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _contest(request.user, pk)
    run_step(request, _("本轮评审已结束"), actions.close_round, contest=obj)
    return redirect("deliberation_staff:contest", pk=obj.pk)
