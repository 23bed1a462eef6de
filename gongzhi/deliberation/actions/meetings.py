"""Meetings: schedule (also the monthly joint meeting), agenda, invitations, sign-in,
minutes and a decision per topic."""

import calendar
import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.deliberation.actions._common import actor, require_runner, text
from gongzhi.deliberation.actions.topics import decide_topic
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    Meeting,
    MeetingStatus,
    Topic,
    TopicStatus,
)

FIELDS = ["council", "title", "starts_at", "place", "status", "recurring_monthly"]


def next_month(moment: datetime) -> datetime:
    """The same day and time a month later; the 31st becomes the month's last day."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year,
                                                                   moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _members(council: Council):
    return [m.user for m in council.members.filter(left_on__isnull=True, user__isnull=False,
                                                   user__is_active=True).select_related("user")]


def _invite(meeting: Meeting) -> None:
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    notify(_members(meeting.council), kind="deliberation.meeting_invitation",
           title=_("会议通知：%(title)s") % {"title": meeting.title},
           body=_("%(when)s，%(place)s") % {"when": when, "place": meeting.place},
           url=f"/deliberation/meetings/{meeting.pk}/")


def _new(council: Council, title: str, starts_at: datetime, place: str,
         recurring: bool) -> Meeting:
    return Meeting.objects.create(council=council, title=title, starts_at=starts_at,
                                  place=place, recurring_monthly=recurring,
                                  checkin_token=secrets.token_hex(16))


@transaction.atomic
def schedule_meeting(*, council: Council, title: str, starts_at: datetime, place: str,
                     acting_user, recurring_monthly: bool = False,
                     topics: list[Topic] | tuple = ()) -> Meeting:
    """A meeting with its agenda; members are invited through the inbox."""
    require_runner(acting_user, council.area_path)
    if not council.is_active:
        raise ValidationError({"council": _("该议事会已停止活动")})
    meeting = _new(council, text(title, "title", _("请填写会议名称"), 100), starts_at,
                   text(place, "place", _("请填写会议地点"), 100), bool(recurring_monthly))
    for topic in topics:
        _put_on_agenda(meeting, topic)
    audit.record(actor=acting_user, action="deliberation.schedule_meeting", obj=meeting,
                 area_path=council.area_path, after=audit.snapshot(meeting, FIELDS)
                 | {"agenda": [t.pk for t in topics]})
    _invite(meeting)
    return meeting


def _put_on_agenda(meeting: Meeting, topic: Topic) -> AgendaItem:
    if topic.council_id != meeting.council_id:
        raise ValidationError({"topic": _("议题不属于本议事会")})
    if topic.status != TopicStatus.AGENDA:
        raise ValidationError({"topic": _("“%(t)s”未列入议程（附议数不足或已有决定）")
                               % {"t": topic.title}})
    order = meeting.agenda.count() + 1
    try:
        with transaction.atomic():
            return AgendaItem.objects.create(meeting=meeting, topic=topic, order=order)
    except IntegrityError:
        raise ValidationError({"topic": _("该议题已在本次会议议程中")}) from None


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("council").get(pk=meeting.pk)


@transaction.atomic
def add_to_agenda(*, meeting: Meeting, topic: Topic, acting_user) -> AgendaItem:
    meeting = _lock(meeting)
    require_runner(acting_user, meeting.council.area_path)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("会议已召开或已取消，不能再调整议程"))
    item = _put_on_agenda(meeting, topic)
    audit.record(actor=acting_user, action="deliberation.add_to_agenda", obj=meeting,
                 area_path=meeting.council.area_path, after={"topic": topic.pk})
    return item


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, reason: str, acting_user) -> Meeting:
    meeting = _lock(meeting)
    require_runner(acting_user, meeting.council.area_path)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("只有已安排的会议可以取消"))
    reason = text(reason, "reason", _("请说明取消原因"), 300)
    before = audit.snapshot(meeting, FIELDS)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    audit.record(actor=acting_user, action="deliberation.cancel_meeting", obj=meeting,
                 area_path=meeting.council.area_path, before=before,
                 after=audit.snapshot(meeting, FIELDS) | {"reason": reason})
    notify(_members(meeting.council), kind="deliberation.meeting_cancelled",
           title=_("会议取消：%(title)s") % {"title": meeting.title}, body=reason,
           url=f"/deliberation/meetings/{meeting.pk}/")
    return meeting


def _sign(meeting: Meeting, member: CouncilMember, method: str, recorded_by) -> Attendance:
    if member.council_id != meeting.council_id or member.left_on is not None:
        raise ValidationError({"member": _("不是本议事会的在任成员")})
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("会议已取消"))
    try:
        with transaction.atomic():
            return Attendance.objects.create(meeting=meeting, member=member, method=method,
                                             checked_in_at=timezone.now(),
                                             recorded_by=recorded_by)
    except IntegrityError:
        raise ValidationError(_("%(name)s 已签到") % {"name": member.name}) from None


@transaction.atomic
def check_in(*, token: str, acting_user) -> Attendance:
    """A member scans the QR code shown at the meeting (扫码签到)."""
    meeting = Meeting.objects.select_related("council").filter(checkin_token=token).first()
    if meeting is None:
        raise ValidationError(_("签到码无效"))
    member = CouncilMember.objects.filter(council=meeting.council, user=acting_user,
                                          left_on__isnull=True).first() \
        if getattr(acting_user, "is_authenticated", False) else None
    if member is None:
        raise PermissionDenied(_("您不是该议事会成员，无需签到"))
    row = _sign(meeting, member, "qr", acting_user)
    audit.record(actor=acting_user, action="deliberation.check_in", obj=meeting,
                 area_path=meeting.council.area_path, after={"member": member.pk})
    return row


@transaction.atomic
def record_attendance(*, meeting: Meeting, members: list[CouncilMember], acting_user
                      ) -> list[Attendance]:
    """Staff tick the names of those present (工作人员登记); those already in are kept."""
    meeting = _lock(meeting)
    require_runner(acting_user, meeting.council.area_path)
    present = set(meeting.attendance.values_list("member_id", flat=True))
    rows = [_sign(meeting, m, "staff", actor(acting_user)) for m in members
            if m.pk not in present]
    audit.record(actor=acting_user, action="deliberation.record_attendance", obj=meeting,
                 area_path=meeting.council.area_path, after={"members": [r.member_id
                                                                         for r in rows]})
    return rows


@transaction.atomic
def record_minutes(*, meeting: Meeting, minutes: str, acting_user,
                   decisions: dict[int, tuple[str, bool]] | None = None) -> Meeting:
    """会议纪要 and, per agenda topic, its decision (text, adopted?); the meeting is held.
    A monthly joint meeting schedules the next one."""
    meeting = _lock(meeting)
    require_runner(acting_user, meeting.council.area_path)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("会议已取消"))
    before = audit.snapshot(meeting, FIELDS)
    meeting.minutes = text(minutes, "minutes", _("请填写会议纪要"), 20000)
    was_scheduled = meeting.status == MeetingStatus.SCHEDULED
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "status"])
    items = {item.topic_id: item for item in meeting.agenda.select_related("topic")}
    for topic_id, (decision, adopted) in (decisions or {}).items():
        item = items.get(int(topic_id))
        if item is None:
            raise ValidationError({"decisions": _("议题不在本次会议议程中")})
        if not (decision or "").strip():
            continue
        item.decision = decision.strip()
        item.save(update_fields=["decision"])
        decide_topic(topic=item.topic, decision=decision, adopted=adopted,
                     acting_user=acting_user)
    following = None
    if was_scheduled and meeting.recurring_monthly:
        starts = next_month(timezone.localtime(meeting.starts_at))
        following = _new(meeting.council, meeting.title, starts, meeting.place, True)
        _invite(following)
    audit.record(actor=acting_user, action="deliberation.record_minutes", obj=meeting,
                 area_path=meeting.council.area_path, before=before,
                 after=audit.snapshot(meeting, FIELDS)
                 | {"next": following.pk if following else None})
    return meeting
