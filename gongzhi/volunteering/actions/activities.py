"""Activities (志愿活动): staff publish, volunteers sign up (with a waiting list that moves
up when a place frees), check in and out by the QR code shown at the site, and the
organiser confirms who came.

Hours are credited only by ``confirm_attendance``: checking out records a time and
nothing else, because the organiser, not the phone, vouches that a volunteer served.
A volunteer who checked out but is not confirmed is not credited. Confirming again
credits nobody twice (the ledger's unique key per volunteer and ``activity:<pk>``), and
may add people who were missed the first time.
"""

import math
import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organisation, OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.volunteering.actions import ledger
from gongzhi.volunteering.actions._common import actor, require_manager, text, volunteer_of
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    ActivityStatus,
    HoursEntry,
    SignupStatus,
    Volunteer,
    VolunteerStatus,
)

FIELDS = ["title", "team", "area", "place", "starts_at", "ends_at", "capacity", "hours",
          "status"]
MAX_CAPACITY = 10000
CHECK_IN_EARLY = timedelta(hours=1)  # the QR code works from an hour before the start


# --- helpers the rosters share ---------------------------------------------------------------

def serves(volunteer_path: str, area_path: str) -> bool:
    """A volunteer serves an area inside their community, or one above it (the street)."""
    return area_path.startswith(volunteer_path) or volunteer_path.startswith(area_path)


def serving_q(area_path: str, field: str = "area_path") -> Q:
    """Volunteers (or rows keyed by their path) that ``serves`` the area at ``area_path``."""
    return subtree_q(area_path, field) | Q(**{f"{field}__in": ancestor_paths(area_path)})


def clean_hours(value, field: str = "hours") -> Decimal:
    """0.5 to 24 hours with at most one decimal (what the ledger accepts)."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("请填写时长（小时）")}) from None
    if not hours.is_finite() or not Decimal("0.5") <= hours <= Decimal(24):
        raise ValidationError({field: _("时长须在 0.5 到 24 小时之间")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({field: _("时长最多保留一位小数")})
    return hours.quantize(Decimal("0.1"))


def clean_count(value, field: str, message: str, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if not 1 <= number <= high:
        raise ValidationError({field: message})
    return number


def clean_team(team: Organisation | None, area: AreaNode) -> Organisation | None:
    """An active volunteer team that serves somewhere in or above ``area``."""
    if team is None:
        return None
    paths = team.areas.values_list("path", flat=True)
    if (team.kind != OrgKind.VOLUNTEER_TEAM or not team.is_active
            or not any(serves(path, area.path) for path in paths)):
        raise ValidationError({"team": _("请选择服务该区域的志愿服务队")})
    return team


def own_volunteer(user) -> Volunteer:
    """The acting user's volunteer record, active or not (to withdraw, even when paused)."""
    volunteer = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    if volunteer is None:
        raise PermissionDenied(_("请先注册成为志愿者"))
    return volunteer


def when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- activities ------------------------------------------------------------------------------

def _url(activity: Activity) -> str:
    return f"/volunteering/activities/{activity.pk}/"


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _audience(activity: Activity) -> list:
    """The team's members, or without a team every active volunteer the area concerns."""
    if activity.team_id:
        return [m.user for m in Membership.objects.filter(
            organisation_id=activity.team_id, user__is_active=True).select_related("user")]
    return [v.user for v in Volunteer.objects.filter(
        serving_q(activity.area_path), status=VolunteerStatus.ACTIVE,
        user__is_active=True).select_related("user")]


def _signed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignupStatus.SIGNED).count()


@transaction.atomic
def publish_activity(*, title: str, area: AreaNode, place: str, starts_at: datetime,
                     ends_at: datetime, capacity, hours, acting_user,
                     team: Organisation | None = None, description: str = "") -> Activity:
    """Staff publish an activity; the team's members (or the area's volunteers) hear of it.
    The hours credited may not pass the activity's length rounded up to half an hour."""
    require_manager(acting_user, area)
    title = text(title, "title", _("请填写活动名称"), 100)
    place = text(place, "place", _("请填写活动地点"), 100)
    if not isinstance(starts_at, datetime):
        raise ValidationError({"starts_at": _("请填写开始时间")})
    if not isinstance(ends_at, datetime):
        raise ValidationError({"ends_at": _("请填写结束时间")})
    # A naive time is read as local time (forms give aware ones; scripts may not).
    starts_at, ends_at = (timezone.make_aware(t) if timezone.is_naive(t) else t
                          for t in (starts_at, ends_at))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("开始时间须晚于现在")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间")})
    capacity = clean_count(capacity, "capacity",
                           _("人数上限须在 1 到 %(n)d 之间") % {"n": MAX_CAPACITY},
                           MAX_CAPACITY)
    hours = clean_hours(hours)
    longest = Decimal(math.ceil((ends_at - starts_at).total_seconds() / 1800)) / 2
    if hours > longest:
        raise ValidationError({"hours": _("记录时长不能超过活动时长（%(n)s 小时）")
                               % {"n": longest}})
    activity = Activity.objects.create(
        title=title, description=(description or "").strip()[:5000],
        team=clean_team(team, area), area=area, area_path=area.path, place=place,
        starts_at=starts_at, ends_at=ends_at, capacity=capacity, hours=hours,
        organiser=actor(acting_user), checkin_token=secrets.token_hex(16),
        created_at=timezone.now())
    audit.record(actor=acting_user, action="volunteering.publish_activity", obj=activity,
                 after=audit.snapshot(activity, FIELDS))
    notify(_audience(activity), kind="volunteering.activity_published",
           title=_("新的志愿活动：%(title)s") % {"title": title},
           body=_("%(when)s，%(place)s，限 %(n)d 人") % {
               "when": when(starts_at), "place": place, "n": capacity},
           url=_url(activity))
    return activity


@transaction.atomic
def cancel_activity(*, activity: Activity, reason: str, acting_user) -> Activity:
    """Staff call an activity off; everyone signed up or waiting is told why."""
    activity = _lock(activity)
    require_manager(acting_user, activity.area_path)
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("活动已取消或已确认时长，不能取消"))
    reason = text(reason, "reason", _("请说明取消原因"), 300)
    before = audit.snapshot(activity, FIELDS)
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    audit.record(actor=acting_user, action="volunteering.cancel_activity", obj=activity,
                 before=before, after=audit.snapshot(activity, FIELDS) | {"reason": reason})
    people = [s.volunteer.user for s in activity.signups.filter(
        status__in=[SignupStatus.SIGNED, SignupStatus.WAITING]).select_related("volunteer__user")]
    notify(people, kind="volunteering.activity_cancelled",
           title=_("活动取消：%(title)s") % {"title": activity.title}, body=reason,
           url=_url(activity))
    return activity


@transaction.atomic
def sign_up(*, activity: Activity, acting_user) -> ActivitySignup:
    """A volunteer of the area signs up: a place while places remain, else the waiting list.
    The activity row is locked, so two people taking the last place cannot both get it."""
    activity = _lock(activity)
    volunteer = volunteer_of(acting_user)
    if not serves(volunteer.area_path, activity.area_path):
        raise PermissionDenied(_("该活动不在您服务的社区"))
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("活动已取消或已结束，不能报名"))
    if timezone.now() >= activity.starts_at:
        raise ValidationError(_("活动已开始，报名已截止"))
    status = (SignupStatus.SIGNED if _signed_count(activity) < activity.capacity
              else SignupStatus.WAITING)
    signup = ActivitySignup.objects.select_for_update().filter(
        activity=activity, volunteer=volunteer).first()
    if signup is None:
        signup = ActivitySignup.objects.create(activity=activity, volunteer=volunteer,
                                               status=status, created_at=timezone.now())
    elif signup.status == SignupStatus.CANCELLED:
        # Signing up again: the same row, at the back of the queue.
        signup.status, signup.created_at = status, timezone.now()
        signup.checked_in_at = signup.checked_out_at = None
        signup.save(update_fields=["status", "created_at", "checked_in_at", "checked_out_at"])
    elif signup.status == SignupStatus.WAITING:
        raise ValidationError(_("您已在候补名单中"))
    else:
        raise ValidationError(_("您已报名该活动"))
    audit.record(actor=acting_user, action="volunteering.sign_up", obj=signup,
                 area_path=activity.area_path,
                 after={"activity": activity.pk, "volunteer": volunteer.pk, "status": status})
    return signup


def _move_up(activity: Activity) -> list[ActivitySignup]:
    """Fill free places from the waiting list, first come first served (paused volunteers
    keep waiting)."""
    free = activity.capacity - _signed_count(activity)
    if free <= 0:
        return []
    moved = list(activity.signups.select_for_update().filter(
        status=SignupStatus.WAITING, volunteer__status=VolunteerStatus.ACTIVE,
    ).order_by("created_at", "id")[:free])
    for signup in moved:
        signup.status = SignupStatus.SIGNED
        signup.save(update_fields=["status"])
        notify([signup.volunteer.user], kind="volunteering.waiting_list_moved_up",
               title=_("候补成功：%(title)s") % {"title": activity.title},
               body=_("您已从候补转为正式报名，%(when)s，%(place)s") % {
                   "when": when(activity.starts_at), "place": activity.place},
               url=_url(activity))
    return moved


@transaction.atomic
def cancel_signup(*, activity: Activity, acting_user) -> ActivitySignup:
    """The volunteer withdraws before the start; the first on the waiting list moves up."""
    activity = _lock(activity)
    volunteer = own_volunteer(acting_user)
    signup = ActivitySignup.objects.select_for_update().filter(
        activity=activity, volunteer=volunteer,
        status__in=[SignupStatus.SIGNED, SignupStatus.WAITING]).first()
    if signup is None:
        raise ValidationError(_("您没有报名该活动"))
    if timezone.now() >= activity.starts_at:
        raise ValidationError(_("活动已开始，不能取消报名"))
    was = signup.status
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    moved = _move_up(activity) if activity.status == ActivityStatus.PUBLISHED else []
    audit.record(actor=acting_user, action="volunteering.cancel_signup", obj=signup,
                 area_path=activity.area_path,
                 before={"status": was}, after={"status": signup.status,
                                                "moved_up": [s.volunteer_id for s in moved]})
    return signup


def _scanned(token: str, acting_user) -> tuple[Activity, ActivitySignup]:
    """The activity behind a QR code and the scanning volunteer's place on it (locked)."""
    token = (token or "").strip()
    activity = Activity.objects.filter(checkin_token=token).first() if token else None
    if activity is None:
        raise ValidationError({"token": _("签到码无效")})
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动已取消"))
    volunteer = volunteer_of(acting_user)
    signup = ActivitySignup.objects.select_for_update().filter(
        activity=activity, volunteer=volunteer, status=SignupStatus.SIGNED).first()
    if signup is None:
        raise PermissionDenied(_("您没有报名该活动（候补人员请等待递补）"))
    return activity, signup


@transaction.atomic
def check_in(*, token: str, acting_user) -> ActivitySignup:
    """扫码签到 at the site, from an hour before the start to the end; again: no change."""
    activity, signup = _scanned(token, acting_user)
    if signup.checked_in_at is not None:
        return signup
    now = timezone.now()
    if activity.status != ActivityStatus.PUBLISHED or now > activity.ends_at:
        raise ValidationError(_("活动已结束，不能签到"))
    if now < activity.starts_at - CHECK_IN_EARLY:
        raise ValidationError(_("签到将于活动开始前 1 小时开放（%(when)s 开始）")
                              % {"when": when(activity.starts_at)})
    signup.checked_in_at = now
    signup.save(update_fields=["checked_in_at"])
    audit.record(actor=acting_user, action="volunteering.check_in", obj=signup,
                 area_path=activity.area_path, after={"checked_in_at": str(now)})
    return signup


@transaction.atomic
def check_out(*, token: str, acting_user) -> ActivitySignup:
    """扫码签退 after checking in; again: no change. It credits nothing (see the module)."""
    activity, signup = _scanned(token, acting_user)
    if signup.checked_out_at is not None:
        return signup
    if signup.checked_in_at is None:
        raise ValidationError(_("请先签到再签退"))
    now = max(timezone.now(), signup.checked_in_at)
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    audit.record(actor=acting_user, action="volunteering.check_out", obj=signup,
                 area_path=activity.area_path, after={"checked_out_at": str(now)})
    return signup


@transaction.atomic
def confirm_attendance(*, activity: Activity, present: list[Volunteer], acting_user
                       ) -> list[HoursEntry]:
    """The organiser or staff confirm who came: each is credited the activity's hours and
    the per-activity points, once. Returns the hours entries this call added."""
    activity = _lock(activity)
    organiser = activity.organiser_id is not None and (
        getattr(acting_user, "pk", None) == activity.organiser_id)
    if not organiser:
        require_manager(acting_user, activity.area_path)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动已取消"))
    if timezone.now() < activity.starts_at:
        raise ValidationError(_("活动尚未开始，不能确认时长"))
    signed = {s.volunteer_id: s.volunteer for s in activity.signups.filter(
        status=SignupStatus.SIGNED).select_related("volunteer__user")}
    wanted = list(dict.fromkeys(v.pk for v in present))
    for pk in wanted:
        if pk not in signed:
            name = next(str(v) for v in present if v.pk == pk)
            raise ValidationError({"present": _("%(name)s 未报名该活动") % {"name": name}})
    key = f"activity:{activity.pk}"
    per_activity = ledger.rule_points("per_activity")
    entries = []
    for pk in wanted:
        volunteer = signed[pk]
        entry = ledger.credit_hours(
            volunteer=volunteer, hours=activity.hours, source="activity", source_key=key,
            served_on=timezone.localdate(activity.starts_at), acting_user=acting_user,
            note=activity.title)
        ledger.award_points(holder=volunteer.user, points=per_activity, reason="activity",
                            source_key=key, note=activity.title)
        if entry is not None:
            entries.append(entry)
    before = audit.snapshot(activity, FIELDS)
    if activity.status != ActivityStatus.CONFIRMED:
        activity.status, activity.confirmed_at = ActivityStatus.CONFIRMED, timezone.now()
        activity.save(update_fields=["status", "confirmed_at"])
    audit.record(actor=acting_user, action="volunteering.confirm_attendance", obj=activity,
                 before=before, after=audit.snapshot(activity, FIELDS) | {
                     "present": wanted, "credited": [e.volunteer_id for e in entries]})
    return entries
