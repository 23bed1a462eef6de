"""Duty shifts in the volunteering API: the open list, signing up (201), a full shift and a
second signup refused (409, bilingual), giving the place up, and who cannot name what."""

from datetime import time, timedelta

from django.utils import timezone

from gongzhi.cases.tests.api_client import get, post
from gongzhi.volunteering.actions.rosters import create_shift_template, generate_shifts
from gongzhi.volunteering.models import Shift, ShiftSignup
from gongzhi.volunteering.tests.test_api import assert_error

API = "/api/volunteering"


def one_shift(n, slots=1) -> Shift:
    day = timezone.localdate() + timedelta(days=3)
    template = create_shift_template(title="监控室值守", area=n.comm_a, place="社区监控室",
                                     weekdays=str(day.weekday()), start_time=time(8),
                                     hours="8", slots=slots, acting_user=n.staff_a)
    generate_shifts(template=template, start=day, end=day, acting_user=n.staff_a)
    return Shift.objects.get(template=template)


def test_sign_up_then_the_full_shift_is_refused(client, vol):
    n = vol
    shift = one_shift(n)
    listed = get(client, n.u1, f"{API}/shifts")
    assert listed.status_code == 200, listed.content
    assert [(s["id"], s["signed_count"], s["slots"]) for s in listed.json()["items"]] == [
        (shift.pk, 0, 1)]

    made = post(client, n.u1, f"{API}/shifts/{shift.pk}/signup")
    assert made.status_code == 201, made.content
    body = made.json()
    signup = ShiftSignup.objects.get()
    assert (signup.volunteer, signup.shift, signup.status) == (n.v1, shift, "signed")
    assert (body["id"], body["status"], body["shift"]["signed_count"]) == (signup.pk, "signed", 1)
    mine = get(client, n.u1, f"{API}/shifts/mine").json()["items"]
    assert [m["id"] for m in mine] == [signup.pk]

    assert_error(post(client, n.u1, f"{API}/shifts/{shift.pk}/signup"), 409,
                 "already_signed_up")
    full = assert_error(post(client, n.u2, f"{API}/shifts/{shift.pk}/signup"), 409, "full")
    assert full["detail"] == "该班次已满员"
    assert get(client, n.u2, f"{API}/shifts").json()["items"] == []  # no place left
    assert ShiftSignup.objects.count() == 1


def test_outsiders_are_refused_and_unknown_rows_are_404(client, vol):
    n = vol
    shift = one_shift(n, slots=2)
    # Community B's volunteer does not serve here; a resident is no volunteer.
    assert_error(post(client, n.ub, f"{API}/shifts/{shift.pk}/signup"), 403, "forbidden")
    assert_error(post(client, n.resident, f"{API}/shifts/{shift.pk}/signup"), 403, "forbidden")
    assert get(client, n.ub, f"{API}/shifts").json()["items"] == []
    assert get(client, n.resident, f"{API}/shifts").json()["items"] == []
    assert_error(post(client, n.u1, f"{API}/shifts/999999/signup"), 404, "not_found")
    assert not ShiftSignup.objects.exists()
    client.logout()
    assert client.get(f"{API}/shifts").status_code == 401


def test_cancel_gives_the_place_back_once(client, vol):
    n = vol
    shift = one_shift(n)
    pk = post(client, n.u1, f"{API}/shifts/{shift.pk}/signup").json()["id"]
    # Somebody else's signup is not theirs to name.
    assert_error(post(client, n.u2, f"{API}/shifts/signups/{pk}/cancel"), 404, "not_found")
    done = post(client, n.u1, f"{API}/shifts/signups/{pk}/cancel")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled" and ShiftSignup.objects.get().status == "cancelled"
    assert get(client, n.u1, f"{API}/shifts/mine").json()["items"] == []
    assert_error(post(client, n.u1, f"{API}/shifts/signups/{pk}/cancel"), 409,
                 "already_cancelled")
    # The place is free again.
    assert post(client, n.u2, f"{API}/shifts/{shift.pk}/signup").status_code == 201


def test_a_started_shift_is_refused_with_422(client, vol, monkeypatch):
    n = vol
    shift = one_shift(n, slots=2)
    monkeypatch.setattr(timezone, "now", lambda: shift.starts_at + timedelta(minutes=5))
    late = assert_error(post(client, n.u1, f"{API}/shifts/{shift.pk}/signup"), 422, "invalid")
    assert late["detail"] == "该班次已开始，不能再报名或换班"
    assert not ShiftSignup.objects.exists()
