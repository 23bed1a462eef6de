"""Meetings: agenda, invitations, QR sign-in, attendance, minutes and the monthly series."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.deliberation import actions
from gongzhi.deliberation.actions.meetings import next_month
from gongzhi.deliberation.models import Attendance, Meeting, MeetingStatus, TopicStatus

TZ = ZoneInfo("Asia/Shanghai")


def agenda_topic(n, title="楼道照明"):
    return actions.raise_topic(council=n.council, title=title, description="更换灯具",
                               acting_user=n.staff_a)


def schedule(n, **kw):
    kw.setdefault("starts_at", n.now)
    return actions.schedule_meeting(council=n.council, title="三月议事会", place="社区活动室",
                                    acting_user=n.staff_a, **kw)


def test_next_month_clamps_to_month_end():
    assert next_month(datetime(2026, 1, 31, 19, 30)) == datetime(2026, 2, 28, 19, 30)
    assert next_month(datetime(2028, 1, 31, 9, 0)) == datetime(2028, 2, 29, 9, 0)
    assert next_month(datetime(2026, 12, 15)) == datetime(2027, 1, 15)


def test_schedule_with_agenda_and_invitations(delib):
    n = delib
    topic = agenda_topic(n)
    proposed = actions.propose_topic(council=n.council, title="车棚", description="建车棚",
                                     acting_user=n.owner1)
    with pytest.raises(ValidationError):
        schedule(n, topics=[proposed])
    assert not Meeting.objects.exists()  # atomic: nothing left behind
    with pytest.raises(PermissionDenied):
        actions.schedule_meeting(council=n.council, title="t", place="p", starts_at=n.now,
                                 acting_user=n.staff_b)
    meeting = schedule(n, topics=[topic])
    assert [i.topic for i in meeting.agenda.all()] == [topic]
    invited = set(Notification.objects.filter(kind="deliberation.meeting_invitation")
                  .values_list("recipient", flat=True))
    assert invited == {n.owner1.pk, n.owner2.pk}
    with pytest.raises(ValidationError):  # already on this agenda
        actions.add_to_agenda(meeting=meeting, topic=topic, acting_user=n.staff_a)
    second = actions.add_to_agenda(meeting=meeting, topic=agenda_topic(n, "绿化"),
                                   acting_user=n.staff_a)
    assert second.order == 2


def test_qr_check_in_once_and_members_only(delib):
    n = delib
    meeting = schedule(n)
    with pytest.raises(ValidationError):
        actions.check_in(token="nope", acting_user=n.owner1)
    with pytest.raises(PermissionDenied):
        actions.check_in(token=meeting.checkin_token, acting_user=n.owner3)
    row = actions.check_in(token=meeting.checkin_token, acting_user=n.owner1)
    assert row.member == n.m1 and row.method == "qr"
    with pytest.raises(ValidationError):
        actions.check_in(token=meeting.checkin_token, acting_user=n.owner1)
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_staff_record_attendance(delib):
    n = delib
    meeting = schedule(n)
    actions.check_in(token=meeting.checkin_token, acting_user=n.owner1)
    with pytest.raises(PermissionDenied):
        actions.record_attendance(meeting=meeting, members=[n.m2], acting_user=n.owner1)
    rows = actions.record_attendance(meeting=meeting, members=[n.m1, n.m2],
                                     acting_user=n.staff_a)
    assert [r.member for r in rows] == [n.m2] and rows[0].recorded_by == n.staff_a
    assert rows[0].method == "staff"
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_minutes_decide_topics(delib):
    n = delib
    adopt, decline, later = agenda_topic(n, "甲"), agenda_topic(n, "乙"), agenda_topic(n, "丙")
    meeting = schedule(n, topics=[adopt, decline, later])
    other = agenda_topic(n, "不在议程")
    with pytest.raises(ValidationError):
        actions.record_minutes(meeting=meeting, minutes="纪要", acting_user=n.staff_a,
                               decisions={other.pk: ("同意", True)})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED  # rolled back
    actions.record_minutes(meeting=meeting, minutes="与会成员充分讨论", acting_user=n.staff_a,
                           decisions={adopt.pk: ("同意实施", True),
                                      str(decline.pk): ("暂不实施", False),
                                      later.pk: ("", True)})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.minutes == "与会成员充分讨论"
    for topic, status in ((adopt, TopicStatus.DECIDED), (decline, TopicStatus.DECLINED),
                          (later, TopicStatus.AGENDA)):
        topic.refresh_from_db()
        assert topic.status == status
    assert meeting.agenda.get(topic=adopt).decision == "同意实施"
    assert Meeting.objects.count() == 1  # not a monthly meeting: no follow-up


def test_monthly_meeting_schedules_the_next(delib):
    n = delib
    starts = datetime(2026, 1, 31, 19, 30, tzinfo=TZ)
    meeting = schedule(n, starts_at=starts, recurring_monthly=True)
    actions.record_minutes(meeting=meeting, minutes="一月联席会议", acting_user=n.staff_a)
    following = Meeting.objects.exclude(pk=meeting.pk).get()
    local = timezone.localtime(following.starts_at, TZ)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 2, 28, 19,
                                                                              30)
    assert following.recurring_monthly and following.status == MeetingStatus.SCHEDULED
    assert following.checkin_token != meeting.checkin_token
    # Minutes corrected later do not schedule another one.
    actions.record_minutes(meeting=meeting, minutes="一月联席会议（修订）",
                           acting_user=n.staff_a)
    assert Meeting.objects.count() == 2


def test_cancel(delib):
    n = delib
    meeting = schedule(n)
    with pytest.raises(ValidationError):
        actions.cancel_meeting(meeting=meeting, reason=" ", acting_user=n.staff_a)
    actions.cancel_meeting(meeting=meeting, reason="台风预警", acting_user=n.staff_a)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(kind="deliberation.meeting_cancelled").count() == 2
    with pytest.raises(ValidationError):
        actions.cancel_meeting(meeting=meeting, reason="again", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.check_in(token=meeting.checkin_token, acting_user=n.owner1)
    with pytest.raises(ValidationError):
        actions.record_minutes(meeting=meeting, minutes="x", acting_user=n.staff_a)
