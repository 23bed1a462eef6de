"""Polls (表决): create, open (the electorate is frozen), vote, enter paper ballots, count.

One ballot per unit is the database's rule (a unique key), so two taps or two devices at
the same moment give one ballot and a clear refusal. A secret ballot's choice is never
written to the audit log or shown to staff; only the count is.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode, Household, Tenure
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.tree import subtree_q
from gongzhi.deliberation import tally
from gongzhi.deliberation.actions._common import actor, require_runner, text
from gongzhi.deliberation.electorate import owner_key
from gongzhi.deliberation.models import (
    Ballot,
    BallotSource,
    Council,
    Electorate,
    Poll,
    PollOption,
    PollStatus,
    PollUnit,
    Topic,
)
from gongzhi.deliberation.outcome import count_poll

POLL_FIELDS = ["title", "area", "electorate", "rule", "matter", "secret", "opens_at",
               "closes_at", "status"]
CHOICES = ("yes", "no", "abstain")


def _check_rule(*, electorate: str, rule: str, matter: str, council) -> str:
    """The rule the poll counts by: an owners' matter of art. 278 brings its own."""
    if electorate not in Electorate.values:
        raise ValidationError({"electorate": _("请选择表决人")})
    if matter:
        if electorate != Electorate.HOUSEHOLDS:
            raise ValidationError({"matter": _("共同决定事项只能由业主表决")})
        try:
            return tally.matter_rule(matter)
        except ValueError:
            raise ValidationError({"matter": _("未知的共同决定事项")}) from None
    if rule not in tally.RULES:
        raise ValidationError({"rule": _("请选择表决规则")})
    if electorate == Electorate.COUNCIL:
        if council is None:
            raise ValidationError({"council": _("议事会成员表决须选择议事会")})
        if rule.startswith("art278"):
            raise ValidationError({"rule": _("民法典第二百七十八条的规则只适用于业主表决")})
    return rule


@transaction.atomic
def create_poll(*, title: str, area: AreaNode, electorate: str, rule: str = "", matter: str = "",
                opens_at: datetime, closes_at: datetime, acting_user, description: str = "",
                secret: bool = False, council: Council | None = None,
                topic: Topic | None = None, options: list[str] | tuple = ()) -> Poll:
    """A draft poll; ``options`` (two or more) make it a choice among plans."""
    require_runner(acting_user, area)
    title = text(title, "title", _("请填写表决事项"), 100)
    rule = _check_rule(electorate=electorate, rule=rule, matter=matter, council=council)
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": _("截止时间须晚于开始时间")})
    if council is not None and not (area.path.startswith(council.area_path)
                                    or council.area_path.startswith(area.path)):
        raise ValidationError({"council": _("议事会与表决范围不在同一区域")})
    labels = [o.strip() for o in options if o and o.strip()]
    if len(labels) == 1:
        raise ValidationError({"options": _("供选择的方案至少两个")})
    poll = Poll.objects.create(
        title=title, description=(description or "").strip(), area=area, area_path=area.path,
        electorate=electorate, rule=rule, matter=matter, secret=bool(secret),
        opens_at=opens_at, closes_at=closes_at, council=council, topic=topic,
        created_by=actor(acting_user))
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label[:200], order=i) for i, label in enumerate(labels))
    audit.record(actor=acting_user, action="deliberation.create_poll", obj=poll,
                 after=audit.snapshot(poll, POLL_FIELDS) | {"options": labels})
    return poll


def _household_units(poll: Poll) -> list[PollUnit]:
    households = (Household.objects.filter(subtree_q(poll.area_path, "area_path"))
                  .select_related("building").prefetch_related("residents").order_by(
                      "area_path", "unit", "room"))
    units = []
    needs_area = poll.rule.startswith("art278")
    for h in households:
        if needs_area and h.floor_area is None:
            raise ValidationError(_("%(unit)s 没有建筑面积，无法按面积计票；请先补全住户资料")
                                  % {"unit": str(h)})
        units.append(PollUnit(poll=poll, household=h, owner_key=owner_key(h),
                              area=h.floor_area or Decimal("0"), label=str(h)[:100]))
    return units


def _member_units(poll: Poll) -> list[PollUnit]:
    members = poll.council.members.filter(left_on__isnull=True).order_by("id")
    return [PollUnit(poll=poll, member=m, owner_key=f"member:{m.pk}", area=Decimal("0"),
                     label=str(m)[:100]) for m in members]


@transaction.atomic
def open_poll(*, poll: Poll, acting_user) -> Poll:
    """草稿 → 表决中: the electorate is written down now and does not change afterwards."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    require_runner(acting_user, poll.area_path)
    if poll.status != PollStatus.DRAFT:
        raise ValidationError(_("只有草稿可以开始表决"))
    units = (_household_units(poll) if poll.electorate == Electorate.HOUSEHOLDS
             else _member_units(poll))
    if not units:
        raise ValidationError(_("表决范围内没有表决人"))
    PollUnit.objects.bulk_create(units, batch_size=2000)
    before = audit.snapshot(poll, POLL_FIELDS)
    poll.status = PollStatus.OPEN
    poll.save(update_fields=["status"])
    audit.record(actor=acting_user, action="deliberation.open_poll", obj=poll, before=before,
                 after=audit.snapshot(poll, POLL_FIELDS) | {"units": len(units)})
    notify(_voters(poll), kind="deliberation.poll_open",
           title=_("请参加表决：%(title)s") % {"title": poll.title},
           body=_("截止 %(when)s") % {"when": timezone.localtime(poll.closes_at)
                                     .strftime("%Y-%m-%d %H:%M")},
           url=f"/deliberation/polls/{poll.pk}/")
    return poll


def _voters(poll: Poll):
    from gongzhi.accounts.models import User

    if poll.electorate == Electorate.COUNCIL:
        return User.objects.filter(council_seats__council=poll.council_id,
                                   council_seats__left_on__isnull=True, is_active=True)
    return User.objects.filter(resident__household__area_path__startswith=poll.area_path,
                               resident__is_head=True, is_active=True)


def units_of(user, poll: Poll):
    """The units ``user`` may vote for online: the households they own as head (户主) of an
    owner-occupied home, all their units where their ID number is known; or their seat."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return PollUnit.objects.none()
    units = PollUnit.objects.filter(poll=poll)
    if poll.electorate == Electorate.COUNCIL:
        return units.filter(member__user=user, member__left_on__isnull=True)
    resident = getattr(user, "resident", None)
    if resident is None or not resident.is_head:
        return PollUnit.objects.none()
    if resident.household.tenure != Tenure.OWNER:
        return PollUnit.objects.none()
    if resident.id_number:
        return units.filter(owner_key=f"id:{resident.id_number.upper()}")
    return units.filter(household_id=resident.household_id)


def _choice(poll: Poll, choice: str, option_id) -> tuple[str, PollOption | None]:
    if poll.options.exists():
        if choice == "abstain":
            return "abstain", None
        option = poll.options.filter(pk=option_id).first() if option_id else None
        if option is None:
            raise ValidationError({"option": _("请选择一个方案")})
        return "option", option
    if choice not in CHOICES:
        raise ValidationError({"choice": _("请选择同意、反对或弃权")})
    return choice, None


def _is_open(poll: Poll, now: datetime) -> bool:
    return poll.status == PollStatus.OPEN and poll.opens_at <= now <= poll.closes_at


def _record_ballot(poll: Poll, unit: PollUnit, choice: str, option, **fields) -> Ballot:
    try:
        with transaction.atomic():
            return Ballot.objects.create(poll=poll, unit=unit, choice=choice, option=option,
                                         cast_at=timezone.now(), **fields)
    except IntegrityError:
        raise ValidationError({"unit": _("%(unit)s 已经投过票，每户只能投一票")
                               % {"unit": unit.label}}) from None


def _ballot_audit(poll: Poll, ballot: Ballot) -> dict:
    after = {"unit": ballot.unit_id, "source": ballot.source}
    if not poll.secret:  # a secret ballot's choice stays in the ballot box
        after["choice"] = ballot.option_id and f"option:{ballot.option_id}" or ballot.choice
    return after


@transaction.atomic
def cast_ballot(*, poll: Poll, unit: PollUnit, choice: str, acting_user,
                option_id: int | None = None) -> Ballot:
    """A verified owner (or a council member) votes online, once per unit."""
    poll = Poll.objects.get(pk=poll.pk)
    if not units_of(acting_user, poll).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("您不是该户的业主，不能代为投票"))
    if not _is_open(poll, timezone.now()):
        raise ValidationError(_("表决未开始或已截止"))
    choice, option = _choice(poll, choice, option_id)
    ballot = _record_ballot(poll, unit, choice, option, source=BallotSource.ONLINE,
                            cast_by=acting_user)
    audit.record(actor=acting_user, action="deliberation.cast_ballot", obj=poll,
                 after=_ballot_audit(poll, ballot))
    return ballot


@transaction.atomic
def enter_ballot(*, poll: Poll, unit: PollUnit, choice: str, source: str, record: str,
                 acting_user, option_id: int | None = None) -> Ballot:
    """Staff enter a ballot from a paper form or a show-of-hands record (until the count)."""
    poll = Poll.objects.get(pk=poll.pk)
    require_runner(acting_user, poll.area_path)
    if poll.status != PollStatus.OPEN:
        raise ValidationError(_("表决未开始或已计票，不能再录入"))
    if unit.poll_id != poll.pk:
        raise ValidationError({"unit": _("该户不在本次表决范围内")})
    if source not in (BallotSource.PAPER, BallotSource.HANDS):
        raise ValidationError({"source": _("请选择纸质表决票或举手表决记录")})
    record = text(record, "record", _("请写明依据，如“第 12 号纸质表决票”"), 200)
    choice, option = _choice(poll, choice, option_id)
    ballot = _record_ballot(poll, unit, choice, option, source=source, record=record,
                            entered_by=actor(acting_user))
    audit.record(actor=acting_user, action="deliberation.enter_ballot", obj=poll,
                 after=_ballot_audit(poll, ballot) | {"record": record})
    return ballot


@transaction.atomic
def close_poll(*, poll: Poll, acting_user, now: datetime | None = None) -> Poll:
    """表决中 → 已计票: count once and keep the count with the poll."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    require_runner(acting_user, poll.area_path)
    if poll.status != PollStatus.OPEN:
        raise ValidationError(_("只有表决中的表决可以计票"))
    before = audit.snapshot(poll, POLL_FIELDS)
    poll.outcome = count_poll(poll)
    poll.status, poll.counted_at = PollStatus.CLOSED, now or timezone.now()
    poll.save(update_fields=["outcome", "status", "counted_at"])
    audit.record(actor=acting_user, action="deliberation.close_poll", obj=poll, before=before,
                 after=audit.snapshot(poll, POLL_FIELDS) | {"passed": poll.outcome["passed"]})
    notify(_voters(poll), kind="deliberation.poll_result",
           title=_("表决结果：%(title)s") % {"title": poll.title},
           url=f"/deliberation/polls/{poll.pk}/result/")
    return poll
