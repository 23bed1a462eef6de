"""Resident pages of deliberation (议事协商): my neighbourhood's home, topics and 附议, polls
and their results, consultations. Councils, meetings, resolutions and contests are in
``views_public``.

Everything works without JavaScript: plain forms, POST then redirect with a message. State
changes only through ``gongzhi.deliberation.actions``; their refusals are shown in Chinese
and change nothing. What a resident may not see is a 404, never a hint that it exists.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.permissions import Perm, can, scope_paths
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation.actions.consultations import may_answer_for
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.electorate import households_of, lives_in
from gongzhi.deliberation.forms_resident import AnswerForm, ProposeForm, VoteForm
from gongzhi.deliberation.models import (
    RULE_LABELS,
    Consultation,
    ConsultationStatus,
    Electorate,
    Poll,
    PollStatus,
    PollUnit,
    ResolutionStatus,
    Topic,
    TopicSource,
    TopicStatus,
)
from gongzhi.deliberation.outcome import outcome_dict
from gongzhi.deliberation.panels import open_poll_rows

T = "deliberation/resident/"
CHOICE_LABELS = {"yes": gettext_lazy("同意"), "no": gettext_lazy("反对"),
                 "abstain": gettext_lazy("弃权")}
# The steps' labels come from tally (which stays free of Django); marked here to translate.
STEP_LABELS = {
    "参与表决的专有部分面积占比": gettext_lazy("参与表决的专有部分面积占比"),
    "参与表决的人数占比": gettext_lazy("参与表决的人数占比"),
    "同意的面积占参与表决面积的比例": gettext_lazy("同意的面积占参与表决面积的比例"),
    "同意的人数占参与表决人数的比例": gettext_lazy("同意的人数占参与表决人数的比例"),
    "同意票多于反对票": gettext_lazy("同意票多于反对票"),
    "同意票占参与表决票数的比例": gettext_lazy("同意票占参与表决票数的比例"),
}
_SHARES = ("turnout_area", "turnout_owners", "approval_area", "approval_owners",
           "approval_units", "approval_cast", "quorum", "threshold")


# --- shared by both resident modules ------------------------------------------------------


def error_text(exc: Exception) -> str:
    """An action's refusal as one Chinese sentence."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


def add_errors(form, exc: Exception) -> None:
    """Put an action's refusal next to the field it names, or above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))


def visible(user, area_path: str, *, also: bool = False) -> None:
    """Residents living at or under ``area_path`` and staff who see it; others get 404."""
    if not (also or selectors.concerns(user, area_path)):
        raise Http404(_("没有找到该页面"))


def runs(user, area_path: str) -> bool:
    """Staff who run deliberation here see the 管理 link."""
    return can(user, Perm.RUN_COUNCILS, area_path)


@dataclass(frozen=True)
class Share:
    """An exact share shown twice: as a percentage (two decimals) and as the fraction."""

    value: Fraction

    @property
    def percent(self) -> str:
        exact = Decimal(self.value.numerator) * 100 / Decimal(self.value.denominator)
        return f"{exact.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"

    @property
    def fraction(self) -> str:
        return f"{self.value.numerator}/{self.value.denominator}"

    def __str__(self) -> str:
        return f"{self.percent}（{self.fraction}）"


def share(value) -> Share | None:
    if value is None or value == "":
        return None
    return Share(Fraction(value))


def figures(data: dict) -> dict:
    """A stored count (outcome.count_poll's JSON) ready to print."""
    fig = {k: v for k, v in data.items() if k not in ("split_owners", "steps", "plans")}
    for name in _SHARES:
        fig[name] = share(data.get(name))
    fig["split"] = data.get("split_owners") or 0
    fig["steps"] = [{"label": STEP_LABELS.get(s["label"], s["label"]),
                     "value": share(s["value"]), "needed": share(s["needed"]),
                     "strict": s["strict"], "met": s["met"]} for s in data.get("steps", [])]
    return fig


def _now_open(obj) -> bool:
    now = timezone.now()
    return obj.opens_at <= now <= obj.closes_at


# --- home ---------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My neighbourhood's deliberation: what I can take part in now, and what was decided."""
    user = request.user
    resident = getattr(user, "resident", None)
    household = resident.household if resident is not None else None
    consultations = []
    for c in selectors.consultations_near(user).filter(status=ConsultationStatus.OPEN)[:20]:
        in_scope = households_of(c).filter(pk=household.pk).exists()
        answer = c.answers.filter(household=household).first() if in_scope else None
        consultations.append({"c": c, "in_scope": in_scope, "answer": answer,
                              "may_answer": in_scope and may_answer_for(user, household)})
    return render(request, T + "home.html", {
        "resident": resident,
        "poll_rows": open_poll_rows(user),
        "counted": selectors.resident_polls(user).filter(status=PollStatus.CLOSED)[:5],
        "topics": selectors.resident_topics(user).filter(status=TopicStatus.PROPOSED)[:20],
        "consultations": consultations,
        "consulted": selectors.consultations_near(user).filter(
            status=ConsultationStatus.CLOSED).order_by("-closes_at")[:5],
        "decided": selectors.resident_topics(user).filter(
            status__in=(TopicStatus.DECIDED, TopicStatus.DECLINED)).order_by("-decided_at")[:5],
        "resolutions": selectors.resident_resolutions(user)[:10],
        "contests": selectors.resident_contests(user)[:5],
        "councils": selectors.councils_near(user),
        "is_runner": bool(user.is_superuser or scope_paths(user, Perm.RUN_COUNCILS)),
    })


# --- topics ---------------------------------------------------------------------------------


def _topic(request: HttpRequest, pk: int) -> Topic:
    topic = Topic.objects.select_related("council", "area", "case").filter(pk=pk).first()
    if topic is None:
        raise Http404(_("没有找到该议题"))
    # Whoever may support it (residents of the council's area) may read it.
    visible(request.user, topic.council.area_path)
    return topic


@login_required
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic(request, pk)
    user = request.user
    runner = runs(user, topic.area_path)
    supported = topic.supports.filter(user=user).exists()
    gathering = (topic.source == TopicSource.PROPOSAL
                 and topic.status in (TopicStatus.PROPOSED, TopicStatus.AGENDA))
    may_support = (gathering and not supported and topic.proposer_id != user.pk
                   and lives_in(user, topic.council.area_path))
    resolutions = topic.resolutions.all()
    if not runner:
        resolutions = resolutions.exclude(status=ResolutionStatus.DRAFT)
    return render(request, T + "topic.html", {
        "topic": topic, "supports": topic.supports.count(),
        "threshold": topic.council.support_threshold, "supported": supported,
        "gathering": gathering, "may_support": may_support,
        "is_proposer": topic.proposer_id == user.pk,
        "resolutions": resolutions, "polls": topic.polls.exclude(status=PollStatus.DRAFT),
        "agenda": topic.agenda_items.select_related("meeting"), "is_runner": runner,
    })


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """附议: once per resident; the action refuses a second time and says why."""
    topic = _topic(request, pk)
    try:
        actions.support_topic(topic=topic, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已附议，谢谢您的支持！"))
    return redirect("deliberation:topic", pk=topic.pk)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """提议: a topic for a council serving my home; neighbours' supports put it on the agenda."""
    councils = selectors.councils_near(request.user)
    form = ProposeForm(request.POST or None, councils=councils,
                       initial={"council": councils.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = actions.propose_topic(council=data["council"], title=data["title"],
                                          description=data["description"],
                                          acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("提议已提交。满 %(n)d 位居民附议后列入议事会议程。")
                             % {"n": topic.council.support_threshold})
            return redirect("deliberation:topic", pk=topic.pk)
    return render(request, T + "propose.html", {"form": form, "councils": councils})


# --- polls ----------------------------------------------------------------------------------


def _poll(request: HttpRequest, pk: int) -> Poll:
    poll = (Poll.objects.select_related("area", "council", "topic")
            .filter(pk=pk).exclude(status=PollStatus.DRAFT).first())
    if poll is None:
        raise Http404(_("没有找到该表决"))
    visible(request.user, poll.area_path,
            also=units_of(request.user, poll).exists())
    return poll


def _ballot_label(ballot) -> str:
    if ballot.option_id:
        return ballot.option.label
    return str(CHOICE_LABELS.get(ballot.choice, ballot.choice))


@login_required
def poll(request: HttpRequest, pk: int) -> HttpResponse:
    """The question, its rule in words, and a ballot for each unit I may vote for."""
    poll = _poll(request, pk)
    is_open = poll.status == PollStatus.OPEN and _now_open(poll)
    units = (units_of(request.user, poll)
             .select_related("ballot__option").order_by("label"))
    rows = []
    for unit in units:
        ballot = getattr(unit, "ballot", None)  # the reverse one-to-one, or None
        rows.append({
            "unit": unit, "voted": ballot is not None,
            # A secret ballot's choice is shown to nobody, not even the voter.
            "choice": _ballot_label(ballot) if ballot is not None and not poll.secret else "",
            "form": VoteForm(poll=poll, initial={"unit": unit.pk},
                             auto_id=f"id_u{unit.pk}_%s") if ballot is None and is_open
            else None,
        })
    return render(request, T + "poll.html", {
        "poll": poll, "rule_label": RULE_LABELS.get(poll.rule, poll.rule),
        "options": poll.options.all(), "is_open": is_open, "rows": rows,
        "for_households": poll.electorate == Electorate.HOUSEHOLDS,
        "is_runner": runs(request.user, poll.area_path),
    })


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """One ballot for one unit; a second is refused by the action (and the database)."""
    poll = _poll(request, pk)
    form = VoteForm(request.POST, poll=poll)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("deliberation:poll", pk=poll.pk)
    unit = PollUnit.objects.filter(poll=poll, pk=form.cleaned_data["unit"]).first()
    if unit is None:
        messages.error(request, _("该户不在本次表决范围内"))
        return redirect("deliberation:poll", pk=poll.pk)
    choice, option_id = form.ballot()
    try:
        actions.cast_ballot(poll=poll, unit=unit, choice=choice, option_id=option_id,
                            acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(unit)s 的表决票已提交，谢谢参与！") % {"unit": unit.label})
    return redirect("deliberation:poll", pk=poll.pk)


@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """The count as stored when the poll closed, step by step; never who voted what."""
    poll = _poll(request, pk)
    if poll.status != PollStatus.CLOSED or not poll.outcome:
        raise Http404(_("表决尚未计票"))
    out = poll.outcome
    plans = []
    for plan in out.get("plans") or []:
        plans.append({"id": plan["id"], "label": plan["label"], "fig": figures(plan),
                      "adopted": plan["id"] == out.get("adopted")})
    return render(request, T + "result.html", {
        "poll": poll, "rule_label": RULE_LABELS.get(poll.rule, poll.rule),
        "fig": figures(out), "passed": out.get("passed"), "plans": plans,
        "adopted": next((p for p in plans if p["adopted"]), None),
        "for_households": poll.electorate == Electorate.HOUSEHOLDS,
        "is_runner": runs(request.user, poll.area_path),
    })


# --- consultations ------------------------------------------------------------------------


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    consultation = Consultation.objects.select_related("area").filter(pk=pk).first()
    if consultation is None:
        raise Http404(_("没有找到该征询"))
    visible(request.user, consultation.area_path)
    return consultation


def _my_household(user, consultation: Consultation):
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    household = resident.household
    return household if households_of(consultation).filter(pk=household.pk).exists() else None


def _consultation_page(request: HttpRequest, consultation: Consultation,
                       form: AnswerForm | None = None) -> HttpResponse:
    user = request.user
    household = _my_household(user, consultation)
    answer = consultation.answers.filter(household=household).first() if household else None
    may_answer = household is not None and may_answer_for(user, household)
    is_open = consultation.status == ConsultationStatus.OPEN and _now_open(consultation)
    summary = None
    if consultation.status == ConsultationStatus.CLOSED:
        summary = selectors.consultation_summary(consultation)
    return render(request, T + "consultation.html", {
        "c": consultation, "household": household, "answer": answer,
        "may_answer": may_answer, "is_open": is_open,
        "form": (form or AnswerForm()) if may_answer and answer is None and is_open else None,
        "summary": summary, "totals": summary.totals if summary else None,
        "as_answered": figures(outcome_dict(summary.as_answered))
        if summary and summary.as_answered else None,
        "if_met": figures(outcome_dict(summary.if_conditions_met))
        if summary and summary.if_conditions_met else None,
        "is_runner": runs(user, consultation.area_path),
    })


@login_required
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_page(request, _consultation(request, pk))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The head of an owner household answers for it, once."""
    consultation = _consultation(request, pk)
    form = AnswerForm(request.POST)
    household = _my_household(request.user, consultation)
    if household is None:
        messages.error(request, _("您家不在本次征询范围内"))
        return redirect("deliberation:consultation", pk=consultation.pk)
    if form.is_valid():
        try:
            actions.answer_consultation(consultation=consultation, household=household,
                                        answer=form.cleaned_data["answer"],
                                        condition=form.cleaned_data["condition"],
                                        acting_user=request.user)
        except ValidationError as exc:
            if set(getattr(exc, "error_dict", {})) - {"answer", "condition"} or \
                    not hasattr(exc, "error_dict"):
                # Not about what was typed (answered already, closed): the form is gone.
                messages.error(request, error_text(exc))
                return redirect("deliberation:consultation", pk=consultation.pk)
            add_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            return redirect("deliberation:consultation", pk=consultation.pk)
        else:
            messages.success(request, _("您家的意见已提交，谢谢！"))
            return redirect("deliberation:consultation", pk=consultation.pk)
    return _consultation_page(request, consultation, form)

