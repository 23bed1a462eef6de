"""Duty rosters: a 24-hour camera room as three 8-hour duties, a week of shifts, sign-ups
up to the places, swaps, the report of uncovered shifts and hours confirmed once."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import ledger
from gongzhi.volunteering.actions.rosters import (
    answer_swap,
    cancel_shift_signup,
    confirm_shift,
    create_shift_template,
    generate_shifts,
    request_swap,
    retire_shift_template,
    sign_up_shift,
)
from gongzhi.volunteering.actions.volunteers import register_volunteer
from gongzhi.volunteering.models import (
    HoursEntry,
    Shift,
    ShiftSignup,
    ShiftTemplate,
    SignupStatus,
    SwapStatus,
)


def travel(monkeypatch, moment) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def local(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def template(n, **fields) -> ShiftTemplate:
    values = {"title": "夜间巡逻", "area": n.comm_a, "place": "社区各小区", "weekdays": "0123456",
              "start_time": time(19), "hours": "2", "slots": 2, "acting_user": n.staff_a}
    return create_shift_template(**(values | fields))


def camera_room(n) -> list[ShiftTemplate]:
    """监控室 24 小时值守: three 8-hour duties, one volunteer each."""
    return [template(n, title=f"监控室值守 {h:02d}:00", place="社区监控室", start_time=time(h),
                     hours="8", slots=1) for h in (0, 8, 16)]


def week(n, *templates) -> int:
    start = monday()
    return sum(generate_shifts(template=t, start=start, end=start + timedelta(days=6),
                               acting_user=n.staff_a) for t in templates)


def shift_at(t: ShiftTemplate, day, hour: int) -> Shift:
    return Shift.objects.get(template=t, starts_at=local(day, hour))


def extra_volunteer(n, name: str):
    return register_volunteer(user=make_user(name, full_name=name), community=n.comm_a,
                              acting_user=n.staff_a)


# --- templates and shifts --------------------------------------------------------------------

def test_a_camera_room_round_the_clock_for_a_week(vol):
    n = vol
    templates = camera_room(n)
    assert week(n, *templates) == 21
    start = monday()
    shifts = list(Shift.objects.filter(template__in=templates).order_by("starts_at"))
    assert shifts[0].starts_at == local(start, 0)
    assert shifts[-1].ends_at == local(start + timedelta(days=7), 0)
    # Back to back: each shift ends when the next begins, 8 hours each.
    assert all(a.ends_at == b.starts_at for a, b in zip(shifts, shifts[1:], strict=False))
    assert {s.ends_at - s.starts_at for s in shifts} == {timedelta(hours=8)}
    assert {s.slots for s in shifts} == {1}
    assert week(n, *templates) == 0  # the week is there already
    longer = generate_shifts(template=templates[0], start=start,
                             end=start + timedelta(days=13), acting_user=n.street_staff)
    assert longer == 7 and Shift.objects.count() == 28
    assert AuditEvent.objects.filter(action="volunteering.generate_shifts").count() == 7


def test_weekdays_pick_the_days(vol):
    n = vol
    patrol = template(n, weekdays=[4, 5], start_time=time(20, 30), hours="1.5")
    assert patrol.weekdays == "45"
    assert week(n, patrol) == 2
    starts = [timezone.localtime(s.starts_at) for s in Shift.objects.order_by("starts_at")]
    assert [(s.weekday(), s.hour, s.minute) for s in starts] == [(4, 20, 30), (5, 20, 30)]
    assert Shift.objects.first().ends_at - Shift.objects.first().starts_at == timedelta(
        minutes=90)


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"),
    ({"place": " "}, "place"),
    ({"weekdays": "7"}, "weekdays"),
    ({"weekdays": ""}, "weekdays"),
    ({"weekdays": [1, 12]}, "weekdays"),
    ({"start_time": "19:00"}, "start_time"),
    ({"hours": "0"}, "hours"),
    ({"hours": "30"}, "hours"),
    ({"slots": 0}, "slots"),
    ({"slots": 101}, "slots"),
])
def test_bad_templates_are_refused(vol, change, field):
    with pytest.raises(ValidationError) as info:
        template(vol, **change)
    assert field in info.value.message_dict
    assert not ShiftTemplate.objects.exists()


def test_only_staff_of_the_area_manage_duties(vol):
    n = vol
    with pytest.raises(PermissionDenied):
        template(n, acting_user=n.staff_b)
    with pytest.raises(PermissionDenied):
        template(n, acting_user=n.u1)
    patrol = template(n)
    start = monday()
    with pytest.raises(PermissionDenied):
        generate_shifts(template=patrol, start=start, end=start, acting_user=n.staff_b)
    with pytest.raises(PermissionDenied):
        retire_shift_template(template=patrol, acting_user=n.staff_b)
    assert not Shift.objects.exists() and ShiftTemplate.objects.get().is_active


def test_generate_refuses_bad_ranges_and_retired_duties(vol):
    n = vol
    patrol = template(n)
    start = monday()
    with pytest.raises(ValidationError, match="最多排 62 天"):
        generate_shifts(template=patrol, start=start, end=start + timedelta(days=62),
                        acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        generate_shifts(template=patrol, start=start, end=start - timedelta(days=1),
                        acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="不能早于今天"):
        generate_shifts(template=patrol, start=timezone.localdate() - timedelta(days=1),
                        end=start, acting_user=n.staff_a)
    retire_shift_template(template=patrol, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="已停用"):
        generate_shifts(template=patrol, start=start, end=start, acting_user=n.staff_a)
    assert not Shift.objects.exists()
    assert generate_shifts(template=template(n), start=start, end=start + timedelta(days=61),
                           acting_user=n.staff_a) == 62


# --- signing up ------------------------------------------------------------------------------

def test_sign_up_until_the_shift_is_full(vol, monkeypatch):
    n = vol
    patrol = template(n, slots=2)
    week(n, patrol)
    shift = shift_at(patrol, monday(), 19)
    v3 = extra_volunteer(n, "陈静")
    assert sign_up_shift(shift=shift, acting_user=n.u1).status == SignupStatus.SIGNED
    with pytest.raises(ValidationError, match="您已报名该班次"):
        sign_up_shift(shift=shift, acting_user=n.u1)
    sign_up_shift(shift=shift, acting_user=n.u2)
    with pytest.raises(ValidationError, match="该班次已满员"):
        sign_up_shift(shift=shift, acting_user=v3.user)
    with pytest.raises(PermissionDenied, match="不在您服务的社区"):
        sign_up_shift(shift=shift, acting_user=n.ub)
    with pytest.raises(PermissionDenied, match="请先注册成为志愿者"):
        sign_up_shift(shift=shift, acting_user=n.resident)
    assert shift.signups.count() == 2

    # Giving the place up frees it.
    cancel_shift_signup(signup=ShiftSignup.objects.get(shift=shift, volunteer=n.v2),
                        acting_user=n.u2)
    assert sign_up_shift(shift=shift, acting_user=v3.user)
    # Signing up again after cancelling is a new row (the old one stays, cancelled).
    later = shift_at(patrol, monday() + timedelta(days=1), 19)
    first = sign_up_shift(shift=later, acting_user=n.u2)
    cancel_shift_signup(signup=first, acting_user=n.u2)
    assert sign_up_shift(shift=later, acting_user=n.u2).pk != first.pk

    travel(monkeypatch, later.starts_at)
    with pytest.raises(ValidationError, match="已开始"):
        sign_up_shift(shift=later, acting_user=n.u1)


def test_one_volunteer_is_not_in_two_places_at_once(vol):
    n = vol
    camera = camera_room(n)[1]  # 08:00–16:00
    patrol = template(n, title="白天巡逻", start_time=time(10), hours="2")
    week(n, camera, patrol)
    sign_up_shift(shift=shift_at(camera, monday(), 8), acting_user=n.u1)
    with pytest.raises(ValidationError, match="时间冲突"):
        sign_up_shift(shift=shift_at(patrol, monday(), 10), acting_user=n.u1)
    assert sign_up_shift(shift=shift_at(patrol, monday() + timedelta(days=1), 10),
                         acting_user=n.u1)


def test_retired_duties_take_no_new_sign_ups(vol):
    n = vol
    patrol = template(n)
    week(n, patrol)
    retire_shift_template(template=patrol, acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="已停用"):
        sign_up_shift(shift=shift_at(patrol, monday(), 19), acting_user=n.u1)
    with pytest.raises(ValidationError, match="已停用"):
        retire_shift_template(template=patrol, acting_user=n.staff_a)


def test_cancelling_someone_elses_shift(vol):
    n = vol
    patrol = template(n)
    week(n, patrol)
    signup = sign_up_shift(shift=shift_at(patrol, monday(), 19), acting_user=n.u1)
    with pytest.raises(PermissionDenied):
        cancel_shift_signup(signup=signup, acting_user=n.u2)
    with pytest.raises(PermissionDenied):
        cancel_shift_signup(signup=signup, acting_user=n.staff_b)
    cancel_shift_signup(signup=signup, acting_user=n.staff_a)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED
    told = Notification.objects.get(kind="volunteering.shift_signup_cancelled")
    assert told.recipient == n.u1 and "夜间巡逻" in told.title
    with pytest.raises(ValidationError, match="已取消"):
        cancel_shift_signup(signup=signup, acting_user=n.u1)


# --- swaps -----------------------------------------------------------------------------------

def test_an_accepted_swap_moves_the_place(vol):
    n = vol
    camera = camera_room(n)[2]  # 16:00–24:00
    week(n, camera)
    shift = shift_at(camera, monday(), 16)
    mine = sign_up_shift(shift=shift, acting_user=n.u1)
    swap = request_swap(signup=mine, to_volunteer=n.v2, acting_user=n.u1)
    asked = Notification.objects.get(recipient=n.u2, kind="volunteering.swap_requested")
    assert "王秀英" in asked.body and "社区监控室" in asked.body
    with pytest.raises(ValidationError, match="待对方确认"):
        request_swap(signup=mine, to_volunteer=n.v2, acting_user=n.u1)
    with pytest.raises(PermissionDenied):
        answer_swap(swap=swap, accept=True, acting_user=n.u1)  # not the asker

    answer_swap(swap=swap, accept=True, acting_user=n.u2)
    swap.refresh_from_db()
    mine.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED and swap.decided_at is not None
    assert mine.status == SignupStatus.CANCELLED
    assert list(shift.signups.filter(status="signed").values_list("volunteer", flat=True)) == [
        n.v2.pk]
    assert Notification.objects.filter(recipient=n.u1,
                                       kind="volunteering.swap_answered").count() == 1
    with pytest.raises(ValidationError, match="已处理"):
        answer_swap(swap=swap, accept=False, acting_user=n.u2)


def test_swaps_refused_or_declined_leave_the_place_where_it_was(vol):
    n = vol
    patrol = template(n, slots=2)
    week(n, patrol)
    shift = shift_at(patrol, monday(), 19)
    mine = sign_up_shift(shift=shift, acting_user=n.u1)
    theirs = sign_up_shift(shift=shift, acting_user=n.u2)
    with pytest.raises(ValidationError) as info:
        request_swap(signup=mine, to_volunteer=n.v2, acting_user=n.u1)
    assert info.value.message_dict == {"to_volunteer": ["对方已报名该班次"]}
    with pytest.raises(ValidationError) as info:
        request_swap(signup=mine, to_volunteer=n.vb, acting_user=n.u1)
    assert info.value.message_dict == {"to_volunteer": ["对方不是该社区的志愿者"]}
    with pytest.raises(ValidationError, match="其他志愿者"):
        request_swap(signup=mine, to_volunteer=n.v1, acting_user=n.u1)
    with pytest.raises(PermissionDenied):
        request_swap(signup=theirs, to_volunteer=n.v1, acting_user=n.u1)

    cancel_shift_signup(signup=theirs, acting_user=n.u2)
    swap = request_swap(signup=mine, to_volunteer=n.v2, acting_user=n.u1)
    answer_swap(swap=swap, accept=False, acting_user=n.u2)
    swap.refresh_from_db()
    mine.refresh_from_db()
    assert swap.status == SwapStatus.DECLINED and mine.status == SignupStatus.SIGNED
    assert "婉拒" in Notification.objects.get(recipient=n.u1,
                                            kind="volunteering.swap_answered").title

    # Meanwhile the asked volunteer took the shift themself: accepting is refused.
    swap = request_swap(signup=mine, to_volunteer=n.v2, acting_user=n.u1)
    sign_up_shift(shift=shift, acting_user=n.u2)
    with pytest.raises(ValidationError, match="您已报名该班次"):
        answer_swap(swap=swap, accept=True, acting_user=n.u2)
    mine.refresh_from_db()
    swap.refresh_from_db()
    assert mine.status == SignupStatus.SIGNED and swap.status == SwapStatus.REQUESTED
    # Cancelling the original place lets the open request lapse.
    cancel_shift_signup(signup=mine, acting_user=n.u1)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.DECLINED


# --- the uncovered-shifts report ------------------------------------------------------------

def test_uncovered_shifts_lists_the_gaps_with_counts(vol, django_assert_num_queries):
    n = vol
    camera = camera_room(n)
    patrol = template(n, slots=2, weekdays="0")
    elsewhere = template(n, area=n.comm_b, acting_user=n.staff_b, weekdays="0")
    week(n, *camera, patrol)
    generate_shifts(template=elsewhere, start=monday(), end=monday(), acting_user=n.staff_b)
    day = monday()
    # Monday: the camera room fully covered, the patrol half.
    for t, hour, user in ((camera[0], 0, n.u1), (camera[1], 8, n.u2), (camera[2], 16, n.u1)):
        sign_up_shift(shift=shift_at(t, day, hour), acting_user=user)
    sign_up_shift(shift=shift_at(patrol, day, 19), acting_user=n.u2)

    with django_assert_num_queries(1):
        rows = [(r.template.title, timezone.localtime(r.starts_at).hour, r.signed_count,
                 r.template.area.name) for r in selectors.uncovered_shifts(n.staff_a, day, day)]
    assert rows == [("夜间巡逻", 19, 1, "活龙社区")]
    whole_week = list(selectors.uncovered_shifts(n.staff_a, day, day + timedelta(days=6)))
    assert len(whole_week) == 1 + 3 * 6  # the patrol, and the camera room Tuesday to Sunday
    assert [s.starts_at for s in whole_week] == sorted(s.starts_at for s in whole_week)
    assert {s.signed_count for s in whole_week} == {0, 1}
    street = selectors.uncovered_shifts(n.street_staff, day, day)
    assert [s.template.title for s in street] == ["夜间巡逻", "夜间巡逻"]  # both communities
    assert [s.template.area for s in selectors.uncovered_shifts(n.staff_b, day, day)] == [
        n.comm_b]
    assert not selectors.uncovered_shifts(n.u1, day, day).exists()
    retire_shift_template(template=patrol, acting_user=n.staff_a)
    assert not selectors.uncovered_shifts(n.staff_a, day, day).exists()
    assert [s.shift.template for s in selectors.my_shift_signups(n.u1)] == [camera[0],
                                                                          camera[2]]


# --- confirming who served -------------------------------------------------------------------

def test_confirming_a_shift_credits_its_hours_once(vol, monkeypatch):
    n = vol
    camera = camera_room(n)[0]
    week(n, camera)
    day = monday()
    shift = shift_at(camera, day, 0)
    sign_up_shift(shift=shift, acting_user=n.u1)
    with pytest.raises(ValidationError, match="尚未开始"):
        confirm_shift(shift=shift, present=[n.v1], acting_user=n.staff_a)
    travel(monkeypatch, shift.ends_at)
    with pytest.raises(ValidationError) as info:
        confirm_shift(shift=shift, present=[n.v1, n.v2], acting_user=n.staff_a)
    assert info.value.message_dict == {"present": ["张伟 未报名该班次"]}
    with pytest.raises(PermissionDenied):
        confirm_shift(shift=shift, present=[n.v1], acting_user=n.staff_b)
    with pytest.raises(PermissionDenied):
        confirm_shift(shift=shift, present=[n.v1], acting_user=n.u1)
    assert not HoursEntry.objects.exists()

    entries = confirm_shift(shift=shift, present=[n.v1], acting_user=n.staff_a)
    assert [(e.volunteer, e.hours, e.source, e.source_key) for e in entries] == [
        (n.v1, Decimal("8.0"), "shift", f"shift:{shift.pk}")]
    assert entries[0].served_on == day
    assert confirm_shift(shift=shift, present=[n.v1], acting_user=n.street_staff) == []
    assert ledger.hours_total(n.v1) == Decimal("8")
    shift.refresh_from_db()
    assert shift.confirmed_at == shift.ends_at


# --- at the same moment (PostgreSQL) --------------------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_taking_the_last_place_on_a_shift_at_once(vol):
    n = vol
    patrol = template(n, slots=1)
    week(n, patrol)
    shift = shift_at(patrol, monday(), 19)
    results, errors = race(lambda: sign_up_shift(shift=shift, acting_user=n.u1),
                           lambda: sign_up_shift(shift=shift, acting_user=n.u2))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "已满员" in errors[0].messages[0]
    assert shift.signups.filter(status="signed").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_a_shift_at_once_credit_once(vol, monkeypatch):
    n = vol
    patrol = template(n, slots=2)
    week(n, patrol)
    shift = shift_at(patrol, monday(), 19)
    for user in (n.u1, n.u2):
        sign_up_shift(shift=shift, acting_user=user)
    travel(monkeypatch, shift.ends_at)
    results, errors = race(
        lambda: confirm_shift(shift=shift, present=[n.v1, n.v2], acting_user=n.staff_a),
        lambda: confirm_shift(shift=shift, present=[n.v2, n.v1], acting_user=n.street_staff))
    assert errors == [] and sum(len(r) for r in results) == 2
    for volunteer in (n.v1, n.v2):
        assert HoursEntry.objects.filter(volunteer=volunteer).count() == 1
