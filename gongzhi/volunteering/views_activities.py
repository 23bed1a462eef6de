"""A volunteer's activities (报名、候补、扫码签到签退) and duty shifts (值守报名、换班).

Plain forms, POST then redirect with a Chinese message; the actions decide and refuse.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.models import Membership
from gongzhi.core.permissions import Perm, can
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import activities as act
from gongzhi.volunteering.actions import rosters
from gongzhi.volunteering.forms_me import SwapForm
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    Shift,
    ShiftSignup,
    ShiftSwap,
    SignupStatus,
    SwapStatus,
    Volunteer,
    VolunteerStatus,
)
from gongzhi.volunteering.views_me import add_errors, error_text, volunteer_or_none

T = "volunteering/me/"


def _counted(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.annotate(
        signed_count=Count("signups", filter=Q(signups__status=SignupStatus.SIGNED)),
        waiting_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)))


def waiting_position(signup: ActivitySignup) -> int:
    """候补第 N 位: the order the waiting list moves up in (first come first served)."""
    ahead = signup.activity.signups.filter(status=SignupStatus.WAITING).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk))
    return ahead.count() + 1


# --- activities -------------------------------------------------------------------------------


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    user = request.user
    volunteer = volunteer_or_none(user)
    rows = list(_counted(selectors.activities_near(user))[:50])
    mine = {s.activity_id: s for s in selectors.my_signups(user).filter(
        activity__in=[a.pk for a in rows])}
    for row in rows:
        row.places_left = max(row.capacity - row.signed_count, 0)
        row.mine = mine.get(row.pk)
    return render(request, T + "activities.html", {"volunteer": volunteer, "rows": rows})


def _activity(request: HttpRequest, pk: int) -> Activity:
    """The activity if the user serves its area, signed up for it, or manages it; else 404."""
    activity = _counted(Activity.objects.filter(pk=pk)).select_related("area", "team").first()
    if activity is None:
        raise Http404(_("没有找到该活动"))
    volunteer = volunteer_or_none(request.user)
    if not ((volunteer and act.serves(volunteer.area_path, activity.area_path))
            or (volunteer and activity.signups.filter(volunteer=volunteer).exists())
            or can(request.user, Perm.MANAGE_VOLUNTEERS, activity.area_path)):
        raise Http404(_("没有找到该活动"))
    return activity


@login_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    volunteer = volunteer_or_none(request.user)
    signup = (activity.signups.filter(volunteer=volunteer).exclude(
        status=SignupStatus.CANCELLED).first() if volunteer else None)
    return render(request, T + "activity.html", {
        "activity": activity, "volunteer": volunteer, "signup": signup,
        "places_left": max(activity.capacity - activity.signed_count, 0),
        "position": waiting_position(signup) if signup and signup.status == "waiting" else None,
        "open": activity.status == "published" and timezone.now() < activity.starts_at,
    })


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    try:
        signup = act.sign_up(activity=activity, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if signup.status == SignupStatus.SIGNED:
            messages.success(request, _("报名成功"))
        else:
            messages.success(request, _("名额已满，您已进入候补，候补第 %(n)d 位") % {
                "n": waiting_position(signup)})
    return redirect("volunteering:activity", pk=activity.pk)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    try:
        act.cancel_signup(activity=activity, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已取消报名"))
    return redirect("volunteering:activity", pk=activity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code at the site opens: 签到 / 签退 for a signed volunteer."""
    activity = Activity.objects.filter(checkin_token=token).select_related("area").first()
    if activity is None:
        return render(request, T + "checkin.html", {"problem": _("签到码无效")}, status=404)
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "out":
                act.check_out(token=token, acting_user=request.user)
                messages.success(request, _("签退成功，感谢您的服务！"))
            else:
                act.check_in(token=token, acting_user=request.user)
                messages.success(request, _("签到成功"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return redirect("volunteering:checkin", token=token)
    volunteer = volunteer_or_none(request.user)
    signup = (ActivitySignup.objects.filter(activity=activity, volunteer=volunteer).first()
              if volunteer else None)
    problem = None
    if volunteer is None:
        problem = _("请先注册成为志愿者")
    elif activity.status == "cancelled":
        problem = _("活动已取消")
    elif signup is None or signup.status == SignupStatus.CANCELLED:
        problem = _("您没有报名该活动")
    elif signup.status == SignupStatus.WAITING:
        problem = _("您在候补名单中（候补第 %(n)d 位），递补后才能签到") % {
            "n": waiting_position(signup)}
    return render(request, T + "checkin.html", {
        "activity": activity, "signup": signup, "problem": problem, "volunteer": volunteer})


# --- shifts -----------------------------------------------------------------------------------


def open_shifts(volunteer: Volunteer) -> QuerySet[Shift]:
    """Upcoming shifts of active duties the volunteer serves, with places free."""
    return (Shift.objects
            .filter(act.serving_q(volunteer.area_path, "template__area_path"),
                    template__is_active=True, starts_at__gt=timezone.now())
            .annotate(signed_count=Count("signups", filter=Q(signups__status="signed")))
            .filter(signed_count__lt=F("slots"))
            .exclude(Exists(ShiftSignup.objects.filter(shift=OuterRef("pk"), volunteer=volunteer,
                                                       status=SignupStatus.SIGNED)))
            .select_related("template").order_by("starts_at", "id"))


def swap_candidates(signup: ShiftSignup) -> QuerySet[Volunteer]:
    """Active volunteers of the same community, or of the duty's team; not oneself."""
    me = signup.volunteer
    same = Q(area_path=me.area_path)
    if signup.shift.template.team_id:
        same |= Q(user_id__in=Membership.objects.filter(
            organisation_id=signup.shift.template.team_id).values("user_id"))
    return (Volunteer.objects.filter(same, status=VolunteerStatus.ACTIVE)
            .exclude(pk=me.pk).select_related("user").order_by("id"))


def _no_volunteer(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("请先注册成为志愿者"))
    return redirect("volunteering:register")


@login_required
def shifts(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_or_none(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    mine = list(selectors.my_shift_signups(request.user).filter(
        shift__ends_at__gt=timezone.now()).select_related("shift__template__team")[:30])
    pending = {s.signup_id: s for s in ShiftSwap.objects.filter(
        signup__in=[m.pk for m in mine], status=SwapStatus.REQUESTED).select_related(
        "to_volunteer__user")}
    for signup in mine:
        signup.pending_swap = pending.get(signup.pk)
        signup.swap_form = SwapForm(candidates=swap_candidates(signup),
                                    auto_id=f"id_%s_{signup.pk}")
    return render(request, T + "shifts.html", {
        "volunteer": volunteer, "open": open_shifts(volunteer)[:30], "mine": mine,
        "asked": ShiftSwap.objects.filter(to_volunteer=volunteer, status=SwapStatus.REQUESTED)
        .select_related("signup__shift__template", "signup__volunteer__user")})


def _my_signup(request: HttpRequest, pk: int) -> ShiftSignup:
    signup = (ShiftSignup.objects.filter(pk=pk, volunteer__user=request.user)
              .select_related("shift__template", "volunteer").first())
    if signup is None:
        raise Http404(_("没有找到该班次"))
    return signup


@login_required
@require_POST
def shift_signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = Shift.objects.filter(pk=pk).first()
    if shift is None:
        raise Http404(_("没有找到该班次"))
    try:
        rosters.sign_up_shift(shift=shift, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("值守报名成功"))
    return redirect("volunteering:shifts")


@login_required
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _my_signup(request, pk)
    try:
        rosters.cancel_shift_signup(signup=signup, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已取消该班次"))
    return redirect("volunteering:shifts")


@login_required
@require_POST
def shift_swap(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _my_signup(request, pk)
    form = SwapForm(request.POST, candidates=swap_candidates(signup))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("volunteering:shifts")
    try:
        rosters.request_swap(signup=signup, to_volunteer=form.cleaned_data["to_volunteer"],
                             acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        add_errors(form, exc)
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("已向%(name)s发出换班请求，等待对方确认") % {
            "name": form.cleaned_data["to_volunteer"]})
    return redirect("volunteering:shifts")


@login_required
@require_POST
def swap_answer(request: HttpRequest, pk: int) -> HttpResponse:
    swap = ShiftSwap.objects.filter(pk=pk, to_volunteer__user=request.user).first()
    if swap is None:
        raise Http404(_("没有找到该换班请求"))
    accept = request.POST.get("answer") == "accept"
    try:
        rosters.answer_swap(swap=swap, accept=accept, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已接受换班，该班次由您值守") if accept
                         else _("已婉拒换班"))
    return redirect("volunteering:shifts")
