"""Staff console pages for polls (表决), consultations (征询) and resolutions (决议).

Every change is an action's; a page only parses, checks the scope and shows the action's
answer. Objects outside the user's RUN_COUNCILS scope answer 404; an action the user may not
take answers 403 (Django's handler for PermissionDenied). A secret poll's choices never
reach a page: only how many have voted.
"""

from fractions import Fraction
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas.models import AreaKind
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.deliberation import actions, forms_votes, selectors
from gongzhi.deliberation.actions.resolutions import may_approve
from gongzhi.deliberation.electorate import households_of
from gongzhi.deliberation.models import (
    Ballot,
    Consultation,
    ConsultationStatus,
    Poll,
    PollStatus,
    PollUnit,
    Resolution,
    ResolutionStatus,
)
from gongzhi.notices.models import ObjectionStatus

PAGE_SIZE = 50
CHOICE_LABELS = {"yes": gettext_lazy("同意"), "no": gettext_lazy("反对"),
                 "abstain": gettext_lazy("弃权")}


# --- shared -------------------------------------------------------------------------------------


def _require_runner(user) -> None:
    if not (user.is_superuser or scope_paths(user, Perm.RUN_COUNCILS)):
        raise PermissionDenied(_("您无权组织议事协商"))


def _page(request: HttpRequest, rows) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """An action's ValidationError next to the matching field, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        field = (rename or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)


def _run_step(request: HttpRequest, done: str, step, **kwargs) -> None:
    """A button without fields: the action's refusal becomes an error message."""
    try:
        step(acting_user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


def share(value) -> str:
    """A Fraction (or "n/d" text) as "n/d（xx.xx%）"; a dash when there is none."""
    if value in (None, ""):
        return "—"
    value = Fraction(value)
    return f"{value.numerator}/{value.denominator}（{float(value) * 100:.2f}%）"


def steps_of(steps) -> list[dict]:
    """tally steps (objects or their stored dicts) ready to print."""
    out = []
    for s in steps:
        s = s if isinstance(s, dict) else vars(s)
        sign = ">" if s["strict"] else "≥"
        out.append({"label": s["label"], "value": share(s["value"]), "met": s["met"],
                    "needed": f"{sign} {share(s['needed'])}" if s["needed"] else "—"})
    return out


def _count(model, **match) -> Subquery:
    rows = model.objects.filter(**match).order_by().values(*match).annotate(n=Count("pk"))
    return Subquery(rows.values("n")[:1], output_field=IntegerField())


def place(area) -> str:
    """Where, as a notice board says it: 幸福街道 活龙社区 铁路小区 1栋 (no city, no grids)."""
    skip = {AreaKind.CITY, AreaKind.DISTRICT}
    return " ".join(n.name for n in area.ancestors() if n.kind not in skip and not n.is_grid)


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
    _require_runner(request.user)
    filters = forms_votes.poll_filter(request.GET or None)
    rows = (selectors.staff_polls(request.user).select_related("area")
            .annotate(n_units=_count(PollUnit, poll=OuterRef("pk")),
                      n_ballots=_count(Ballot, poll=OuterRef("pk"))).order_by("-opens_at", "-id"))
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, "deliberation/staff/polls.html", {
        "filters": filters, "page": _page(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


def _staff_poll(request: HttpRequest, pk: int) -> Poll:
    poll = (selectors.staff_polls(request.user).select_related("area", "council", "topic")
            .filter(pk=pk).first())
    if poll is None:
        raise Http404(_("未找到该表决"))
    return poll


@login_required
@require_http_methods(["GET", "POST"])
def poll_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_runner(user)
    topic = None
    if topic_id := (request.POST.get("topic") or request.GET.get("topic") or "").strip():
        topic = selectors.topics_in_scope(user).filter(pk=topic_id if topic_id.isdigit()
                                                       else 0).first()
        if topic is None:
            raise Http404(_("未找到该议题"))
    if request.method == "POST":
        form = forms_votes.PollForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                poll = actions.create_poll(
                    title=d["title"], description=d["description"], area=d["area"],
                    electorate=d["electorate"], rule=d["rule"], matter=d["matter"],
                    secret=d["secret"], council=d["council"], topic=topic,
                    opens_at=d["opens_at"], closes_at=d["closes_at"],
                    options=form.option_labels(), acting_user=user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已创建表决草稿，请核对后开始表决"))
                return redirect("deliberation_staff:poll", pk=poll.pk)
    else:
        initial = {}
        if topic is not None:
            initial = {"title": topic.title, "description": topic.description,
                       "council": topic.council_id, "topic": topic.pk,
                       **_initial_area(topic.area)}
        form = forms_votes.PollForm(user=user, initial=initial)
    return render(request, "deliberation/staff/poll_new.html", {"form": form, "topic": topic},
                  status=400 if form.is_bound else 200)


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
    page = _page(request, units)
    totals = poll.units.aggregate(n=Count("pk"), area=Sum("area"))
    voted = poll.units.filter(ballot__isnull=False).aggregate(n=Count("pk"), area=Sum("area"))
    if ballot_form is None and poll.status == PollStatus.OPEN:
        ballot_form = forms_votes.BallotForm(poll=poll)
    outcome = poll.outcome or {}
    return {
        "poll": poll, "page": page, "rows": _unit_rows(poll, list(page.object_list)),
        "which": which, "extra": urlencode({"units": which}) if which else "",
        "options": list(poll.options.all()),
        "n_units": totals["n"], "n_voted": voted["n"], "area": totals["area"],
        "voted_area": voted["area"], "ballot_form": ballot_form,
        "outcome": outcome, "steps": steps_of(outcome.get("steps", [])),
        "plans": _plans(outcome), "place": place(poll.area),
        "result_url": f"/deliberation/polls/{poll.pk}/result/",
        "resolutions": list(poll.resolutions.order_by("-created_at")),
    }


@login_required
@require_GET
def poll(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    return render(request, "deliberation/staff/poll.html", _poll_context(request, poll))


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    _run_step(request, _("表决已开始，表决人名单已确定"), actions.open_poll, poll=poll)
    return redirect("deliberation_staff:poll", pk=poll.pk)


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    _run_step(request, _("表决已截止并完成计票"), actions.close_poll, poll=poll)
    return redirect("deliberation_staff:poll", pk=poll.pk)


@login_required
@require_POST
def poll_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _staff_poll(request, pk)
    form = forms_votes.BallotForm(request.POST, poll=poll)
    if form.is_valid():
        kwargs = form.action_kwargs()
        try:
            actions.enter_ballot(poll=poll, acting_user=request.user, **kwargs)
        except ValidationError as exc:
            _apply_errors(form, exc, {"option": "choice"})
        else:
            messages.success(request, _("已录入 %(unit)s 的表决票")
                             % {"unit": kwargs["unit"].label})
            return redirect(reverse("deliberation_staff:poll", kwargs={"pk": poll.pk})
                            + "#entry")
    return render(request, "deliberation/staff/poll.html",
                  _poll_context(request, poll, ballot_form=form), status=400)


# --- consultations ------------------------------------------------------------------------------


def _consultations(user) -> QuerySet[Consultation]:
    # TODO(lead): a selectors.staff_consultations(user) would be the place for this scope.
    return Consultation.objects.filter(scope_q(user, Perm.RUN_COUNCILS, "area_path"))


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    consultation = _consultations(request.user).select_related("area").filter(pk=pk).first()
    if consultation is None:
        raise Http404(_("未找到该征询"))
    return consultation


@login_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    _require_runner(request.user)
    filters = forms_votes.consultation_filter(request.GET or None)
    rows = _consultations(request.user).select_related("area").order_by("-opens_at", "-id")
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, "deliberation/staff/consultations.html", {
        "filters": filters, "page": _page(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_runner(user)
    if request.method == "POST":
        form = forms_votes.ConsultationForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                consultation = actions.create_consultation(
                    title=d["title"], description=d["description"], area=d["area"],
                    unit=d["unit"], matter=d["matter"], opens_at=d["opens_at"],
                    closes_at=d["closes_at"], acting_user=user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已发起征询"))
                return redirect("deliberation_staff:consultation", pk=consultation.pk)
    else:
        form = forms_votes.ConsultationForm(user=user)
    return render(request, "deliberation/staff/consultation_new.html", {"form": form},
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
    return render(request, "deliberation/staff/consultation.html",
                  _consultation_context(consultation))


@login_required
@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    form = _answer_form(consultation, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.enter_answer(consultation=consultation, household=d["household_obj"],
                                 answer=d["answer"], condition=d["condition"],
                                 record=d["record"], acting_user=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已录入 %(h)s 的意见") % {"h": str(d["household_obj"])})
            return redirect(reverse("deliberation_staff:consultation",
                                    kwargs={"pk": consultation.pk}) + "#entry")
    return render(request, "deliberation/staff/consultation.html",
                  _consultation_context(consultation, answer_form=form), status=400)


@login_required
@require_POST
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    _run_step(request, _("征询已结束"), actions.close_consultation, consultation=consultation)
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
    return render(request, "deliberation/staff/consultation_consent.html", {
        "consultation": consultation, "rows": rows, "summary": summary,
        "place": place(consultation.area), "totals": summary.totals, "answered_area": sum(
            (r["household"].floor_area or 0) for r in rows if r["answer"]),
        "total_area": sum((r["household"].floor_area or 0) for r in rows),
    })


# --- resolutions --------------------------------------------------------------------------------


@login_required
@require_GET
def resolutions(request: HttpRequest) -> HttpResponse:
    _require_runner(request.user)
    filters = forms_votes.resolution_filter(request.GET or None)
    rows = selectors.staff_resolutions(request.user).select_related("area").order_by(
        "-created_at", "-id")
    if status := filters.chosen():
        rows = rows.filter(status=status)
    return render(request, "deliberation/staff/resolutions.html", {
        "filters": filters, "page": _page(request, rows),
        "extra": urlencode({"status": status}) if status else ""})


def _source(request: HttpRequest) -> tuple[Poll | None, object | None, str]:
    """The poll or topic a new resolution comes from (?poll= / ?topic=), in scope."""
    user, poll, topic = request.user, None, None
    poll_id, topic_id = request.GET.get("poll", ""), request.GET.get("topic", "")
    if poll_id:
        poll = selectors.staff_polls(user).filter(pk=poll_id if poll_id.isdigit() else 0).first()
        if poll is None:
            raise Http404(_("未找到该表决"))
        return poll, None, f"poll={poll.pk}"
    if topic_id:
        topic = selectors.topics_in_scope(user).filter(
            pk=topic_id if topic_id.isdigit() else 0).first()
        if topic is None:
            raise Http404(_("未找到该议题"))
        return None, topic, f"topic={topic.pk}"
    return None, None, ""


@login_required
@require_http_methods(["GET", "POST"])
def resolution_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_runner(user)
    poll, topic, query = _source(request)
    needs_area = poll is None and topic is None
    if request.method == "POST":
        form = forms_votes.ResolutionForm(request.POST, user=user, needs_area=needs_area)
        if form.is_valid():
            d = form.cleaned_data
            try:
                resolution = actions.draft_resolution(
                    title=d["title"], body=d["body"], poll=poll, topic=topic,
                    area=d.get("area"), acting_user=user)
            except ValidationError as exc:
                _apply_errors(form, exc, {"text": "body"})
            else:
                messages.success(request, _("已拟定决议，请报上级审批"))
                return redirect("deliberation_staff:resolution", pk=resolution.pk)
    else:
        initial = {}
        if poll is not None:
            initial = {"title": poll.title, "body": _("经表决通过：%(t)s") % {"t": poll.title}}
        elif topic is not None:
            initial = {"title": topic.title, "body": topic.decision}
        form = forms_votes.ResolutionForm(user=user, needs_area=needs_area, initial=initial)
    return render(request, "deliberation/staff/resolution_new.html", {
        "form": form, "poll": poll, "topic": topic, "query": query},
        status=400 if form.is_bound else 200)


def _staff_resolution(request: HttpRequest, pk: int) -> Resolution:
    resolution = (selectors.staff_resolutions(request.user)
                  .select_related("area", "poll", "topic", "notice", "created_by", "decided_by")
                  .filter(pk=pk).first())
    if resolution is None:
        raise Http404(_("未找到该决议"))
    return resolution


def _may_approve(user, resolution: Resolution) -> bool:
    try:
        return may_approve(user, resolution)
    except ValidationError:  # no street above: nobody here approves
        return False


RESOLUTION_FORMS = {"decide": forms_votes.DecideForm, "publish": forms_votes.PublishForm,
                    "carry_out": forms_votes.CarryOutForm}


def _resolution_context(request: HttpRequest, resolution: Resolution) -> dict:
    S = ResolutionStatus
    wanted = {S.SUBMITTED: "decide", S.APPROVED: "publish", S.NOTICE: "carry_out"}.get(
        resolution.status)
    if wanted == "decide" and not _may_approve(request.user, resolution):
        wanted = None
    form = RESOLUTION_FORMS[wanted](prefix=wanted) if wanted else None
    notice = resolution.notice
    return {
        "resolution": resolution, "step": wanted, "form": form, "place": place(resolution.area),
        "can_submit": resolution.status in (S.DRAFT, S.REJECTED),
        "notice": notice,
        "open_objections": notice.objections.filter(status=ObjectionStatus.OPEN).count()
        if notice else 0,
        "notice_url": f"/notices/{notice.pk}/" if notice else "",
        "notice_manage_url": f"/notices/{notice.pk}/manage/" if notice else "",
    }


@login_required
@require_GET
def resolution(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = _staff_resolution(request, pk)
    return render(request, "deliberation/staff/resolution.html",
                  _resolution_context(request, resolution))


@login_required
@require_POST
def resolution_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    resolution = _staff_resolution(request, pk)
    user, here = request.user, redirect("deliberation_staff:resolution", pk=resolution.pk)
    if step == "submit":
        _run_step(request, _("已报上级审批"), actions.submit_resolution, resolution=resolution)
        return here
    if step not in RESOLUTION_FORMS:
        raise Http404(_("未知的操作"))
    form = RESOLUTION_FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if step == "decide":
                approve = d["decision"] == "approve"
                actions.decide_resolution(resolution=resolution, approve=approve,
                                          note=d["note"], acting_user=user)
                done = _("已批准") if approve else _("已不予批准")
            elif step == "publish":
                actions.publish_resolution(resolution=resolution, acting_user=user,
                                           period_days=d["period_days"])
                done = _("已发布公示")
            else:
                actions.carry_out_resolution(resolution=resolution, note=d["note"],
                                             acting_user=user)
                done = _("已记录实施情况")
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done)
            return here
    if step == "decide" and not _may_approve(user, resolution):
        raise PermissionDenied(_("只有上级（街道）可以审批该决议"))
    context = _resolution_context(request, resolution)
    context.update(step=step, form=form)
    return render(request, "deliberation/staff/resolution.html", context, status=400)
