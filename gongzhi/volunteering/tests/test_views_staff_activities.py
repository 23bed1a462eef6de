"""Staff console pages for activities (publish, QR code, attendance) and duty rosters
(templates, generating shifts, the uncovered report, confirming who served)."""

import re
from datetime import timedelta

from django.utils import timezone

from gongzhi.volunteering.actions.activities import check_in, sign_up
from gongzhi.volunteering.actions.rosters import sign_up_shift
from gongzhi.volunteering.models import (
    Activity,
    HoursEntry,
    Shift,
    ShiftTemplate,
)

M = "/volunteering/manage"


def html(response) -> str:
    return response.content.decode()


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def travel(monkeypatch, moment) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def activity_data(n, **extra) -> dict:
    starts = timezone.now() + timedelta(minutes=30)
    return {"title": "清洁家园", "area": n.comm_a.pk, "place": "社区广场",
            "starts_at": local(starts), "ends_at": local(starts + timedelta(hours=3)),
            "capacity": "5", "hours": "3"} | extra


def test_publish_then_qr_then_attendance_credits_hours_once(client, vol, monkeypatch):
    n = vol
    client.force_login(n.staff_a)
    response = client.post(f"{M}/activities/new/", activity_data(n, hours="5"))
    assert response.status_code == 400 and "记录时长不能超过活动时长" in html(response)
    assert not Activity.objects.exists()
    response = client.post(f"{M}/activities/new/", activity_data(n, team=n.team.pk))
    activity = Activity.objects.get()
    assert response["Location"] == f"{M}/activities/{activity.pk}/"
    assert (activity.title, activity.team, activity.capacity) == ("清洁家园", n.team, 5)
    page = html(client.get(f"{M}/activities/{activity.pk}/"))
    assert f"/volunteering/activities/checkin/{activity.checkin_token}/" in page
    qr = client.get(f"{M}/activities/{activity.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert f'data-activity="{activity.pk}"' in html(client.get(f"{M}/activities/"))

    sign_up(activity=activity, acting_user=n.u1)
    sign_up(activity=activity, acting_user=n.u2)
    travel(monkeypatch, activity.starts_at + timedelta(minutes=10))
    check_in(token=activity.checkin_token, acting_user=n.u1)
    client.force_login(n.staff_a)
    page = html(client.get(f"{M}/activities/{activity.pk}/"))
    boxes = dict(re.findall(r'<input type="checkbox" name="present" value="(\d+)"([^>]*)>', page))
    assert "checked" in boxes[str(n.v1.pk)] and "checked" not in boxes[str(n.v2.pk)]

    response = client.post(f"{M}/activities/{activity.pk}/attendance/",
                           {"present": [n.v1.pk]})
    assert response.status_code == 302
    assert list(HoursEntry.objects.values_list("volunteer_id", "hours")) == [(n.v1.pk, 3)]
    response = client.post(f"{M}/activities/{activity.pk}/attendance/",
                           {"present": [n.v1.pk]}, follow=True)
    assert "新记录 0 人" in html(response)
    assert HoursEntry.objects.count() == 1
    activity.refresh_from_db()
    assert activity.status == "confirmed"
    # Community B's staff neither see nor confirm it.
    client.force_login(n.staff_b)
    assert client.get(f"{M}/activities/{activity.pk}/").status_code == 404
    assert client.get(f"{M}/activities/{activity.pk}/qr.svg").status_code == 404
    assert client.post(f"{M}/activities/{activity.pk}/attendance/",
                       {"present": [n.v2.pk]}).status_code == 404
    assert HoursEntry.objects.count() == 1


def test_attendance_of_someone_not_signed_up_is_refused(client, vol, monkeypatch):
    n = vol
    client.force_login(n.staff_a)
    client.post(f"{M}/activities/new/", activity_data(n))
    activity = Activity.objects.get()
    sign_up(activity=activity, acting_user=n.u1)
    travel(monkeypatch, activity.starts_at + timedelta(minutes=10))
    client.force_login(n.staff_a)
    response = client.post(f"{M}/activities/{activity.pk}/attendance/",
                           {"present": [n.v2.pk]})
    assert response.status_code == 400
    assert not HoursEntry.objects.exists()


def test_cancel_an_activity_needs_a_reason(client, vol):
    n = vol
    client.force_login(n.staff_a)
    client.post(f"{M}/activities/new/", activity_data(n))
    activity = Activity.objects.get()
    response = client.post(f"{M}/activities/{activity.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "请说明取消原因" in html(response)
    client.post(f"{M}/activities/{activity.pk}/cancel/", {"reason": "暴雨"})
    activity.refresh_from_db()
    assert activity.status == "cancelled"


def test_roster_template_generate_and_the_uncovered_report(client, vol):
    n = vol
    client.force_login(n.staff_a)
    data = {"title": "监控室值守", "area": n.comm_a.pk, "place": "社区监控室",
            "weekdays": list("0123456"), "start_time": "20:00", "hours": "30", "slots": "1"}
    response = client.post(f"{M}/rosters/new/", data)
    assert response.status_code == 400 and "时长须在 0.5 到 24 小时之间" in html(response)
    assert not ShiftTemplate.objects.exists()
    assert client.post(f"{M}/rosters/new/", data | {"hours": "4"}).status_code == 302
    template = ShiftTemplate.objects.get()
    assert (template.weekdays, template.place) == ("0123456", "社区监控室")
    assert "星期一、星期二、星期三" in html(client.get(f"{M}/rosters/"))
    start = timezone.localdate() + timedelta(days=1)
    end = start + timedelta(days=6)
    response = client.post(f"{M}/rosters/generate/", {
        "template": template.pk, "start": start.isoformat(), "end": end.isoformat()},
        follow=True)
    assert "已生成 7 个班次" in html(response)
    assert Shift.objects.count() == 7
    again = client.post(f"{M}/rosters/generate/", {
        "template": template.pk, "start": start.isoformat(),
        "end": (start - timedelta(days=1)).isoformat()})
    assert again.status_code == 400 and "结束日期不能早于开始日期" in html(again)
    first = Shift.objects.order_by("starts_at").first()
    sign_up_shift(shift=first, acting_user=n.u1)
    window = {"start": start.isoformat(), "end": end.isoformat()}
    page = html(client.get(f"{M}/rosters/uncovered/", window))
    assert "6 个班次缺岗，共缺 6 人" in page
    assert f'data-shift="{first.pk}"' not in page
    page = html(client.get(f"{M}/rosters/uncovered/"))  # default: the next 14 days
    assert "6 个班次缺岗" in page
    page = html(client.get(f"{M}/rosters/uncovered/", {"start": start.isoformat(),
                                                       "end": start.isoformat()}))
    assert "0 个班次缺岗" in page
    client.force_login(n.staff_b)
    assert "0 个班次缺岗" in html(client.get(f"{M}/rosters/uncovered/", window))
    assert client.post(f"{M}/rosters/{template.pk}/retire/").status_code == 404
    template.refresh_from_db()
    assert template.is_active
    assert client.post(f"{M}/rosters/generate/", {
        "template": template.pk, "start": start.isoformat(),
        "end": end.isoformat()}).status_code == 400  # not one of theirs to pick


def test_confirm_a_past_shift(client, vol, monkeypatch):
    n = vol
    client.force_login(n.staff_a)
    client.post(f"{M}/rosters/new/", {"title": "夜间巡逻", "area": n.comm_a.pk,
                                     "place": "小区", "weekdays": list("0123456"),
                                     "start_time": "20:00", "hours": "2", "slots": "2"})
    template = ShiftTemplate.objects.get()
    day = timezone.localdate() + timedelta(days=1)
    client.post(f"{M}/rosters/generate/", {"template": template.pk, "start": day.isoformat(),
                                          "end": day.isoformat()})
    shift = Shift.objects.get()
    sign_up_shift(shift=shift, acting_user=n.u1)
    travel(monkeypatch, shift.ends_at + timedelta(hours=1))
    client.force_login(n.staff_a)
    page = html(client.get(f"{M}/rosters/"))
    assert f'data-shift="{shift.pk}"' in page
    response = client.post(f"{M}/rosters/shifts/{shift.pk}/confirm/", {"present": [n.v1.pk]})
    assert response.status_code == 302
    assert list(HoursEntry.objects.values_list("volunteer_id", "source_key")) == [
        (n.v1.pk, f"shift:{shift.pk}")]
    client.post(f"{M}/rosters/shifts/{shift.pk}/confirm/", {"present": [n.v1.pk]})
    assert HoursEntry.objects.count() == 1
    client.force_login(n.staff_b)
    assert client.post(f"{M}/rosters/shifts/{shift.pk}/confirm/",
                       {"present": [n.v1.pk]}).status_code == 404


def test_every_page_opens_for_staff_at_each_level(client, vol):
    n = vol
    for user in (n.staff_a, n.street_staff, n.district_staff):
        client.force_login(user)
        for url in ("/", "/orders/", "/menu/", "/menu/new/", "/activities/",
                    "/activities/new/", "/rosters/", "/rosters/new/", "/rosters/uncovered/",
                    "/volunteers/", f"/volunteers/{n.v1.pk}/", "/rankings/", "/rewards/",
                    "/coupons/", "/counter/"):
            response = client.get(M + url)
            assert response.status_code == 200, (user, url)
            assert 'class="console-nav"' in html(response), url


def test_home_shows_activities_to_confirm_and_uncovered_shifts(client, vol, monkeypatch):
    n = vol
    client.force_login(n.staff_a)
    client.post(f"{M}/activities/new/", activity_data(n))
    activity = Activity.objects.get()
    client.post(f"{M}/rosters/new/", {"title": "监控室值守", "area": n.comm_a.pk,
                                     "place": "监控室", "weekdays": list("0123456"),
                                     "start_time": "20:00", "hours": "4", "slots": "1"})
    day = timezone.localdate() + timedelta(days=1)
    client.post(f"{M}/rosters/generate/", {"template": ShiftTemplate.objects.get().pk,
                                          "start": day.isoformat(), "end": day.isoformat()})
    shift = Shift.objects.get()
    page = html(client.get(f"{M}/"))
    assert f'data-shift="{shift.pk}"' in page
    assert f"/activities/{activity.pk}/#attendance" not in page  # not started yet
    travel(monkeypatch, activity.starts_at + timedelta(hours=1))
    client.force_login(n.staff_a)
    page = html(client.get(f"{M}/"))
    assert f"/activities/{activity.pk}/#attendance" in page
    client.force_login(n.staff_b)
    page = html(client.get(f"{M}/"))
    assert f'data-shift="{shift.pk}"' not in page
    assert f"/activities/{activity.pk}/" not in page


def test_retiring_a_template_takes_its_shifts_off_the_report(client, vol):
    n = vol
    client.force_login(n.staff_a)
    client.post(f"{M}/rosters/new/", {"title": "监控室值守", "area": n.comm_a.pk,
                                     "place": "监控室", "weekdays": list("0123456"),
                                     "start_time": "20:00", "hours": "4", "slots": "1"})
    template = ShiftTemplate.objects.get()
    day = timezone.localdate() + timedelta(days=1)
    client.post(f"{M}/rosters/generate/", {"template": template.pk, "start": day.isoformat(),
                                          "end": day.isoformat()})
    assert "1 个班次缺岗" in html(client.get(f"{M}/rosters/uncovered/"))
    client.post(f"{M}/rosters/{template.pk}/retire/")
    template.refresh_from_db()
    assert not template.is_active
    assert "0 个班次缺岗" in html(client.get(f"{M}/rosters/uncovered/"))
