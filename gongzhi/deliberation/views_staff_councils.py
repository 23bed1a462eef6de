"""Staff pages for councils, meetings and topics (议事协商 · 工作台); the contests are in
views_staff_contests.

Everything is scoped by Perm.RUN_COUNCILS: a council, meeting or topic outside the user's
scope answers 404 (its existence is not revealed); an action the user may not take answers
403. Forms post to their own URL, call one action and redirect; an action's ValidationError
is shown next to the field and nothing changes.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas import qr
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import ancestor_paths
from gongzhi.deliberation import actions, selectors
from gongzhi.deliberation import forms_councils as forms
from gongzhi.deliberation.models import (
    ContestStatus,
    Council,
    Meeting,
    MeetingStatus,
    Topic,
    TopicSource,
    TopicStatus,
)
from gongzhi.deliberation.views_staff_common import (
    PAGE_SIZE,
    T,
    one_or_404,
    require_runner_somewhere,
    run_form,
    run_step,
)


def _council(user, pk) -> Council:
    return one_or_404(selectors.staff_councils(user).select_related("area"), pk,
                      _("未找到该议事会"))


def _meeting(user, pk) -> Meeting:
    return one_or_404(selectors.staff_meetings(user).select_related("council__area"), pk,
                      _("未找到该会议"))


def _topic(user, pk) -> Topic:
    return one_or_404(selectors.topics_in_scope(user).select_related(
        "council", "area", "case", "proposer"), pk, _("未找到该议题"))


# --- home -------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    topics = selectors.topics_in_scope(user).select_related("council")
    return render(request, T + "home.html", {
        "councils": selectors.staff_councils(user).select_related("area").annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True)))[:PAGE_SIZE],
        "meetings": selectors.staff_meetings(user).filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now() - timedelta(hours=12),
        ).select_related("council").order_by("starts_at")[:20],
        "agenda_topics": topics.filter(status=TopicStatus.AGENDA)
        .order_by("-created_at")[:PAGE_SIZE],
        "proposals": topics.filter(status=TopicStatus.PROPOSED, source=TopicSource.PROPOSAL)
        .annotate(n_supports=Count("supports"))
        .order_by("-n_supports", "-created_at")[:PAGE_SIZE],
        "contests": selectors.staff_contests(user).filter(status=ContestStatus.OPEN)
        .select_related("council")[:20],
    })


# --- councils ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def council_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    if request.method == "POST":
        form = forms.CouncilForm(request.POST, user=user)
        made = []
        if run_form(form, lambda d: made.append(actions.create_council(
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
        "meetings": council.meetings.order_by("-starts_at")[:PAGE_SIZE],
        "topics": council.topics.annotate(n_supports=Count("supports"))
        .order_by("-created_at")[:PAGE_SIZE],
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
    if run_form(form, lambda d: actions.update_council(
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
    if run_form(form, lambda d: actions.add_member(
            council=obj, name=d["name"], capacity=d["capacity"], user=d["username"],
            organisation=d["organisation"], joined_on=d["joined_on"], acting_user=user)):
        messages.success(request, _("已添加成员"))
        return redirect("deliberation_staff:council", pk=obj.pk)
    return _council_page(request, obj, {"member": form}, status=400)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    obj = _council(request.user, pk)
    member = one_or_404(obj.members.all(), member_pk, _("未找到该成员"))
    form = forms.RemoveMemberForm(request.POST)
    left_on = form.cleaned_data["left_on"] if form.is_valid() else None
    run_step(request, _("%(name)s 已退出议事会") % {"name": member.name},
             actions.remove_member, member=member, left_on=left_on)
    return redirect("deliberation_staff:council", pk=obj.pk)


# --- meetings ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    chosen = request.GET.get("council")
    council_obj = _council(user, chosen) if chosen else None
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, user=user, council=council_obj)
        made = []
        if run_form(form, lambda d: made.append(actions.schedule_meeting(
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
    if run_form(form, lambda d: call(obj, form, d, user)):
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
        "supports": topic.supports.select_related("user").order_by("-created_at")[:PAGE_SIZE],
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
    if run_form(form, lambda d: actions.decide_topic(topic=obj, decision=d["decision"],
                                                 adopted=d["adopted"] != "0", acting_user=user)):
        messages.success(request, _("已记录议事决定"))
        return redirect("deliberation_staff:topic", pk=obj.pk)
    return _topic_page(request, obj, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_runner_somewhere(user)
    councils = forms.runnable_councils(user)
    if request.method == "POST":
        form = forms.TopicForm(request.POST, councils=councils)
        made = []
        if run_form(form, lambda d: made.append(actions.raise_topic(
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
    case = one_or_404(cases_visible_to(user).select_related("area"), case_pk, _("未找到该诉求件"))
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
            if run_form(form, lambda d: made.append(actions.raise_topic_from_case(
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
