"""Activities: publishing, sign-up with a waiting list, QR check-in and check-out, and the
organiser's confirmation that credits hours and points exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gongzhi.accounts.actions import grant_role, revoke_role
from gongzhi.accounts.models import User
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.permissions import Role
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import activities, ledger
from gongzhi.volunteering.actions.activities import (
    cancel_activity,
    cancel_signup,
    check_in,
    check_out,
    confirm_attendance,
    publish_activity,
    sign_up,
)
from gongzhi.volunteering.actions.volunteers import register_volunteer, set_volunteer_status
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    ActivityStatus,
    HoursEntry,
    PointsEntry,
    PointsRule,
    SignupStatus,
)


def travel(monkeypatch, moment) -> None:
    """Let the actions believe it is ``moment``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def publish(n, **fields):
    starts = fields.pop("starts_at", n.now + timedelta(days=1))
    values = {"title": "清洁家园", "area": n.comm_a, "place": "社区广场", "starts_at": starts,
              "ends_at": starts + timedelta(hours=3), "capacity": 2, "hours": "3",
              "acting_user": n.staff_a}
    return publish_activity(**(values | fields))


def more_volunteers(n, count: int) -> list:
    """Further volunteers of community A, registered by its staff."""
    users = [make_user(f"extra{i}", full_name=f"志愿者{i}") for i in range(count)]
    return [register_volunteer(user=u, community=n.comm_a, acting_user=n.staff_a) for u in users]


def status_of(activity, volunteer) -> str:
    return ActivitySignup.objects.get(activity=activity, volunteer=volunteer).status


def inbox(user, kind) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


# --- publishing ------------------------------------------------------------------------------

def test_publish_tells_the_team_or_else_the_areas_volunteers(vol):
    n = vol
    team_activity = publish(n, team=n.team)
    assert len(team_activity.checkin_token) == 32 and team_activity.organiser == n.staff_a
    assert team_activity.hours == Decimal("3.0") and team_activity.status == "published"
    kind = "volunteering.activity_published"
    assert inbox(n.u1, kind) == 1 and inbox(n.u2, kind) == 1 and inbox(n.ub, kind) == 0
    street_wide = publish(n, title="全街道义诊", area=n.street, acting_user=n.street_staff)
    assert inbox(n.ub, kind) == 1 and inbox(n.u1, kind) == 2  # every community below
    assert street_wide.checkin_token != team_activity.checkin_token
    assert AuditEvent.objects.filter(action="volunteering.publish_activity").count() == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"place": ""}, "place"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "很多"}, "capacity"),
    ({"hours": "0.25"}, "hours"),
    ({"hours": "0.3"}, "hours"),
    ({"hours": "25"}, "hours"),
    ({"hours": "3.5"}, "hours"),  # longer than the 3-hour activity
    ({"hours": "abc"}, "hours"),
    ({"ends_at": "明天"}, "ends_at"),
])
def test_publish_refuses_bad_input_and_writes_nothing(vol, change, field):
    with pytest.raises(ValidationError) as info:
        publish(vol, **change)
    assert field in info.value.message_dict
    assert not Activity.objects.exists()


def test_publish_refuses_bad_times_and_a_team_from_elsewhere(vol):
    n = vol
    with pytest.raises(ValidationError, match="开始时间须晚于现在"):
        publish(n, starts_at=n.now - timedelta(hours=1))
    start = n.now + timedelta(days=1)
    with pytest.raises(ValidationError, match="结束时间须晚于开始时间"):
        publish(n, starts_at=start, ends_at=start)
    with pytest.raises(ValidationError, match="服务该区域的志愿服务队"):
        publish(n, team=n.team_b)
    with pytest.raises(ValidationError, match="服务该区域的志愿服务队"):
        publish(n, team=n.property_co)
    assert not Activity.objects.exists()
    # Half an hour more than a 2h40m activity is still within its length rounded up.
    assert publish(n, starts_at=start, ends_at=start + timedelta(minutes=160), hours="3")
    with pytest.raises(ValidationError, match=r"不能超过活动时长（10 小时）"):
        publish(n, starts_at=start, ends_at=start + timedelta(hours=10), hours="11")
    # A naive time is local time.
    naive = timezone.make_naive(start)
    assert publish(n, starts_at=naive, ends_at=naive + timedelta(hours=1),
                   hours="1").starts_at == start


@pytest.mark.parametrize("who", ["staff_b", "resident", "u1", "worker_a1"])
def test_only_staff_of_the_area_publish(vol, who):
    with pytest.raises(PermissionDenied):
        publish(vol, acting_user=getattr(vol, who))
    assert not Activity.objects.exists()


# --- sign-up and the waiting list ------------------------------------------------------------

def test_sign_up_to_capacity_then_the_waiting_list_moves_up_on_a_cancellation(vol):
    n = vol
    v3, v4 = more_volunteers(n, 2)
    activity = publish(n, capacity=2)
    assert sign_up(activity=activity, acting_user=n.u1).status == SignupStatus.SIGNED
    assert sign_up(activity=activity, acting_user=n.u2).status == SignupStatus.SIGNED
    assert sign_up(activity=activity, acting_user=v3.user).status == SignupStatus.WAITING
    assert sign_up(activity=activity, acting_user=v4.user).status == SignupStatus.WAITING

    first = ActivitySignup.objects.get(activity=activity, volunteer=n.v1)
    cancel_signup(activity=activity, acting_user=n.u1)
    assert status_of(activity, n.v1) == SignupStatus.CANCELLED
    assert status_of(activity, v3) == SignupStatus.SIGNED  # first come, first served
    assert status_of(activity, v4) == SignupStatus.WAITING
    moved = Notification.objects.get(recipient=v3.user,
                                     kind="volunteering.waiting_list_moved_up")
    assert "清洁家园" in moved.title and moved.url == f"/volunteering/activities/{activity.pk}/"
    assert inbox(v4.user, "volunteering.waiting_list_moved_up") == 0

    # Signing up again reuses the row and queues behind those already waiting.
    again = sign_up(activity=activity, acting_user=n.u1)
    assert again.pk == first.pk and again.status == SignupStatus.WAITING
    cancel_signup(activity=activity, acting_user=n.u2)
    assert status_of(activity, v4) == SignupStatus.SIGNED
    assert status_of(activity, n.v1) == SignupStatus.WAITING


def test_a_waiting_volunteer_who_withdraws_frees_no_place(vol):
    n = vol
    activity = publish(n, capacity=1)
    sign_up(activity=activity, acting_user=n.u1)
    sign_up(activity=activity, acting_user=n.u2)
    cancel_signup(activity=activity, acting_user=n.u2)
    assert status_of(activity, n.v1) == SignupStatus.SIGNED
    assert status_of(activity, n.v2) == SignupStatus.CANCELLED
    assert not Notification.objects.filter(kind="volunteering.waiting_list_moved_up").exists()


def test_a_paused_volunteer_keeps_waiting_and_the_next_one_moves_up(vol):
    n = vol
    (v3,) = more_volunteers(n, 1)
    activity = publish(n, capacity=1)
    for user in (n.u1, n.u2, v3.user):
        sign_up(activity=activity, acting_user=user)
    set_volunteer_status(volunteer=n.v2, status="suspended", acting_user=n.staff_a)
    cancel_signup(activity=activity, acting_user=n.u1)
    assert status_of(activity, n.v2) == SignupStatus.WAITING
    assert status_of(activity, v3) == SignupStatus.SIGNED


def test_who_may_sign_up_follows_the_area(vol):
    n = vol
    grid = publish(n, area=n.grid_a1)
    assert sign_up(activity=grid, acting_user=n.u2)  # a grid of their community
    with pytest.raises(PermissionDenied, match="不在您服务的社区"):
        sign_up(activity=grid, acting_user=n.ub)
    street_wide = publish(n, area=n.street, acting_user=n.street_staff)
    assert sign_up(activity=street_wide, acting_user=n.ub)  # the street is above theirs
    with pytest.raises(PermissionDenied, match="请先注册成为志愿者"):
        sign_up(activity=grid, acting_user=n.resident)
    assert ActivitySignup.objects.count() == 2


def test_sign_up_refusals_change_nothing(vol, monkeypatch):
    n = vol
    (late,) = more_volunteers(n, 1)
    activity = publish(n)
    sign_up(activity=activity, acting_user=n.u1)
    with pytest.raises(ValidationError, match="您已报名该活动"):
        sign_up(activity=activity, acting_user=n.u1)
    set_volunteer_status(volunteer=n.v2, status="suspended", acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="志愿者身份已暂停"):
        sign_up(activity=activity, acting_user=n.u2)
    with pytest.raises(ValidationError, match="您没有报名该活动"):
        cancel_signup(activity=activity, acting_user=n.u2)
    travel(monkeypatch, activity.starts_at)
    with pytest.raises(ValidationError, match="报名已截止"):
        sign_up(activity=activity, acting_user=late.user)
    with pytest.raises(ValidationError, match="活动已开始，不能取消报名"):
        cancel_signup(activity=activity, acting_user=n.u1)
    assert list(activity.signups.values_list("volunteer_id", "status")) == [
        (n.v1.pk, SignupStatus.SIGNED)]


def test_cancelling_an_activity_tells_signed_and_waiting_and_stops_everything(vol):
    n = vol
    (v3,) = more_volunteers(n, 1)
    activity = publish(n, capacity=1)
    for user in (n.u1, n.u2, v3.user):
        sign_up(activity=activity, acting_user=user)
    cancel_signup(activity=activity, acting_user=v3.user)
    with pytest.raises(ValidationError) as info:
        cancel_activity(activity=activity, reason=" ", acting_user=n.staff_a)
    assert "reason" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        cancel_activity(activity=activity, reason="天气原因", acting_user=n.staff_b)
    cancel_activity(activity=activity, reason="暴雨预警", acting_user=n.staff_a)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
    kind = "volunteering.activity_cancelled"
    assert inbox(n.u1, kind) == 1 and inbox(n.u2, kind) == 1 and inbox(v3.user, kind) == 0
    assert Notification.objects.get(recipient=n.u1, kind=kind).body == "暴雨预警"
    with pytest.raises(ValidationError, match="不能报名"):
        sign_up(activity=activity, acting_user=v3.user)
    with pytest.raises(ValidationError, match="活动已取消"):
        check_in(token=activity.checkin_token, acting_user=n.u1)
    with pytest.raises(ValidationError, match="不能取消"):
        cancel_activity(activity=activity, reason="再次", acting_user=n.staff_a)


# --- check-in and check-out by QR code ------------------------------------------------------

def test_check_in_and_out_by_the_sites_qr_code(vol, monkeypatch):
    n = vol
    activity = publish(n, capacity=1)
    sign_up(activity=activity, acting_user=n.u1)
    sign_up(activity=activity, acting_user=n.u2)  # waiting
    token = activity.checkin_token
    with pytest.raises(ValidationError) as info:
        check_in(token="0" * 32, acting_user=n.u1)
    assert info.value.message_dict == {"token": ["签到码无效"]}
    with pytest.raises(ValidationError, match="签到码无效"):
        check_in(token="", acting_user=n.u1)

    travel(monkeypatch, activity.starts_at - timedelta(hours=2))
    with pytest.raises(ValidationError, match="开始前 1 小时开放"):
        check_in(token=token, acting_user=n.u1)
    travel(monkeypatch, activity.starts_at - timedelta(minutes=30))
    with pytest.raises(ValidationError, match="请先签到再签退"):
        check_out(token=token, acting_user=n.u1)
    with pytest.raises(PermissionDenied, match="没有报名"):
        check_in(token=token, acting_user=n.u2)  # only on the waiting list
    with pytest.raises(PermissionDenied):
        check_in(token=token, acting_user=n.ub)
    assert not ActivitySignup.objects.filter(checked_in_at__isnull=False).exists()

    arrived = activity.starts_at - timedelta(minutes=30)
    assert check_in(token=token, acting_user=n.u1).checked_in_at == arrived
    travel(monkeypatch, activity.starts_at + timedelta(minutes=10))
    assert check_in(token=token, acting_user=n.u1).checked_in_at == arrived  # no second stamp
    left = activity.ends_at + timedelta(minutes=5)
    travel(monkeypatch, left)
    assert check_out(token=token, acting_user=n.u1).checked_out_at == left
    travel(monkeypatch, left + timedelta(minutes=20))
    row = check_out(token=token, acting_user=n.u1)
    assert (row.checked_in_at, row.checked_out_at) == (arrived, left)
    assert AuditEvent.objects.filter(action__in=["volunteering.check_in",
                                                 "volunteering.check_out"]).count() == 2
    # Checking out credits nothing: the organiser confirms.
    assert not HoursEntry.objects.exists() and not PointsEntry.objects.exists()


def test_check_in_closes_at_the_end(vol, monkeypatch):
    n = vol
    activity = publish(n)
    sign_up(activity=activity, acting_user=n.u1)
    travel(monkeypatch, activity.ends_at + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="活动已结束"):
        check_in(token=activity.checkin_token, acting_user=n.u1)


# --- confirming attendance -------------------------------------------------------------------

def rules() -> None:
    PointsRule.objects.create(code="per_hour", points=10)
    PointsRule.objects.create(code="per_activity", points=5)


def test_confirmation_credits_hours_and_points_exactly_once(vol, monkeypatch):
    n = vol
    rules()
    (v3,) = more_volunteers(n, 1)
    activity = publish(n, capacity=3, hours="2.5")
    for user in (n.u1, n.u2, v3.user):
        sign_up(activity=activity, acting_user=user)
    token = activity.checkin_token
    travel(monkeypatch, activity.starts_at)
    for user in (n.u1, v3.user):
        check_in(token=token, acting_user=user)
    travel(monkeypatch, activity.ends_at)
    for user in (n.u1, v3.user):
        check_out(token=token, acting_user=user)
    assert not HoursEntry.objects.exists()

    entries = confirm_attendance(activity=activity, present=[n.v1, n.v1], acting_user=n.staff_a)
    assert [e.volunteer for e in entries] == [n.v1]
    entry = HoursEntry.objects.get()
    assert (entry.hours, entry.source, entry.source_key) == (
        Decimal("2.5"), "activity", f"activity:{activity.pk}")
    assert entry.served_on == timezone.localdate(activity.starts_at)
    assert ledger.points_balance(n.u1) == 25 + 5  # per hour, and per activity
    assert ledger.time_bank_balance(n.u1) == Decimal("2.5")
    activity.refresh_from_db()
    confirmed_at = activity.confirmed_at
    assert activity.status == ActivityStatus.CONFIRMED and confirmed_at is not None

    # A second confirmation adds the one missed, and credits the first nobody twice.
    travel(monkeypatch, activity.ends_at + timedelta(hours=1))
    entries = confirm_attendance(activity=activity, present=[n.v1, n.v2],
                                 acting_user=n.street_staff)
    assert [e.volunteer for e in entries] == [n.v2]
    assert confirm_attendance(activity=activity, present=[n.v1, n.v2],
                              acting_user=n.staff_a) == []
    check_out(token=token, acting_user=n.u1)  # scanning again changes nothing
    assert sorted(HoursEntry.objects.values_list("volunteer_id", flat=True)) == sorted(
        [n.v1.pk, n.v2.pk])
    assert ledger.hours_total(n.v1) == Decimal("2.5") and ledger.points_balance(n.u1) == 30
    assert ledger.points_balance(n.u2) == 30
    # v3 checked in and out but was not confirmed: nothing.
    assert ledger.hours_total(v3) == 0 and ledger.points_balance(v3.user) == 0
    activity.refresh_from_db()
    assert activity.confirmed_at == confirmed_at
    assert AuditEvent.objects.filter(action="volunteering.credit_hours").count() == 2
    assert AuditEvent.objects.filter(action="volunteering.confirm_attendance").count() == 3


def test_confirmation_refusals_credit_nobody(vol, monkeypatch):
    n = vol
    rules()
    activity = publish(n, capacity=1)
    sign_up(activity=activity, acting_user=n.u1)
    sign_up(activity=activity, acting_user=n.u2)  # waiting
    with pytest.raises(ValidationError, match="尚未开始"):
        confirm_attendance(activity=activity, present=[n.v1], acting_user=n.staff_a)
    travel(monkeypatch, activity.ends_at)
    with pytest.raises(ValidationError) as info:
        confirm_attendance(activity=activity, present=[n.v1, n.v2], acting_user=n.staff_a)
    assert info.value.message_dict == {"present": ["张伟 未报名该活动"]}
    with pytest.raises(PermissionDenied):
        confirm_attendance(activity=activity, present=[n.v1], acting_user=n.staff_b)
    with pytest.raises(PermissionDenied):
        confirm_attendance(activity=activity, present=[n.v1], acting_user=n.u1)
    assert not HoursEntry.objects.exists() and not PointsEntry.objects.exists()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED and activity.confirmed_at is None


def test_the_organiser_confirms_even_without_a_staff_role_any_more(vol, monkeypatch):
    n = vol
    organiser = make_user("organiser", full_name="赵老师")
    grant = grant_role(user=organiser, role=Role.COMMUNITY_STAFF, area=n.comm_a,
                       acting_user=None)
    activity = publish(n, acting_user=organiser)
    sign_up(activity=activity, acting_user=n.u1)
    revoke_role(grant=grant, acting_user=None)
    organiser = User.objects.get(pk=organiser.pk)  # grants are cached per user object
    travel(monkeypatch, activity.ends_at)
    assert len(confirm_attendance(activity=activity, present=[n.v1],
                                  acting_user=organiser)) == 1
    with pytest.raises(PermissionDenied):
        cancel_activity(activity=activity, reason="无", acting_user=organiser)


# --- reads -----------------------------------------------------------------------------------

def test_volunteers_see_their_communitys_upcoming_activities_and_their_signups(vol,
                                                                               monkeypatch):
    n = vol
    mine = publish(n, title="社区A活动")
    street_wide = publish(n, title="街道活动", area=n.street, acting_user=n.street_staff,
                          starts_at=n.now + timedelta(hours=5))
    publish(n, title="社区B活动", area=n.comm_b, acting_user=n.staff_b)
    gone = publish(n, title="已取消", starts_at=n.now + timedelta(hours=2))
    cancel_activity(activity=gone, reason="改期", acting_user=n.staff_a)
    assert list(selectors.activities_near(n.u1)) == [street_wide, mine]
    assert [a.title for a in selectors.activities_near(n.ub)] == ["街道活动", "社区B活动"]
    assert not selectors.activities_near(n.resident).exists()
    sign_up(activity=mine, acting_user=n.u1)
    sign_up(activity=street_wide, acting_user=n.u1)
    cancel_signup(activity=street_wide, acting_user=n.u1)
    assert [s.activity for s in selectors.my_signups(n.u1)] == [mine]
    assert not selectors.my_signups(n.u2).exists()
    travel(monkeypatch, mine.ends_at + timedelta(minutes=1))
    assert list(selectors.activities_near(n.u1)) == []
    assert list(selectors.managed_activities(n.staff_a).order_by("id")) == [mine, gone]


# --- property: the waiting list -------------------------------------------------------------

@pytest.fixture
def crowd(vol, monkeypatch):
    """Five volunteers of community A and a clock that ticks a second per reading (so the
    queue's order never rests on two equal timestamps)."""
    n = vol
    n.crowd = [n.v1, n.v2, *more_volunteers(n, 3)]
    ticks = iter(range(10**6))
    start = n.now
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=next(ticks)))
    return n


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(1, 3),
       ops=st.lists(st.tuples(st.booleans(), st.integers(0, 4)), min_size=1, max_size=25))
def test_the_waiting_list_is_first_come_first_served_and_never_overfills(crowd, capacity,
                                                                          ops):
    n = crowd
    with transaction.atomic():
        activity = publish(n, capacity=capacity)
        signed: list = []
        waiting: list = []
        for joining, who in ops:
            volunteer = n.crowd[who]
            listed = volunteer.pk in signed or volunteer.pk in waiting
            call = sign_up if joining else cancel_signup
            try:
                call(activity=activity, acting_user=volunteer.user)
                done = True
            except ValidationError:
                done = False
            assert done == (listed != joining)  # join when not listed, leave when listed
            if done and joining:
                (signed if len(signed) < capacity else waiting).append(volunteer.pk)
            elif done:
                if volunteer.pk in waiting:
                    waiting.remove(volunteer.pk)
                else:
                    signed.remove(volunteer.pk)
                    if waiting:
                        signed.append(waiting.pop(0))
            rows = activity.signups.order_by("created_at", "id")
            assert sorted(signed) == sorted(
                rows.filter(status=SignupStatus.SIGNED).values_list("volunteer_id", flat=True))
            assert waiting == list(
                rows.filter(status=SignupStatus.WAITING).values_list("volunteer_id", flat=True))
            assert len(signed) <= capacity and (not waiting or len(signed) == capacity)
        transaction.set_rollback(True)


# --- at the same moment (PostgreSQL) --------------------------------------------------------



def started(n, monkeypatch, **fields):
    """An activity with v1 and v2 signed up, checked in and out, now over."""
    activity = publish(n, **fields)
    for user in (n.u1, n.u2):
        sign_up(activity=activity, acting_user=user)
    travel(monkeypatch, activity.starts_at)
    for user in (n.u1, n.u2):
        check_in(token=activity.checkin_token, acting_user=user)
    travel(monkeypatch, activity.ends_at)
    return activity


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_credit_each_volunteer_once(vol, monkeypatch):
    n = vol
    rules()
    activity = started(n, monkeypatch)
    results, errors = race(
        lambda: confirm_attendance(activity=activity, present=[n.v1, n.v2],
                                   acting_user=n.staff_a),
        lambda: confirm_attendance(activity=activity, present=[n.v2, n.v1],
                                   acting_user=n.street_staff),
    )
    assert errors == [] and len(results) == 2
    assert sorted(e.volunteer_id for r in results for e in r) == sorted([n.v1.pk, n.v2.pk])
    for volunteer in (n.v1, n.v2):
        assert HoursEntry.objects.filter(volunteer=volunteer).count() == 1
        assert ledger.hours_total(volunteer) == Decimal("3")
        assert ledger.points_balance(volunteer.user) == 30 + 5
    assert AuditEvent.objects.filter(action="volunteering.credit_hours").count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_the_activity_lock_the_ledger_alone_still_credits_once(vol, monkeypatch):
    """The activity row lock serialises confirmations; take it away and the ledger's lock
    and unique key (volunteer, activity:<pk>) still keep each credit single."""
    n = vol
    rules()
    activity = started(n, monkeypatch)
    monkeypatch.setattr(activities, "_lock", lambda a: Activity.objects.get(pk=a.pk))
    results, errors = race(*[
        lambda user=user: confirm_attendance(activity=activity, present=[n.v1, n.v2],
                                             acting_user=user)
        for user in (n.staff_a, n.street_staff, n.district_staff)])
    assert errors == [] and len(results) == 3
    assert sum(len(r) for r in results) == 2
    for volunteer in (n.v1, n.v2):
        assert HoursEntry.objects.filter(volunteer=volunteer).count() == 1
        assert PointsEntry.objects.filter(holder=volunteer.user).count() == 2  # hours, activity
        assert ledger.time_bank_balance(volunteer.user) == Decimal("3")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_check_outs_at_the_same_moment_stamp_once_and_credit_nothing(vol, monkeypatch):
    n = vol
    activity = started(n, monkeypatch)
    results, errors = race(
        lambda: check_out(token=activity.checkin_token, acting_user=n.u1),
        lambda: check_out(token=activity.checkin_token, acting_user=n.u1),
    )
    assert errors == [] and len(results) == 2
    assert results[0].checked_out_at == results[1].checked_out_at == activity.ends_at
    assert AuditEvent.objects.filter(action="volunteering.check_out").count() == 1
    assert not HoursEntry.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_taking_the_last_place_at_once(vol):
    n = vol
    activity = publish(n, capacity=1)
    results, errors = race(
        lambda: sign_up(activity=activity, acting_user=n.u1),
        lambda: sign_up(activity=activity, acting_user=n.u2),
    )
    assert errors == []
    assert sorted(s.status for s in results) == [SignupStatus.SIGNED, SignupStatus.WAITING]
    assert activity.signups.filter(status=SignupStatus.SIGNED).count() == 1
