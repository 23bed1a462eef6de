"""Staff pages for councils, meetings, topics and proposal contests (议事协商 · 工作台).

Everything is scoped by Perm.RUN_COUNCILS: a council, meeting, topic or contest outside the
user's scope answers 404 (its existence is not revealed); an action the user may not take
answers 403. Forms post to their own URL, call one action and redirect; an action's
ValidationError is shown next to the field and nothing changes.
"""

from collections import defaultdict
from datetime import timedelta
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas import qr
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.core.permissions import Perm, can, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation import forms_councils as forms
from gongzhi.deliberation.actions.contests import current_round, may_enter
from gongzhi.deliberation.models import (
    Contest,
    ContestStatus,
    Council,
    Meeting,
    MeetingStatus,
    RoundStatus,
    Score,
    Topic,
    TopicSource,
    TopicStatus,
)

T = "deliberation/staff/"
LIST = 50


# --- scope ------------------------------------------------------------------------------------


def _runner_only(user) -> None:
    if not (user.is_superuser or scope_paths(user, Perm.RUN_COUNCILS)):
        raise PermissionDenied(_("您无权组织议事协商"))


def _councils(user) -> QuerySet[Council]:
    return Council.objects.filter(scope_q(user, Perm.RUN_COUNCILS, "area_path"))


def _meetings(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(scope_q(user, Perm.RUN_COUNCILS, "council__area_path"))


def _contests(user) -> QuerySet[Contest]:
    """Contests in scope, and those the user judges (a judge need not run councils)."""
    q = scope_q(user, Perm.RUN_COUNCILS, "area_path")
    if not q:  # a superuser: everything (an empty Q would drop out of the OR below)
        return Contest.objects.all()
    judged = Contest.objects.filter(judges=user).values("pk")
    return Contest.objects.filter(q | Q(pk__in=judged))


def _one(qs: QuerySet, pk, message: str):
    obj = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404(message)
    return obj


def _council(user, pk) -> Council:
    return _one(_councils(user).select_related("area"), pk, _("未找到该议事会"))


def _meeting(user, pk) -> Meeting:
    return _one(_meetings(user).select_related("council__area"), pk, _("未找到该会议"))


def _topic(user, pk) -> Topic:
    return _one(selectors.topics_in_scope(user).select_related("council", "area", "case",
                                                               "proposer"),
                pk, _("未找到该议题"))


def _contest(user, pk) -> Contest:
    return _one(_contests(user).select_related("council"), pk, _("未找到该提案大赛"))


def _apply_errors(form, exc: ValidationError) -> None:
    """An action's ValidationError next to the matching field, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _run(form, call) -> bool:
    """Call the action if the form is valid; its ValidationError becomes form errors."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    return True


def _first_url(*names: str) -> str:
    """The first of the polls / consultations / resolutions pages that exists (those pages
    are built separately; until then the link is left out)."""
    for name in names:
        try:
            return reverse(f"deliberation_staff:{name}")
        except NoReverseMatch:
            continue
    return ""


# --- home -------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    _runner_only(user)
    topics = selectors.topics_in_scope(user).select_related("council")
    return render(request, T + "home.html", {
        "councils": _councils(user).select_related("area").annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True)))[:LIST],
        "meetings": _meetings(user).filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now() - timedelta(hours=12),
        ).select_related("council").order_by("starts_at")[:20],
        "agenda_topics": topics.filter(status=TopicStatus.AGENDA).order_by("-created_at")[:LIST],
        "proposals": topics.filter(status=TopicStatus.PROPOSED, source=TopicSource.PROPOSAL)
        .annotate(n_supports=Count("supports")).order_by("-n_supports", "-created_at")[:LIST],
        "contests": _contests(user).filter(status=ContestStatus.OPEN)
        .select_related("council")[:20],
        "links": [(label, url) for label, url in [
            (_("表决"), _first_url("polls", "poll_list", "poll_new")),
            (_("意见征询"), _first_url("consultations", "consultation_list",
                                      "consultation_new")),
            (_("决议"), _first_url("resolutions", "resolution_list")),
        ] if url],
    })


# --- councils ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def council_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _runner_only(user)
    if request.method == "POST":
        form = forms.CouncilForm(request.POST, user=user)
        made = []
        if _run(form, lambda d: made.append(actions.create_council(
                kind=d["kind"], name=d["name"], area=d["area"], term_start=d["term_start"],
                term_end=d["term_end"], support_threshold=d["support_threshold"],
                acting_user=user))):
            messages.success(request, _("已新建议事会"))
            return redirect("deliberation_staff:council", pk=made[0].pk)
    else:
        form = forms.CouncilForm(user=user, initial={"term_start": timezone.localdate()})
    return render(request, T + "council_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _council_page(request: HttpRequest, council: Council, bound: dict | None = None,
                  status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    members = list(council.members.select_related("user", "organisation")
                   .order_by("left_on", "capacity", "name"))
    edit = bound.get("edit") or forms.CouncilEditForm(initial={
        "name": council.name, "support_threshold": council.support_threshold,
        "term_end": council.term_end, "is_active": council.is_active})
    meeting = None
    if council.is_active:
        meeting = bound.get("meeting") or forms.MeetingForm(user=user, council=council)
    return render(request, T + "council.html", {
        "council": council,
        "members": [m for m in members if m.left_on is None],
        "former": [m for m in members if m.left_on is not None],
        "meetings": council.meetings.order_by("-starts_at")[:LIST],
        "topics": council.topics.annotate(n_supports=Count("supports"))
        .order_by("-created_at")[:LIST],
        "contests": council.contests.all()[:20],
        "edit_form": edit,
        "member_form": bound.get("member") or forms.MemberForm(council=council),
        "meeting_form": meeting,
        "meeting_action": reverse("deliberation_staff:meeting_new") + f"?council={council.pk}",
    }, status=status)


@login_required
@require_GET
def council(request: HttpRequest, pk: int) -> HttpResponse:
    return _council_page(request, _council(request.user, pk))


@login_required
@require_POST
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = _council(user, pk)
    form = forms.CouncilEditForm(request.POST)
    if _run(form, lambda d: actions.update_council(
            council=obj, name=d["name"], support_threshold=d["support_threshold"],
            term_end=d["term_end"], is_active=d["is_active"], acting_user=user)):
        messages.success(request, _("已保存议事会信息"))
        return redirect("deliberation_staff:council", pk=obj.pk)
    return _council_page(request, obj, {"edit": form}, status=400)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = _council(user, pk)
    form = forms.MemberForm(request.POST, council=obj)
    if _run(form, lambda d: actions.add_member(
            council=obj, name=d["name"], capacity=d["capacity"], user=d["username"],
            organisation=d["organisation"], joined_on=d["joined_on"], acting_user=user)):
        messages.success(request, _("已添加成员"))
        return redirect("deliberation_staff:council", pk=obj.pk)
    return _council_page(request, obj, {"member": form}, status=400)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    obj = _council(user, pk)
    member = _one(obj.members.all(), member_pk, _("未找到该成员"))
    form = forms.RemoveMemberForm(request.POST)
    left_on = form.cleaned_data["left_on"] if form.is_valid() else None
    try:
        actions.remove_member(member=member, left_on=left_on, acting_user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s 已退出议事会") % {"name": member.name})
    return redirect("deliberation_staff:council", pk=obj.pk)


# --- meetings ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _runner_only(user)
    chosen = request.GET.get("council")
    council_obj = _council(user, chosen) if chosen else None
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, user=user, council=council_obj)
        made = []
        if _run(form, lambda d: made.append(actions.schedule_meeting(
                council=d["council"], title=d["title"], starts_at=d["starts_at"],
                place=d["place"], recurring_monthly=d["recurring_monthly"],
                topics=list(d["topics"]), acting_user=user))):
            messages.success(request, _("已安排会议，已通知议事会成员"))
            return redirect("deliberation_staff:meeting", pk=made[0].pk)
    else:
        form = forms.MeetingForm(user=user, council=council_obj)
    return render(request, T + "meeting_new.html", {"form": form, "council": council_obj},
                  status=400 if form.is_bound else 200)


def checkin_url(request: HttpRequest, meeting: Meeting) -> str:
    """What the meeting's QR code opens: the members' sign-in page."""
    return request.build_absolute_uri(f"/deliberation/checkin/{meeting.checkin_token}/")


def _meeting_page(request: HttpRequest, meeting: Meeting, bound: dict | None = None,
                  status: int = 200) -> HttpResponse:
    bound = bound or {}
    agenda = list(meeting.agenda.select_related("topic"))
    attendance = list(meeting.attendance.select_related("member", "recorded_by")
                      .order_by("checked_in_at"))
    present = {a.member_id for a in attendance}
    members = meeting.council.members.filter(left_on__isnull=True).exclude(pk__in=present)
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    cancelled = meeting.status == MeetingStatus.CANCELLED
    open_topics = [item.topic for item in agenda if item.topic.status == TopicStatus.AGENDA]
    candidates = meeting.council.topics.filter(status=TopicStatus.AGENDA).exclude(
        pk__in=[item.topic_id for item in agenda])
    return render(request, T + "meeting.html", {
        "meeting": meeting,
        "agenda": agenda,
        "attendance": attendance,
        "n_members": meeting.council.members.filter(left_on__isnull=True).count(),
        "checkin_url": checkin_url(request, meeting),
        # A form that came back with errors is shown whatever the meeting's state.
        "agenda_form": bound.get("agenda") or (
            forms.AgendaForm(topics=candidates) if scheduled else None),
        "attendance_form": bound.get("attendance") or (
            forms.AttendanceForm(members=members)
            if not cancelled and members.exists() else None),
        "minutes_form": bound.get("minutes") or (forms.MinutesForm(
            topics=open_topics, initial={"minutes": meeting.minutes})
            if not cancelled else None),
        "cancel_form": bound.get("cancel") or (forms.ReasonForm() if scheduled else None),
    }, status=status)


@login_required
@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request.user, pk))


@login_required
@require_GET
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in QR code, drawn on the server as SVG (sharp when printed or projected)."""
    obj = _meeting(request.user, pk)
    response = HttpResponse(qr.svg(checkin_url(request, obj)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def _meeting_post(request: HttpRequest, pk: int, name: str, make, call,
                  done: str) -> HttpResponse:
    """One of the meeting page's forms: run its action, or show the page with its errors."""
    user = request.user
    obj = _meeting(user, pk)
    form = make(obj)
    if _run(form, lambda d: call(obj, form, d, user)):
        messages.success(request, done)
        return redirect("deliberation_staff:meeting", pk=obj.pk)
    return _meeting_page(request, obj, {name: form}, status=400)


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_post(
        request, pk, "agenda",
        lambda m: forms.AgendaForm(request.POST, topics=m.council.topics.all()),
        lambda m, f, d, u: actions.add_to_agenda(meeting=m, topic=d["topic"], acting_user=u),
        _("已列入议程"))


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_post(
        request, pk, "attendance",
        lambda m: forms.AttendanceForm(request.POST, members=m.council.members.all()),
        lambda m, f, d, u: actions.record_attendance(meeting=m, members=list(d["members"]),
                                                     acting_user=u),
        _("已登记签到"))


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    def make(m: Meeting) -> forms.MinutesForm:
        topics = [i.topic for i in m.agenda.select_related("topic")
                  if i.topic.status == TopicStatus.AGENDA]
        return forms.MinutesForm(request.POST, topics=topics)

    return _meeting_post(
        request, pk, "minutes", make,
        lambda m, f, d, u: actions.record_minutes(meeting=m, minutes=d["minutes"],
                                                  decisions=f.decisions(), acting_user=u),
        _("已保存会议纪要"))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_post(
        request, pk, "cancel", lambda m: forms.ReasonForm(request.POST),
        lambda m, f, d, u: actions.cancel_meeting(meeting=m, reason=d["reason"], acting_user=u),
        _("会议已取消，已通知议事会成员"))


# --- topics -----------------------------------------------------------------------------------


def _topic_page(request: HttpRequest, topic: Topic, form=None, status: int = 200
                ) -> HttpResponse:
    undecided = topic.status in (TopicStatus.PROPOSED, TopicStatus.AGENDA)
    return render(request, T + "topic.html", {
        "topic": topic,
        "n_supports": topic.supports.count(),
        "supports": topic.supports.select_related("user").order_by("-created_at")[:LIST],
        "agenda_items": topic.agenda_items.select_related("meeting").order_by(
            "-meeting__starts_at"),
        "council_visible": can(request.user, Perm.RUN_COUNCILS, topic.council.area_path),
        "decide_form": form or (forms.DecideForm() if undecided else None),
    }, status=status)


@login_required
@require_GET
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_page(request, _topic(request.user, pk))


@login_required
@require_POST
def topic_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = _topic(user, pk)
    form = forms.DecideForm(request.POST)
    if _run(form, lambda d: actions.decide_topic(topic=obj, decision=d["decision"],
                                                 adopted=d["adopted"] != "0", acting_user=user)):
        messages.success(request, _("已记录议事决定"))
        return redirect("deliberation_staff:topic", pk=obj.pk)
    return _topic_page(request, obj, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _runner_only(user)
    councils = forms.runnable_councils(user)
    if request.method == "POST":
        form = forms.TopicForm(request.POST, councils=councils)
        made = []
        if _run(form, lambda d: made.append(actions.raise_topic(
                council=d["council"], title=d["title"], description=d["description"],
                acting_user=user))):
            messages.success(request, _("已提出议题，列入议程"))
            return redirect("deliberation_staff:topic", pk=made[0].pk)
    else:
        form = forms.TopicForm(councils=councils, initial={"council": request.GET.get("council")})
    return render(request, T + "topic_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def raise_from_case(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A case that needs the neighbours to decide goes to a council serving its area."""
    user = request.user
    case = _one(cases_visible_to(user).select_related("area"), case_pk, _("未找到该诉求件"))
    if not can(user, Perm.RUN_COUNCILS, case.area_path):
        raise PermissionDenied(_("您无权组织该区域的议事协商"))
    councils = forms.runnable_councils(user).filter(
        area_path__in=ancestor_paths(case.area_path)).order_by("-area_path", "name")
    existing = Topic.objects.filter(case=case).exclude(status=TopicStatus.DECLINED).first()
    form = None
    if existing is None and councils.exists():
        if request.method == "POST":
            form = forms.RaiseFromCaseForm(request.POST, councils=councils)
            made = []
            if _run(form, lambda d: made.append(actions.raise_topic_from_case(
                    case=case, council=d["council"], title=d["title"],
                    description=d["description"], acting_user=user))):
                messages.success(request, _("已提交议事协商"))
                return redirect("deliberation_staff:topic", pk=made[0].pk)
        else:
            form = forms.RaiseFromCaseForm(councils=councils, initial={
                "title": case.title, "description": case.description})
    return render(request, T + "topic_from_case.html", {
        "case": case, "form": form, "existing": existing,
    }, status=400 if form is not None and form.is_bound else 200)


# --- contests ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contest_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _runner_only(user)
    councils = forms.runnable_councils(user)
    if request.method == "POST":
        form = forms.ContestForm(request.POST, councils=councils)
        made = []
        if _run(form, lambda d: made.append(actions.create_contest(
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
    if _run(form, lambda d: actions.enter_contest(contest=obj, title=d["title"],
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
    entry = _one(obj.entries.all(), entry_pk, _("未找到该提案"))
    form = forms.ScoreForm(request.POST, prefix=f"e{entry.pk}")
    if _run(form, lambda d: actions.score_entry(entry=entry, points=d["points"],
                                                comment=d["comment"], acting_user=user)):
        messages.success(request, _("已评分：%(t)s") % {"t": entry.topic.title})
        return redirect("deliberation_staff:contest", pk=obj.pk)
    return _contest_page(request, obj, {("score", entry.pk): form}, status=400)


def _contest_step(request: HttpRequest, pk: int, call, done: str) -> HttpResponse:
    """A button on the contest page (start judging, close the round)."""
    user = request.user
    obj = _contest(user, pk)
    try:
        call(obj, user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("deliberation_staff:contest", pk=obj.pk)


@login_required
@require_POST
def contest_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _contest_step(request, pk, lambda c, u: actions.start_judging(contest=c,
                                                                          acting_user=u),
                         _("本轮评审已开始，已通知评委"))


@login_required
@require_POST
def contest_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _contest_step(request, pk, lambda c, u: actions.close_round(contest=c,
                                                                        acting_user=u),
                         _("本轮评审已结束"))
