"""The volunteer's activity and shift pages: signing up to capacity then the waiting list
(with the position), a cancellation moving the first waiting up, the QR check-in page,
shift sign-up with a full shift refused, and a swap moving the place."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering.actions.rosters import generate_shifts
from gongzhi.volunteering.models import ActivitySignup, ShiftSignup, ShiftSwap, SignupStatus
from gongzhi.volunteering.tests.test_activities import more_volunteers, publish
from gongzhi.volunteering.tests.test_rosters import template


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def status_of(activity, volunteer) -> str:
    return ActivitySignup.objects.get(activity=activity, volunteer=volunteer).status


# --- activities -------------------------------------------------------------------------------


def test_sign_up_to_capacity_then_waiting_list_and_cancel_moves_up(vol, client):
    activity = publish(vol, capacity=2)
    extra1, extra2 = more_volunteers(vol, 2)
    signup_url = reverse("volunteering:activity_signup", args=[activity.pk])
    page_url = reverse("volunteering:activity", args=[activity.pk])
    for user in (vol.u1, vol.u2):
        assert "报名成功" in text(login(client, user).post(signup_url, follow=True))
    listing = text(client.get(reverse("volunteering:activities")))
    assert "清洁家园" in listing and "名额已满" in listing
    response = login(client, extra1.user).post(signup_url, follow=True)
    assert "候补第 1 位" in text(response)
    response = login(client, extra2.user).post(signup_url, follow=True)
    assert "候补第 2 位" in text(response)
    assert "2 人候补" in text(client.get(reverse("volunteering:activities")))
    again = text(client.post(signup_url, follow=True))
    assert "您已在候补名单中" in again

    response = login(client, vol.u1).post(reverse("volunteering:activity_cancel",
                                                  args=[activity.pk]), follow=True)
    assert "已取消报名" in text(response)
    assert status_of(activity, vol.v1) == SignupStatus.CANCELLED
    assert status_of(activity, extra1) == SignupStatus.SIGNED
    assert status_of(activity, extra2) == SignupStatus.WAITING
    assert "候补第 1 位" in text(login(client, extra2.user).get(page_url))
    assert "已报名" in text(login(client, extra1.user).get(page_url))


def test_activity_outside_my_community_is_404_and_sign_up_refused(vol, client):
    activity = publish(vol)
    login(client, vol.ub)
    assert client.get(reverse("volunteering:activity", args=[activity.pk])).status_code == 404
    assert client.post(reverse("volunteering:activity_signup",
                               args=[activity.pk])).status_code == 404
    assert not ActivitySignup.objects.exists()
    assert "清洁家园" not in text(client.get(reverse("volunteering:activities")))


def test_qr_check_in_and_out(vol, client):
    activity = publish(vol, starts_at=timezone.now() + timedelta(minutes=30))
    url = reverse("volunteering:checkin", args=[activity.checkin_token])
    login(client, vol.u1).post(reverse("volunteering:activity_signup", args=[activity.pk]))
    page = text(client.get(url))
    assert 'value="in"' in page and "签到" in page
    assert "签到成功" in text(client.post(url, {"step": "in"}, follow=True))
    signup = ActivitySignup.objects.get(volunteer=vol.v1)
    assert signup.checked_in_at is not None and signup.checked_out_at is None
    assert 'value="out"' in text(client.get(url))
    assert "签退成功" in text(client.post(url, {"step": "out"}, follow=True))
    signup.refresh_from_db()
    assert signup.checked_out_at is not None
    assert "已签退" in text(client.get(url))


def test_qr_page_explains_why_not(vol, client):
    activity = publish(vol, capacity=1, starts_at=timezone.now() + timedelta(minutes=30))
    url = reverse("volunteering:checkin", args=[activity.checkin_token])
    login(client, vol.u1).post(reverse("volunteering:activity_signup", args=[activity.pk]))
    # Signed up too late: on the waiting list.
    login(client, vol.u2).post(reverse("volunteering:activity_signup", args=[activity.pk]))
    page = text(client.get(url))
    assert "候补第 1 位" in page and 'value="in"' not in page
    response = client.post(url, {"step": "in"}, follow=True)
    assert "您没有报名该活动" in text(response)
    assert ActivitySignup.objects.get(volunteer=vol.v2).checked_in_at is None
    # Not signed up at all / not a volunteer / a bad code.
    assert "您没有报名该活动" in text(login(client, vol.ub).get(url))
    assert "请先注册成为志愿者" in text(login(client, vol.resident).get(url))
    response = client.get(reverse("volunteering:checkin", args=["nonsense"]))
    assert response.status_code == 404 and "签到码无效" in text(response)


def test_check_in_before_it_opens_is_refused(vol, client):
    activity = publish(vol, starts_at=timezone.now() + timedelta(days=1))
    url = reverse("volunteering:checkin", args=[activity.checkin_token])
    login(client, vol.u1).post(reverse("volunteering:activity_signup", args=[activity.pk]))
    response = client.post(url, {"step": "in"}, follow=True)
    assert "签到将于活动开始前 1 小时开放" in text(response)
    assert ActivitySignup.objects.get(volunteer=vol.v1).checked_in_at is None


# --- shifts -----------------------------------------------------------------------------------


def one_shift(n, slots=1):
    duty = template(n, slots=slots, team=n.team)
    day = timezone.localdate() + timedelta(days=1)
    generate_shifts(template=duty, start=day, end=day, acting_user=n.staff_a)
    return duty.shifts.get()


def test_shift_sign_up_and_full_shift_refused(vol, client):
    shift = one_shift(vol)
    login(client, vol.u1)
    assert "夜间巡逻" in text(client.get(reverse("volunteering:shifts")))
    response = client.post(reverse("volunteering:shift_signup", args=[shift.pk]), follow=True)
    assert "值守报名成功" in text(response)
    page = text(login(client, vol.u2).get(reverse("volunteering:shifts")))
    assert "近期没有空缺的班次" in page
    response = client.post(reverse("volunteering:shift_signup", args=[shift.pk]), follow=True)
    assert "该班次已满员" in text(response)
    assert list(ShiftSignup.objects.filter(status="signed").values_list(
        "volunteer", flat=True)) == [vol.v1.pk]


def test_swap_request_and_accept_moves_the_place(vol, client):
    shift = one_shift(vol)
    login(client, vol.u1).post(reverse("volunteering:shift_signup", args=[shift.pk]))
    mine = ShiftSignup.objects.get(volunteer=vol.v1)
    page = text(client.get(reverse("volunteering:shifts")))
    assert "申请换班" in page and "张伟" in page and "刘芳" not in page
    # Someone from another community is not offered and is refused.
    response = client.post(reverse("volunteering:shift_swap", args=[mine.pk]),
                           {"to_volunteer": vol.vb.pk}, follow=True)
    assert "请选择同一队伍或社区的志愿者" in text(response)
    response = client.post(reverse("volunteering:shift_swap", args=[mine.pk]),
                           {"to_volunteer": vol.v2.pk}, follow=True)
    assert "等待对方确认" in text(response)
    swap = ShiftSwap.objects.get()
    # Only the one asked may answer.
    assert client.post(reverse("volunteering:swap_answer", args=[swap.pk]),
                       {"answer": "accept"}).status_code == 404
    login(client, vol.u2)
    page = text(client.get(reverse("volunteering:shifts")))
    assert "王秀英 请您代班" in page
    response = client.post(reverse("volunteering:swap_answer", args=[swap.pk]),
                           {"answer": "accept"}, follow=True)
    assert "已接受换班" in text(response)
    signed = ShiftSignup.objects.filter(shift=shift, status="signed")
    assert list(signed.values_list("volunteer", flat=True)) == [vol.v2.pk]
    mine.refresh_from_db()
    assert mine.status == SignupStatus.CANCELLED


def test_swap_decline_keeps_the_place_and_cancel_frees_it(vol, client):
    shift = one_shift(vol)
    login(client, vol.u1).post(reverse("volunteering:shift_signup", args=[shift.pk]))
    mine = ShiftSignup.objects.get(volunteer=vol.v1)
    client.post(reverse("volunteering:shift_swap", args=[mine.pk]), {"to_volunteer": vol.v2.pk})
    swap = ShiftSwap.objects.get()
    login(client, vol.u2).post(reverse("volunteering:swap_answer", args=[swap.pk]),
                               {"answer": "decline"})
    swap.refresh_from_db()
    mine.refresh_from_db()
    assert swap.status == "declined" and mine.status == "signed"
    # Another volunteer cannot cancel my place.
    assert client.post(reverse("volunteering:shift_cancel", args=[mine.pk])).status_code == 404
    response = login(client, vol.u1).post(reverse("volunteering:shift_cancel", args=[mine.pk]),
                                          follow=True)
    assert "已取消该班次" in text(response)
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_shifts_page_sends_non_volunteers_to_register(vol, client):
    response = login(client, vol.resident).get(reverse("volunteering:shifts"))
    assert response.url == reverse("volunteering:register")
