"""Duty rosters (值守排班): a shift template per recurring duty (a 24-hour camera room is
three 8-hour templates; an evening patrol one), shifts generated from it week by week,
volunteers signing up for them and swapping (换班), and staff confirming who served.

A retired template makes no new shifts and takes no new sign-ups; shifts already
generated keep their volunteers, and the uncovered-shifts report leaves them out.
Hours are credited by ``confirm_shift`` only, once per volunteer and shift.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.volunteering.actions import ledger
from gongzhi.volunteering.actions._common import require_manager, text, volunteer_of
from gongzhi.volunteering.actions.activities import (
    clean_count,
    clean_hours,
    clean_team,
    serves,
    when,
)
from gongzhi.volunteering.models import (
    HoursEntry,
    Shift,
    ShiftSignup,
    ShiftSwap,
    ShiftTemplate,
    SignupStatus,
    SwapStatus,
    Volunteer,
    VolunteerStatus,
)

FIELDS = ["title", "area", "team", "place", "weekdays", "start_time", "hours", "slots",
          "is_active"]
MAX_DAYS = 62
MAX_SLOTS = 100
ROSTER_URL = "/volunteering/me/"


def _clean_weekdays(weekdays) -> str:
    """"0246" or [0, 2, 4, 6] → "0246" (0 is Monday)."""
    chars = [str(d).strip() for d in weekdays] if not isinstance(weekdays, str) \
        else list(weekdays.replace(",", "").replace(" ", ""))
    if not chars or any(c not in "0123456" or len(c) != 1 for c in chars):
        raise ValidationError({"weekdays": _("请选择星期（0 为星期一，6 为星期日）")})
    return "".join(sorted(set(chars)))


@transaction.atomic
def create_shift_template(*, title: str, area: AreaNode, place: str, weekdays, start_time: time,
                          hours, slots, acting_user, team: Organisation | None = None
                          ) -> ShiftTemplate:
    """Staff set up a recurring duty in their area."""
    require_manager(acting_user, area)
    title = text(title, "title", _("请填写值守岗位名称"), 100)
    place = text(place, "place", _("请填写值守地点"), 100)
    weekdays = _clean_weekdays(weekdays)
    if not isinstance(start_time, time):
        raise ValidationError({"start_time": _("请填写开始时间")})
    template = ShiftTemplate.objects.create(
        title=title, area=area, area_path=area.path, team=clean_team(team, area), place=place,
        weekdays=weekdays, start_time=start_time.replace(second=0, microsecond=0),
        hours=clean_hours(hours),
        slots=clean_count(slots, "slots", _("每班人数须在 1 到 %(n)d 之间") % {"n": MAX_SLOTS},
                          MAX_SLOTS))
    audit.record(actor=acting_user, action="volunteering.create_shift_template", obj=template,
                 after=audit.snapshot(template, FIELDS))
    return template


@transaction.atomic
def retire_shift_template(*, template: ShiftTemplate, acting_user) -> ShiftTemplate:
    template = ShiftTemplate.objects.select_for_update().get(pk=template.pk)
    require_manager(acting_user, template.area_path)
    if not template.is_active:
        raise ValidationError(_("该值守岗位已停用"))
    template.is_active = False
    template.save(update_fields=["is_active"])
    audit.record(actor=acting_user, action="volunteering.retire_shift_template", obj=template,
                 before={"is_active": True}, after={"is_active": False})
    return template


@transaction.atomic
def generate_shifts(*, template: ShiftTemplate, start: date, end: date, acting_user) -> int:
    """Shifts on the template's weekdays from ``start`` to ``end`` (both included, local
    time, at most 62 days); those already there are kept. Returns how many were added."""
    template = ShiftTemplate.objects.select_for_update().get(pk=template.pk)
    require_manager(acting_user, template.area_path)
    if not template.is_active:
        raise ValidationError(_("该值守岗位已停用"))
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError({"start": _("请填写起止日期")})
    if isinstance(start, datetime) or isinstance(end, datetime):
        start, end = (d.date() if isinstance(d, datetime) else d for d in (start, end))
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期")})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError({"end": _("一次最多排 %(n)d 天") % {"n": MAX_DAYS}})
    if start < timezone.localdate():
        raise ValidationError({"start": _("开始日期不能早于今天")})
    zone = timezone.get_current_timezone()
    length = timedelta(minutes=int(template.hours * 60))
    wanted = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        if str(day.weekday()) in template.weekdays:
            starts = timezone.make_aware(datetime.combine(day, template.start_time), zone)
            wanted.append(starts)
    # The template row is locked, so this read and the insert below cannot interleave.
    have = set(template.shifts.filter(starts_at__in=wanted).values_list("starts_at", flat=True))
    new = [Shift(template=template, starts_at=s, ends_at=s + length, slots=template.slots)
           for s in wanted if s not in have]
    Shift.objects.bulk_create(new)
    audit.record(actor=acting_user, action="volunteering.generate_shifts", obj=template,
                 after={"start": str(start), "end": str(end), "created": len(new)})
    return len(new)


def _lock_shift(shift: Shift) -> Shift:
    return Shift.objects.select_for_update().select_related("template").get(pk=shift.pk)


def _clashes(volunteer: Volunteer, shift: Shift) -> bool:
    """Already signed up for another shift at an overlapping time."""
    return ShiftSignup.objects.filter(
        volunteer=volunteer, status=SignupStatus.SIGNED, shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at).exclude(shift=shift).exists()


def _check_can_take(shift: Shift, volunteer: Volunteer, field: str | None = None) -> None:
    """May ``volunteer`` take a place on ``shift`` (slots aside)? ``field`` names the form
    field when the volunteer is someone else (the one asked to swap)."""
    yourself = field is None

    def refuse(mine: str, theirs: str) -> ValidationError:
        return ValidationError(mine) if yourself else ValidationError({field: theirs})

    if not serves(volunteer.area_path, shift.template.area_path):
        if yourself:
            raise PermissionDenied(_("该值守岗位不在您服务的社区"))
        raise ValidationError({field: _("对方不是该社区的志愿者")})
    if not shift.template.is_active:
        raise ValidationError(_("该值守岗位已停用"))
    if timezone.now() >= shift.starts_at:
        raise ValidationError(_("该班次已开始，不能再报名或换班"))
    if shift.signups.filter(volunteer=volunteer, status=SignupStatus.SIGNED).exists():
        raise refuse(_("您已报名该班次"), _("对方已报名该班次"))
    if _clashes(volunteer, shift):
        raise refuse(_("与您已报名的其他班次时间冲突"), _("与对方已报名的其他班次时间冲突"))


@transaction.atomic
def sign_up_shift(*, shift: Shift, acting_user) -> ShiftSignup:
    """A volunteer of the area takes a place, while places remain (the shift row is locked,
    so two people cannot both take the last one)."""
    shift = _lock_shift(shift)
    volunteer = volunteer_of(acting_user)
    _check_can_take(shift, volunteer)
    if shift.signups.filter(status=SignupStatus.SIGNED).count() >= shift.slots:
        raise ValidationError(_("该班次已满员"))
    signup = ShiftSignup.objects.create(shift=shift, volunteer=volunteer,
                                        status=SignupStatus.SIGNED, created_at=timezone.now())
    audit.record(actor=acting_user, action="volunteering.sign_up_shift", obj=signup,
                 area_path=shift.template.area_path,
                 after={"shift": shift.pk, "volunteer": volunteer.pk})
    return signup


def _decline_open_swaps(signup: ShiftSignup) -> None:
    ShiftSwap.objects.filter(signup=signup, status=SwapStatus.REQUESTED).update(
        status=SwapStatus.DECLINED, decided_at=timezone.now())


@transaction.atomic
def cancel_shift_signup(*, signup: ShiftSignup, acting_user) -> ShiftSignup:
    """The volunteer (or staff of the area) gives the place up before the shift starts;
    open swap requests for it lapse."""
    shift = _lock_shift(signup.shift)
    signup = ShiftSignup.objects.select_for_update().get(pk=signup.pk)
    if getattr(acting_user, "pk", None) is None or signup.volunteer.user_id != acting_user.pk:
        require_manager(acting_user, shift.template.area_path)
    if signup.status != SignupStatus.SIGNED:
        raise ValidationError(_("该报名已取消"))
    if timezone.now() >= shift.starts_at:
        raise ValidationError(_("该班次已开始，不能取消"))
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    _decline_open_swaps(signup)
    audit.record(actor=acting_user, action="volunteering.cancel_shift_signup", obj=signup,
                 area_path=shift.template.area_path,
                 before={"status": SignupStatus.SIGNED}, after={"status": signup.status})
    if signup.volunteer.user_id != getattr(acting_user, "pk", None):  # staff took it off
        notify([signup.volunteer.user], kind="volunteering.shift_signup_cancelled",
               title=_("您的值守班次已被取消：%(title)s") % {"title": shift.template.title},
               body=_("%(when)s，%(place)s") % {"when": when(shift.starts_at),
                                                "place": shift.template.place},
               url=ROSTER_URL)
    return signup


@transaction.atomic
def request_swap(*, signup: ShiftSignup, to_volunteer: Volunteer, acting_user) -> ShiftSwap:
    """换班: the volunteer asks another volunteer of the area to take their place."""
    shift = _lock_shift(signup.shift)
    signup = ShiftSignup.objects.select_for_update().select_related("volunteer").get(
        pk=signup.pk)
    if signup.volunteer.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只能为自己的班次申请换班"))
    if signup.status != SignupStatus.SIGNED:
        raise ValidationError(_("该报名已取消"))
    to_volunteer = Volunteer.objects.select_related("user").get(pk=to_volunteer.pk)
    if to_volunteer.pk == signup.volunteer_id:
        raise ValidationError({"to_volunteer": _("请选择其他志愿者")})
    if to_volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError({"to_volunteer": _("对方的志愿者身份已暂停")})
    _check_can_take(shift, to_volunteer, field="to_volunteer")
    if signup.swaps.filter(status=SwapStatus.REQUESTED).exists():
        raise ValidationError(_("已有待对方确认的换班申请"))
    swap = ShiftSwap.objects.create(signup=signup, to_volunteer=to_volunteer,
                                    created_at=timezone.now())
    audit.record(actor=acting_user, action="volunteering.request_swap", obj=swap,
                 area_path=shift.template.area_path,
                 after={"signup": signup.pk, "to_volunteer": to_volunteer.pk})
    notify([to_volunteer.user], kind="volunteering.swap_requested",
           title=_("换班请求：%(title)s") % {"title": shift.template.title},
           body=_("%(name)s 请您代班：%(when)s，%(place)s") % {
               "name": signup.volunteer, "when": when(shift.starts_at),
               "place": shift.template.place},
           url=ROSTER_URL)
    return swap


@transaction.atomic
def answer_swap(*, swap: ShiftSwap, accept: bool, acting_user) -> ShiftSwap:
    """The asked volunteer accepts (their signup replaces the original, in one step) or
    declines."""
    swap = ShiftSwap.objects.select_related("signup").get(pk=swap.pk)
    shift = _lock_shift(swap.signup.shift)  # locks in the order shift → signup → swap
    signup = ShiftSignup.objects.select_for_update().select_related("volunteer__user").get(
        pk=swap.signup_id)
    swap = ShiftSwap.objects.select_for_update().select_related("to_volunteer").get(pk=swap.pk)
    if swap.to_volunteer.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只有被邀请代班的志愿者可以答复"))
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError(_("该换班申请已处理"))
    now = timezone.now()
    if accept:
        if signup.status != SignupStatus.SIGNED:
            raise ValidationError(_("原报名已取消，无需换班"))
        taker = volunteer_of(acting_user)
        _check_can_take(shift, taker)
        signup.status = SignupStatus.CANCELLED
        signup.save(update_fields=["status"])
        ShiftSignup.objects.create(shift=shift, volunteer=taker, status=SignupStatus.SIGNED,
                                   created_at=now)
    swap.status = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_at"])
    if accept:
        _decline_open_swaps(signup)
    audit.record(actor=acting_user, action="volunteering.answer_swap", obj=swap,
                 area_path=shift.template.area_path,
                 before={"status": SwapStatus.REQUESTED}, after={"status": swap.status})
    notify([signup.volunteer.user], kind="volunteering.swap_answered",
           title=(_("换班成功：%(title)s") if accept else _("对方婉拒了换班：%(title)s"))
           % {"title": shift.template.title},
           body=_("%(when)s，%(place)s") % {"when": when(shift.starts_at),
                                            "place": shift.template.place},
           url=ROSTER_URL)
    return swap


@transaction.atomic
def confirm_shift(*, shift: Shift, present: list[Volunteer], acting_user) -> list[HoursEntry]:
    """Staff confirm who served: each is credited the template's hours, once. Returns the
    hours entries this call added."""
    shift = _lock_shift(shift)
    require_manager(acting_user, shift.template.area_path)
    if timezone.now() < shift.starts_at:
        raise ValidationError(_("该班次尚未开始，不能确认时长"))
    signed = {s.volunteer_id: s.volunteer for s in shift.signups.filter(
        status=SignupStatus.SIGNED).select_related("volunteer__user")}
    wanted = list(dict.fromkeys(v.pk for v in present))
    for pk in wanted:
        if pk not in signed:
            name = next(str(v) for v in present if v.pk == pk)
            raise ValidationError({"present": _("%(name)s 未报名该班次") % {"name": name}})
    template = shift.template
    entries = []
    for pk in wanted:
        entry = ledger.credit_hours(
            volunteer=signed[pk], hours=template.hours, source="shift",
            source_key=f"shift:{shift.pk}", served_on=timezone.localdate(shift.starts_at),
            acting_user=acting_user, note=template.title)
        if entry is not None:
            entries.append(entry)
    if shift.confirmed_at is None:
        shift.confirmed_at = timezone.now()
        shift.save(update_fields=["confirmed_at"])
    audit.record(actor=acting_user, action="volunteering.confirm_shift", obj=shift,
                 area_path=template.area_path,
                 after={"present": wanted, "credited": [e.volunteer_id for e in entries]})
    return entries
