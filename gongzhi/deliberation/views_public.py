"""Resident pages of deliberation, second half: councils, meetings and the QR sign-in,
resolutions with every step, proposal contests. Same rules as ``views_resident``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.cases.permissions import is_reporter, is_supporter
from gongzhi.core.permissions import Perm, can
from gongzhi.deliberation import actions
from gongzhi.deliberation.actions.contests import first_round, may_enter
from gongzhi.deliberation.forms_resident import EntryForm
from gongzhi.deliberation.models import (
    Attendance,
    Contest,
    ContestStatus,
    Council,
    CouncilMember,
    Meeting,
    MeetingStatus,
    PollStatus,
    Resolution,
    ResolutionStatus,
    RoundStatus,
    TopicStatus,
)
from gongzhi.deliberation.views_resident import add_errors, error_text, runs, visible
from gongzhi.notices.subjects import subject_link

T = "deliberation/resident/"
S = ResolutionStatus


def _seat(user, council: Council) -> CouncilMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CouncilMember.objects.filter(council=council, user=user,
                                        left_on__isnull=True).first()


# --- councils and meetings ------------------------------------------------------------------


@login_required
def council(request: HttpRequest, pk: int) -> HttpResponse:
    """Kind, area, term and members (names are public for a council); its meetings."""
    council = Council.objects.select_related("area").filter(pk=pk).first()
    if council is None:
        raise Http404(_("没有找到该议事会"))
    visible(request.user, council.area_path, also=_seat(request.user, council) is not None)
    now = timezone.now()
    meetings = council.meetings.all()
    upcoming = meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=now)
    return render(request, T + "council.html", {
        "council": council,
        "members": council.members.filter(left_on__isnull=True).select_related("organisation"),
        "upcoming": upcoming.order_by("starts_at"),
        "past": meetings.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at")[:20],
        "agenda_topics": council.topics.filter(status=TopicStatus.AGENDA)[:20],
        "contests": council.contests.all()[:5],
        "is_runner": runs(request.user, council.area_path),
    })


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Time, place, agenda with each topic's decision, minutes once held, attendance."""
    meeting = Meeting.objects.select_related("council").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("没有找到该会议"))
    seat = _seat(request.user, meeting.council)
    visible(request.user, meeting.council.area_path, also=seat is not None)
    return render(request, T + "meeting.html", {
        "meeting": meeting, "council": meeting.council,
        "agenda": meeting.agenda.select_related("topic"),
        "attendance": meeting.attendance.count(),
        "members": meeting.council.members.filter(left_on__isnull=True).count(),
        "seat": seat,
        "signed": seat is not None and meeting.attendance.filter(member=seat).exists(),
        "is_runner": runs(request.user, meeting.council.area_path),
    })


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """What the meeting's QR code opens: members sign in with one tap; others are told why
    there is nothing to do."""
    meeting = (Meeting.objects.select_related("council").filter(checkin_token=token).first()
               if token and len(token) <= 32 else None)
    if meeting is None:
        return render(request, T + "checkin.html", {"problem": _("签到码无效，请向会议工作人员"
                                                                  "核实。")}, status=404)
    seat = _seat(request.user, meeting.council)
    if request.method == "POST":
        try:
            actions.check_in(token=token, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("签到成功！"))
        return redirect("deliberation:checkin", token=token)
    attendance = Attendance.objects.filter(meeting=meeting, member=seat).first() if seat else None
    problem = ""
    if seat is None:
        problem = _("您不是%(council)s的成员，无需签到。") % {"council": meeting.council.name}
    elif meeting.status == MeetingStatus.CANCELLED:
        problem = _("会议已取消。")
    return render(request, T + "checkin.html", {
        "meeting": meeting, "seat": seat, "attendance": attendance, "problem": problem,
    }, status=403 if seat is None else 200)


# --- resolutions ----------------------------------------------------------------------------


def _steps(res: Resolution) -> list[dict]:
    """拟定 → 报批 → 批准/未批准 → 公示 → 已实施, each with its date once reached."""
    order = [S.DRAFT, S.SUBMITTED, S.APPROVED, S.NOTICE, S.CARRIED_OUT]
    reached = order.index(S.SUBMITTED if res.status == S.REJECTED else res.status)
    notice = res.notice if res.notice_id else None
    rejected = res.status == S.REJECTED
    steps = [
        {"label": _("拟定"), "when": res.created_at, "note": ""},
        {"label": _("报批"), "when": res.submitted_at, "note": ""},
        {"label": _("未批准") if rejected else _("批准"),
         "when": res.decided_at if rejected or reached >= 2 else None,
         "note": res.decision_note if rejected or reached >= 2 else ""},
        {"label": _("公示"), "when": notice.published_at if notice else None,
         "note": (_("公示期至 %(d)s") % {"d": timezone.localtime(notice.period_ends_at)
                                          .strftime("%Y-%m-%d %H:%M")})
         if notice and notice.period_ends_at else ""},
        {"label": _("已实施"), "when": res.carried_out_at, "note": res.carried_out_note},
    ]
    for i, step in enumerate(steps):
        step["done"] = i <= reached or (rejected and i == 2)
        step["current"] = i == (2 if rejected else reached)
        step["failed"] = rejected and i == 2
    return steps


def _case_link(user, case) -> str:
    if can(user, Perm.VIEW_CASES, case):
        return reverse("cases:detail", args=[case.pk])
    if is_reporter(user, case) or is_supporter(user, case):
        return reverse("cases_resident:case", args=[case.pk])
    return ""


@login_required
def resolution(request: HttpRequest, pk: int) -> HttpResponse:
    """A resolution and every step it went through; drafts only for the staff who run it."""
    res = (Resolution.objects.select_related("area", "poll", "topic__case", "notice")
           .filter(pk=pk).first())
    if res is None:
        raise Http404(_("没有找到该决议"))
    runner = runs(request.user, res.area_path)
    if res.status == S.DRAFT and not runner:
        raise Http404(_("没有找到该决议"))
    visible(request.user, res.area_path, also=runner)
    case = res.topic.case if res.topic_id and res.topic.case_id else None
    return render(request, T + "resolution.html", {
        "res": res, "steps": _steps(res),
        "result_url": reverse("deliberation:result", args=[res.poll_id])
        if res.poll_id and res.poll.status == PollStatus.CLOSED else "",
        "notice_url": f"/notices/{res.notice_id}/" if res.notice_id else "",
        "case": case, "case_url": _case_link(request.user, case) if case else "",
        "is_runner": runner, "subject": subject_link(res.subject),
    })


# --- contests -------------------------------------------------------------------------------


def _contest(request: HttpRequest, pk: int) -> Contest:
    contest = Contest.objects.select_related("council").filter(pk=pk).first()
    if contest is None:
        raise Http404(_("没有找到该大赛"))
    visible(request.user, contest.area_path)
    return contest


def _contest_page(request: HttpRequest, contest: Contest,
                  form: EntryForm | None = None) -> HttpResponse:
    first = first_round(contest)
    accepting = (contest.status == ContestStatus.OPEN and first is not None
                 and first.status == RoundStatus.PENDING)
    entries = list(contest.entries.select_related("topic", "reached")
                   .order_by(F("rank").asc(nulls_last=True), "id"))
    may = accepting and may_enter(request.user, contest)
    return render(request, T + "contest.html", {
        "contest": contest, "rounds": contest.rounds.all(), "entries": entries,
        "winners": [e for e in entries if e.won], "accepting": accepting,
        "form": (form or EntryForm()) if may else None,
        "is_runner": runs(request.user, contest.area_path),
    })


@login_required
def contest(request: HttpRequest, pk: int) -> HttpResponse:
    """Rounds, entries with their ranks, winners; residents of the area enter proposals."""
    return _contest_page(request, _contest(request, pk))


@login_required
@require_POST
def enter_contest(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            actions.enter_contest(contest=contest, title=form.cleaned_data["title"],
                                  description=form.cleaned_data["description"],
                                  acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            if not hasattr(exc, "error_dict"):  # closed, or not a resident: no form to fix
                messages.error(request, error_text(exc))
                return redirect("deliberation:contest", pk=contest.pk)
            add_errors(form, exc)
        else:
            messages.success(request, _("您的提案已提交参赛，谢谢您的金点子！"))
            return redirect("deliberation:contest", pk=contest.pk)
    return _contest_page(request, contest, form)
