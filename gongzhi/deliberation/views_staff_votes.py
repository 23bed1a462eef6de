"""Staff console pages for polls (表决) and consultations (征询); the resolutions are in
views_staff_resolutions.

Every change is an action's; a page only parses, checks the scope and shows the action's
answer. Objects outside the user's RUN_COUNCILS scope answer 404; an action the user may not
take answers 403 (Django's handler for PermissionDenied). A secret poll's choices never
reach a page: only how many have voted.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas.models import AreaKind
from gongzhi.deliberation import actions, forms_votes, selectors
from gongzhi.deliberation.electorate import households_of
from gongzhi.deliberation.models import (
    Ballot,
    Consultation,
    ConsultationStatus,
    Poll,
    PollStatus,
    PollUnit,
)
from gongzhi.deliberation.views_staff_common import (
    T,
    one_or_404,
    page_of,
    place,
    require_runner_somewhere,
    run_form,
    run_step,
    steps_of,
)

CHOICE_LABELS = {"yes": gettext_lazy("同意"), "no": gettext_lazy("反对"),
                 "abstain": gettext_lazy("弃权")}


# --- shared -------------------------------------------------------------------------------------


def _count(model, **match) -> Subquery:
    rows = model.objects.filter(**match).order_by().values(*match).annotate(n=Count("pk"))
    return Subquery(rows.values("n")[:1], output_field=IntegerField())


def _plans(outcome: dict) -> list[dict]:
    """A choice among plans: each plan's count and steps (the first plan's are not all)."""
    return [{"id": p["id"], "label": p["label"], "yes_units": p["yes_units"],
             "passed": p["passed"], "steps": steps_of(p.get("steps", []))}
            for p in outcome.get("plans", [])]


def _initial_area(area) -> dict:
    return {"area_code": area.code} if area.kind == AreaKind.BUILDING else {"area": area.pk}


# --- polls ----------------------------------------------------------------------------------------


@login_required
@require_GET
def polls(request: HttpRequest) -> HttpResponse:
    require_runner_somewhere(request.user)
    filters = forms_votes.poll_filter(request.GET or None)
    rows = (selectors.staff_polls(request.user).select_related("area")
            .annotate(n_units=_count(PollUnit, poll=OuterRef("pk")),
                      n_ballots=_count(Ballot, poll=OuterRef("pk"))).order_by("-opens_at", "-id"))
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, T + "polls.html", {
        "filters": filters, "page": page_of(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


def _staff_poll(request: HttpRequest, pk: int) -> Poll:
    return one_or_404(selectors.staff_polls(request.user).select_related(
        "area", "council", "topic"), pk, _("未找到该表决"))


@login_required
@require_http_methods(["GET", "POST"])
def poll_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    topic = None
    if topic_id := (request.POST.get("topic") or request.GET.get("topic") or "").strip():
        topic = one_or_404(selectors.topics_in_scope(user), topic_id, _("未找到该议题"))
    if request.method == "POST":
        form = forms_votes.PollForm(request.POST, user=user)
        made = []
        if run_form(form, lambda d: made.append(actions.create_poll(
                title=d["title"], description=d["description"], area=d["area"],
                electorate=d["electorate"], rule=d["rule"], matter=d["matter"],
                secret=d["secret"], council=d["council"], topic=topic,
                opens_at=d["opens_at"], closes_at=d["closes_at"],
                options=form.option_labels(), acting_user=user))):
            messages.success(request, _("已创建表决草稿，请核对后开始表决"))
            return redirect("deliberation_staff:poll", pk=made[0].pk)
    else:
        initial = {}
        if topic is not None:
            initial = {"title": topic.title, "description": topic.description,
                       "council": topic.council_id, "topic": topic.pk,
                       **_initial_area(topic.area)}
        form = forms_votes.PollForm(user=user, initial=initial)
    return render(request, T + "poll_new.html", {"form": form, "topic": topic},
                  status=400 if form.is_bound else 200)


def square_metres(total) -> Decimal:
    """A sum of areas to the hundredth (SQLite's sum drifts into long decimals)."""
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _unit_rows(poll: Poll, units: list[PollUnit]) -> list[dict]:
    """Each unit with its ballot; the choice only where staff may see it (never if secret,
    and for an open vote only once counted)."""
    show = not poll.secret and poll.status == PollStatus.CLOSED
    rows = []
    for unit in units:
        ballot = getattr(unit, "ballot", None)  # a missing one raises an AttributeError
        choice = ""
        if ballot is not None and show:
            choice = ballot.option.label if ballot.option_id else str(CHOICE_LABELS.get(
                ballot.choice, ballot.choice))
        rows.append({"unit": unit, "ballot": ballot, "choice": choice})
    return rows


def _poll_context(request: HttpRequest, poll: Poll, ballot_form=None) -> dict:
    units = poll.units.select_related("ballot__entered_by", "ballot__option").order_by("id")
    which = request.GET.get("units", "")
    if which == "voted":
        units = units.filter(ballot__isnull=False)
    elif which == "unvoted":
        units = units.filter(ballot__isnull=True)
    page = page_of(request, units)
    totals = poll.units.aggregate(n=Count("pk"), area=Sum("area"))
    voted = poll.units.filter(ballot__isnull=False).aggregate(n=Count("pk"), area=Sum("area"))
    if ballot_form is None and poll.status == PollStatus.OPEN:
        ballot_form = forms_votes.BallotForm(poll=poll)
    outcome = poll.outcome or {}
    return {
        "poll": poll, "page": page, "rows": _unit_rows(poll, list(page.object_list)),
        "which": which, "extra": urlencode({"units": which}) if which else "",
        "options": list(poll.options.all()),
        "n_units": totals["n"], "n_voted": voted["n"], "area": square_metres(totals["area"]),
        "voted_area": square_metres(voted["area"]), "ballot_form": ballot_form,
        "outcome": outcome, "steps": steps_of(outcome.get("steps", [])),
        "plans": _plans(outcome), "place": place(poll.area),
        "result_url": f"/deliberation/polls/{poll.pk}/result/",
        # Online voting has stopped; paper ballots handed in on time may still be entered.
        "awaiting_count": poll.status == PollStatus.OPEN and poll.closes_at <= timezone.now(),
        "resolutions": list(poll.resolutions.order_by("-created_at")),
    }


@login_required
@require_GET
def poll(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    return render(request, T + "poll.html", _poll_context(request, poll))


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    run_step(request, _("表决已开始，表决人名单已确定"), actions.open_poll, poll=poll)
    return redirect("deliberation_staff:poll", pk=poll.pk)


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    run_step(request, _("表决已截止并完成计票"), actions.close_poll, poll=poll)
    return redirect("deliberation_staff:poll", pk=poll.pk)


@login_required
@require_POST
def poll_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    form = forms_votes.BallotForm(request.POST, poll=poll)
    if run_form(form, lambda d: actions.enter_ballot(
            poll=poll, acting_user=request.user, **form.action_kwargs()),
            rename={"option": "choice"}):
        unit = form.cleaned_data["unit_obj"]
        messages.success(request, _("已录入 %(unit)s 的表决票") % {"unit": unit.label})
        return redirect(reverse("deliberation_staff:poll", kwargs={"pk": poll.pk}) + "#entry")
    return render(request, T + "poll.html",
                  _poll_context(request, poll, ballot_form=form), status=400)


# --- consultations ------------------------------------------------------------------------------


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    return one_or_404(selectors.staff_consultations(request.user).select_related("area"), pk,
                      _("未找到该征询"))


@login_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    require_runner_somewhere(request.user)
    filters = forms_votes.consultation_filter(request.GET or None)
    rows = (selectors.staff_consultations(request.user).select_related("area")
            .order_by("-opens_at", "-id"))
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, T + "consultations.html", {
        "filters": filters, "page": page_of(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    if request.method == "POST":
        form = forms_votes.ConsultationForm(request.POST, user=user)
        made = []
        if run_form(form, lambda d: made.append(actions.create_consultation(
                title=d["title"], description=d["description"], area=d["area"],
                unit=d["unit"], matter=d["matter"], opens_at=d["opens_at"],
                closes_at=d["closes_at"], acting_user=user))):
            messages.success(request, _("已发起征询"))
            return redirect("deliberation_staff:consultation", pk=made[0].pk)
    else:
        form = forms_votes.ConsultationForm(user=user)
    return render(request, T + "consultation_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _answer_form(consultation: Consultation, data=None) -> forms_votes.AnswerForm:
    households = households_of(consultation)
    unanswered = (households.exclude(pk__in=consultation.answers.values("household_id"))
                  .select_related("building").order_by("area_path", "unit", "room")
                  [:forms_votes.PICK_LIMIT])
    return forms_votes.AnswerForm(data, households=households, unanswered=unanswered)


def _consultation_context(consultation: Consultation, answer_form=None) -> dict:
    summary = selectors.consultation_summary(consultation)
    if answer_form is None and consultation.status == ConsultationStatus.OPEN:
        answer_form = _answer_form(consultation)
    return {
        "consultation": consultation, "summary": summary, "totals": summary.totals,
        "place": place(consultation.area), "as_answered": summary.as_answered,
        "if_met": summary.if_conditions_met,
        "steps_answered": steps_of(summary.as_answered.steps()) if summary.as_answered else [],
        "steps_met": steps_of(summary.if_conditions_met.steps())
        if summary.if_conditions_met else [],
        "answer_form": answer_form,
        "recent": consultation.answers.select_related("household__building", "entered_by",
                                                      "answered_by").order_by("-answered_at")[:20],
    }


@login_required
@require_GET
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    return render(request, T + "consultation.html",
                  _consultation_context(consultation))


@login_required
@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    form = _answer_form(consultation, request.POST)
    if run_form(form, lambda d: actions.enter_answer(
            consultation=consultation, household=d["household_obj"], answer=d["answer"],
            condition=d["condition"], record=d["record"], acting_user=request.user)):
        household = form.cleaned_data["household_obj"]
        messages.success(request, _("已录入 %(h)s 的意见") % {"h": str(household)})
        return redirect(reverse("deliberation_staff:consultation",
                                kwargs={"pk": consultation.pk}) + "#entry")
    return render(request, T + "consultation.html",
                  _consultation_context(consultation, answer_form=form), status=400)


@login_required
@require_POST
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    run_step(request, _("征询已结束"), actions.close_consultation, consultation=consultation)
    return redirect("deliberation_staff:consultation", pk=consultation.pk)


@login_required
@require_GET
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    """征询意见汇总表: every household with its answer, for printing and signing."""
    consultation = _staff_consultation(request, pk)
    answers = {a.household_id: a for a in consultation.answers.select_related(
        "entered_by", "answered_by")}
    households = (households_of(consultation).select_related("building__parent")
                  .order_by("area_path", "unit", "floor", "room"))
    rows = [{"household": h, "answer": answers.get(h.pk)} for h in households]
    summary = selectors.consultation_summary(consultation)
    return render(request, T + "consultation_consent.html", {
        "consultation": consultation, "rows": rows, "summary": summary,
        "place": place(consultation.area), "totals": summary.totals, "answered_area": sum(
            (r["household"].floor_area or 0) for r in rows if r["answer"]),
        "total_area": sum((r["household"].floor_area or 0) for r in rows),
    })
