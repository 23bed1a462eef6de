"""Staff console pages for activities (志愿活动) and duty rosters (值守排班).

An activity's page shows who signed up and who waits, the QR code volunteers scan at the
site, and the attendance form that credits hours (checked-in volunteers ticked by default;
confirming again credits nobody twice — the ledger's key sees to that). Rosters: the
recurring duties, generating their shifts, the uncovered-shift report and confirming who
served a past shift.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.areas import qr
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.volunteering import forms_staff as forms
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import activities as activity_actions
from gongzhi.volunteering.actions import rosters as roster_actions
from gongzhi.volunteering.models import (
    ActivityStatus,
    Shift,
    ShiftSignup,
    ShiftTemplate,
    SignupStatus,
    Volunteer,
)
from gongzhi.volunteering.views_staff_common import (
    PAGE_SIZE,
    T,
    page_of,
    require_manager_somewhere,
    run_form,
    run_step,
    scoped,
)

PAST_SHIFT_DAYS = 14  # past shifts listed for confirmation
UNCOVERED_DAYS = 14  # the uncovered-shift report's default window


# --- activities ------------------------------------------------------------------------------


@login_required
@require_GET
def activities(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    signed, waiting = (Count("signups", filter=Q(signups__status=s), distinct=True)
                       for s in (SignupStatus.SIGNED, SignupStatus.WAITING))
    rows = (selectors.managed_activities(request.user)
            .annotate(n_signed=signed, n_waiting=waiting).order_by("-starts_at", "-id"))
    return render(request, T + "activities.html", {"page": page_of(request, rows)})


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.ActivityForm(request.POST, user=user)
        made = []
        if run_form(form, lambda d: made.append(activity_actions.publish_activity(
                title=d["title"], description=d["description"], area=d["area"],
                team=d["team"], place=d["place"], starts_at=d["starts_at"],
                ends_at=d["ends_at"], capacity=d["capacity"], hours=d["hours"],
                acting_user=user))):
            messages.success(request, _("活动已发布，已通知志愿者"))
            return redirect("volunteering_staff:activity", pk=made[0].pk)
    else:
        form = forms.ActivityForm(user=user)
    return render(request, T + "activity_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _activity(request: HttpRequest, pk):
    return scoped(request.user, selectors.managed_activities(request.user),
                  _("未找到该活动"), pk)


def checkin_url(request: HttpRequest, activity) -> str:
    """What the activity's QR code opens: the volunteers' check-in page."""
    return request.build_absolute_uri(
        f"/volunteering/activities/checkin/{activity.checkin_token}/")


def _signed(activity):
    return (Volunteer.objects.filter(signups__activity=activity,
                                     signups__status=SignupStatus.SIGNED)
            .select_related("user").order_by("user__full_name", "id"))


def _activity_page(request: HttpRequest, activity, attendance=None, cancel=None,
                   status: int = 200) -> HttpResponse:
    signups = list(activity.signups.select_related("volunteer__user")
                   .exclude(status=SignupStatus.CANCELLED))
    started = activity.starts_at <= timezone.now()
    if attendance is None and started and activity.status != ActivityStatus.CANCELLED:
        checked_in = [s.volunteer_id for s in signups
                      if s.status == SignupStatus.SIGNED and s.checked_in_at]
        attendance = forms.AttendanceForm(signed=_signed(activity),
                                          initial={"present": checked_in})
    credited = set(activity_credits(activity))
    return render(request, T + "activity.html", {
        "activity": activity,
        "signed": [s for s in signups if s.status == SignupStatus.SIGNED],
        "waiting": [s for s in signups if s.status == SignupStatus.WAITING],
        "credited": credited, "checkin_url": checkin_url(request, activity),
        "attendance_form": attendance,
        "cancel_form": cancel or (forms.ReasonForm()
                                  if activity.status == ActivityStatus.PUBLISHED else None),
    }, status=status)


def activity_credits(activity) -> list[int]:
    """Volunteers already credited for the activity."""
    from gongzhi.volunteering.models import HoursEntry

    return list(HoursEntry.objects.filter(source_key=f"activity:{activity.pk}")
                .values_list("volunteer_id", flat=True))


@login_required
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_page(request, _activity(request, pk))


@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The check-in QR code, drawn on the server as SVG (sharp when printed)."""
    obj = _activity(request, pk)
    response = HttpResponse(qr.svg(checkin_url(request, obj)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _activity(request, pk)
    form = forms.AttendanceForm(request.POST, signed=_signed(obj))
    added = []
    if run_form(form, lambda d: added.extend(activity_actions.confirm_attendance(
            activity=obj, present=list(d["present"]), acting_user=request.user))):
        messages.success(request, _("已确认出勤，新记录 %(n)d 人的服务时长") % {"n": len(added)})
        return redirect("volunteering_staff:activity", pk=obj.pk)
    return _activity_page(request, obj, attendance=form, status=400)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _activity(request, pk)
    form = forms.ReasonForm(request.POST)
    if run_form(form, lambda d: activity_actions.cancel_activity(
            activity=obj, reason=d["reason"], acting_user=request.user)):
        messages.success(request, _("活动已取消，已通知报名的志愿者"))
        return redirect("volunteering_staff:activity", pk=obj.pk)
    return _activity_page(request, obj, cancel=form, status=400)


# --- rosters ---------------------------------------------------------------------------------


def _templates(user):
    return (ShiftTemplate.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))
            .select_related("area", "team"))


def _shifts(user):
    return (Shift.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "template__area_path"))
            .select_related("template"))


def _shift_signed(shift):
    return (Volunteer.objects.filter(shift_signups__shift=shift,
                                     shift_signups__status=SignupStatus.SIGNED)
            .select_related("user").order_by("user__full_name", "id"))


def _rosters_page(request: HttpRequest, generate=None, bound: dict | None = None,
                  status: int = 200) -> HttpResponse:
    user = request.user
    now = timezone.now()
    past = list(_shifts(user).filter(starts_at__lt=now,
                                     starts_at__gte=now - timedelta(days=PAST_SHIFT_DAYS))
                .order_by("-starts_at", "-id")[:PAGE_SIZE])
    bound = bound or {}
    signed: dict[int, list[int]] = {}
    for shift_id, volunteer_id in ShiftSignup.objects.filter(
            shift__in=past, status=SignupStatus.SIGNED).values_list("shift_id", "volunteer_id"):
        signed.setdefault(shift_id, []).append(volunteer_id)
    # Everyone signed is ticked: staff untick who did not come.
    shifts = [{"shift": s, "form": bound.get(s.pk) or (forms.ShiftConfirmForm(
        signed=_shift_signed(s), shift_id=s.pk, initial={"present": signed[s.pk]})
        if s.pk in signed else None)} for s in past]
    templates = _templates(user)
    listed = list(templates.order_by("area_path", "start_time", "title"))
    names = dict(forms.WEEKDAYS)
    for template in listed:
        template.days = "、".join(str(names[d]) for d in template.weekdays if d in names)
    return render(request, T + "rosters.html", {
        "templates": listed,
        "generate_form": generate or forms.GenerateForm(
            templates=templates.filter(is_active=True), initial={
                "start": timezone.localdate(),
                "end": timezone.localdate() + timedelta(days=13)}),
        "past": shifts,
    }, status=status)


@login_required
@require_GET
def rosters(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    return _rosters_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    if request.method == "POST":
        form = forms.ShiftTemplateForm(request.POST, user=user)
        if run_form(form, lambda d: roster_actions.create_shift_template(
                title=d["title"], area=d["area"], team=d["team"], place=d["place"],
                weekdays=d["weekdays"], start_time=d["start_time"], hours=d["hours"],
                slots=d["slots"], acting_user=user)):
            messages.success(request, _("已新建值守岗位，请生成班次"))
            return redirect("volunteering_staff:rosters")
    else:
        form = forms.ShiftTemplateForm(user=user, initial={"weekdays": list("0123456")})
    return render(request, T + "template_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def rosters_generate(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    form = forms.GenerateForm(request.POST, templates=_templates(user).filter(is_active=True))
    made = []
    if run_form(form, lambda d: made.append(roster_actions.generate_shifts(
            template=d["template"], start=d["start"], end=d["end"], acting_user=user))):
        messages.success(request, _("已生成 %(n)d 个班次") % {"n": made[0]})
        return redirect("volunteering_staff:rosters")
    return _rosters_page(request, generate=form, status=400)


@login_required
@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    template = scoped(request.user, _templates(request.user), _("未找到该值守岗位"), pk)
    run_step(request, _("值守岗位已停用，已排的班次保留"), roster_actions.retire_shift_template,
             template=template)
    return redirect("volunteering_staff:rosters")


@login_required
@require_POST
def shift_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shift = scoped(user, _shifts(user), _("未找到该班次"), pk)
    form = forms.ShiftConfirmForm(request.POST, signed=_shift_signed(shift), shift_id=shift.pk)
    added = []
    if run_form(form, lambda d: added.extend(roster_actions.confirm_shift(
            shift=shift, present=list(d["present"]), acting_user=user))):
        messages.success(request, _("已确认到岗，新记录 %(n)d 人的服务时长") % {"n": len(added)})
        return redirect("volunteering_staff:rosters")
    return _rosters_page(request, bound={shift.pk: form}, status=400)


@login_required
@require_GET
def uncovered(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    today = timezone.localdate()
    window = forms.WindowForm(request.GET or None)
    start, end = today, today + timedelta(days=UNCOVERED_DAYS - 1)
    if window.is_valid():
        start = window.cleaned_data["start"] or start
        end = window.cleaned_data["end"] or end
    if end < start:
        messages.error(request, _("结束日期不能早于开始日期"))
        end = start
    if (end - start).days > 92:  # a quarter at most: the report is a working list
        end = start + timedelta(days=92)
    rows = list(selectors.uncovered_shifts(user, start, end))
    for row in rows:
        row.missing = row.slots - row.signed_count
    if not window.is_bound:
        window = forms.WindowForm(initial={"start": start, "end": end})
    return render(request, T + "uncovered.html", {
        "window": window, "page": page_of(request, rows), "start": start, "end": end,
        "n_shifts": len(rows), "missing": sum(r.missing for r in rows),
        "extra": urlencode({"start": start.isoformat(), "end": end.isoformat()})})
