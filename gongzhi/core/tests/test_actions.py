"""Core actions: working-day overrides (administrators only) and marking notifications read."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.accounts.actions import grant_role
from gongzhi.conftest import make_user
from gongzhi.core.actions import (
    mark_notifications_read,
    remove_workday_override,
    set_workday_override,
)
from gongzhi.core.models import AuditEvent, Notification, WorkdayOverride
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Role, is_administrator
from gongzhi.core.workdays import is_workday

DAY = date(2026, 2, 16)  # officially a Spring Festival rest day


def events(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def district_admin(street):
    user = make_user("district_admin")
    grant_role(user=user, role=Role.ADMIN, area=street.district, acting_user=None)
    return user


# --- who is an administrator ----------------------------------------------------------


@pytest.mark.django_db
def test_administrators_are_superusers_and_admins_at_a_root(street, superuser, district_admin):
    assert is_administrator(superuser)
    assert is_administrator(street.admin)  # admin role on the city, a root
    assert not is_administrator(district_admin)  # admin of one district only
    for user in (street.street_staff, street.staff_a, street.resident):
        assert not is_administrator(user)
    street.admin.is_active = False
    assert not is_administrator(street.admin)


# --- overrides ------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_override_creates_then_updates_with_one_event_each(street):
    override = set_workday_override(day=DAY, is_workday=True, note=" 补班 ",
                                    acting_user=street.admin)
    assert (override.day, override.is_workday, override.note) == (DAY, True, "补班")
    assert is_workday(DAY)
    (created,) = events("core.set_workday_override")
    assert created.actor == street.admin and created.before is None
    assert created.after == {"day": "2026-02-16", "is_workday": True, "note": "补班"}
    assert created.object_id == str(override.pk)

    again = set_workday_override(day=DAY, is_workday=False, note="", acting_user=street.admin)
    assert again.pk == override.pk and WorkdayOverride.objects.count() == 1
    assert not is_workday(DAY)
    _first, changed = events("core.set_workday_override")
    assert changed.before == {"day": "2026-02-16", "is_workday": True, "note": "补班"}
    assert changed.after == {"day": "2026-02-16", "is_workday": False, "note": ""}


@pytest.mark.django_db
def test_a_datetime_means_its_calendar_day(street):
    set_workday_override(day=datetime(2026, 2, 16, 23, 0), is_workday=True, note="",
                         acting_user=street.admin)
    assert WorkdayOverride.objects.get().day == DAY


@pytest.mark.django_db
def test_remove_override_restores_the_official_calendar(street, superuser):
    set_workday_override(day=DAY, is_workday=True, note="值班", acting_user=street.admin)
    remove_workday_override(day=DAY, acting_user=superuser)
    assert not WorkdayOverride.objects.exists()
    assert not is_workday(DAY)
    (removed,) = events("core.remove_workday_override")
    assert removed.actor == superuser and removed.after is None
    assert removed.before == {"day": "2026-02-16", "is_workday": True, "note": "值班"}


@pytest.mark.django_db
def test_removing_a_missing_override_is_a_clear_error(street):
    with pytest.raises(ValidationError) as err:
        remove_workday_override(day=DAY, acting_user=street.admin)
    assert "没有工作日调整" in str(err.value)
    assert not events("core.remove_workday_override")


@pytest.mark.django_db
def test_too_long_note_is_refused_and_nothing_is_written(street):
    with pytest.raises(ValidationError):
        set_workday_override(day=DAY, is_workday=True, note="长" * 201, acting_user=street.admin)
    assert not WorkdayOverride.objects.exists() and not events("core.set_workday_override")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff_a", "street_staff", "district_staff", "resident"])
def test_non_administrators_cannot_change_the_calendar(street, who):
    user = getattr(street, who)
    with pytest.raises(PermissionDenied):
        set_workday_override(day=DAY, is_workday=True, note="", acting_user=user)
    set_workday_override(day=DAY, is_workday=True, note="", acting_user=street.admin)
    with pytest.raises(PermissionDenied):
        remove_workday_override(day=DAY, acting_user=user)
    assert WorkdayOverride.objects.get().is_workday is True
    assert len(events("core.set_workday_override")) == 1


@pytest.mark.django_db
def test_a_district_admin_and_the_system_cannot_change_the_calendar(street, district_admin):
    with pytest.raises(PermissionDenied):
        set_workday_override(day=DAY, is_workday=True, note="", acting_user=district_admin)
    with pytest.raises(PermissionDenied):
        set_workday_override(day=DAY, is_workday=True, note="", acting_user=None)
    assert not WorkdayOverride.objects.exists()


# --- marking notifications read -------------------------------------------------------


@pytest.mark.django_db
def test_mark_read_sets_read_at_and_writes_one_event_per_call(street):
    notes = [notify([street.staff_a], kind="k", title=f"n{i}")[0] for i in range(3)]
    before = timezone.now()
    assert mark_notifications_read(acting_user=street.staff_a, ids=[notes[0].pk, notes[1].pk]) == 2
    read = Notification.objects.filter(read_at__isnull=False)
    assert {n.pk for n in read} == {notes[0].pk, notes[1].pk}
    assert all(n.read_at >= before for n in read)
    (event,) = events("core.mark_notifications_read")
    assert event.actor == street.staff_a and event.after == {"count": 2, "all": False}

    assert mark_notifications_read(acting_user=street.staff_a) == 1
    assert events("core.mark_notifications_read")[-1].after == {"count": 1, "all": True}


@pytest.mark.django_db
def test_nothing_to_mark_writes_no_event(street):
    (note,) = notify([street.staff_a], kind="k", title="x")
    assert mark_notifications_read(acting_user=street.staff_a, ids=[]) == 0
    assert mark_notifications_read(acting_user=street.staff_b, ids=[note.pk]) == 0
    assert mark_notifications_read(acting_user=street.staff_b) == 0
    assert not events("core.mark_notifications_read")


@pytest.mark.django_db
def test_already_read_notifications_keep_their_time(street):
    (note,) = notify([street.staff_a], kind="k", title="x")
    mark_notifications_read(acting_user=street.staff_a)
    first = Notification.objects.get(pk=note.pk).read_at
    assert mark_notifications_read(acting_user=street.staff_a, ids=[note.pk]) == 0
    assert Notification.objects.get(pk=note.pk).read_at == first


@pytest.mark.django_db
def test_mark_read_needs_a_logged_in_actor(street):
    from django.contrib.auth.models import AnonymousUser

    notify([street.staff_a], kind="k", title="x")
    for nobody in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            mark_notifications_read(acting_user=nobody)
    assert not Notification.objects.filter(read_at__isnull=False).exists()
