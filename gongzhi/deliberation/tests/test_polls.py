"""Polls: the frozen electorate, who votes online, paper ballots, the count, secrecy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.areas.actions import create_household
from gongzhi.areas.models import Household
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import actions
from gongzhi.deliberation.actions.polls import units_of
from gongzhi.deliberation.models import Ballot, PollStatus, PollUnit


def new_poll(n, area=None, **kw):
    kw.setdefault("rule", "simple")
    return actions.create_poll(title="更换单元门禁", area=area or n.comm_a,
                               electorate="households", acting_user=n.staff_a,
                               **(n.window | kw))


def opened(n, **kw):
    return actions.open_poll(poll=new_poll(n, **kw), acting_user=n.staff_a)


def unit(poll, household):
    return PollUnit.objects.get(poll=poll, household=household)


def test_create_validates_and_matter_brings_rule(delib):
    n = delib
    with pytest.raises(ValidationError):
        new_poll(n, rule="whatever")
    with pytest.raises(ValidationError):
        new_poll(n, closes_at=n.now - timedelta(days=1))
    with pytest.raises(ValidationError):
        new_poll(n, options=["唯一方案"])
    with pytest.raises(ValidationError):  # an owners' matter put to the council
        actions.create_poll(title="t", area=n.comm_a, electorate="council", matter="rebuild",
                            council=n.council, acting_user=n.staff_a, **n.window)
    with pytest.raises(PermissionDenied):
        actions.create_poll(title="t", area=n.comm_a, electorate="households", rule="simple",
                            acting_user=n.staff_b, **n.window)
    assert new_poll(n, rule="simple", matter="rebuild").rule == "art278_three_quarters"
    assert new_poll(n, rule="", matter="use_fund").rule == "art278_half"


def test_open_freezes_one_unit_per_household(delib):
    n = delib
    poll = opened(n)
    assert poll.status == PollStatus.OPEN
    units = {u.household_id: u for u in poll.units.all()}
    assert set(units) == {n.h1.pk, n.h2.pk, n.h3.pk}  # h4 is in community B
    assert units[n.h1.pk].owner_key == "id:110105194901011235"
    assert units[n.h2.pk].owner_key == f"unit:{n.h2.pk}"
    assert str(units[n.h2.pk].area) == "92.00"
    with pytest.raises(ValidationError):
        actions.open_poll(poll=poll, acting_user=n.staff_a)
    # A household added later is not in the electorate.
    create_household(building=n.b2, unit="", room="302", floor=3,
                     floor_area=Decimal("60.00"), acting_user=None)
    assert poll.units.count() == 3


def test_art278_needs_floor_areas(delib):
    n = delib
    Household.objects.filter(pk=n.h3.pk).update(floor_area=None)
    poll = new_poll(n, matter="use_fund")
    with pytest.raises(ValidationError):
        actions.open_poll(poll=poll, acting_user=n.staff_a)
    assert not poll.units.exists()


def test_only_the_owner_votes_online_once(delib):
    n = delib
    poll = opened(n)
    u1, u2 = unit(poll, n.h1), unit(poll, n.h2)
    with pytest.raises(PermissionDenied):
        actions.cast_ballot(poll=poll, unit=u1, choice="yes", acting_user=n.owner2)
    with pytest.raises(PermissionDenied):
        actions.cast_ballot(poll=poll, unit=u1, choice="yes", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.cast_ballot(poll=poll, unit=u1, choice="maybe", acting_user=n.owner1)
    ballot = actions.cast_ballot(poll=poll, unit=u1, choice="yes", acting_user=n.owner1)
    assert ballot.source == "online" and ballot.cast_by == n.owner1
    with pytest.raises(ValidationError):
        actions.cast_ballot(poll=poll, unit=u1, choice="no", acting_user=n.owner1)
    assert Ballot.objects.get(unit=u1).choice == "yes"
    # A tenant head does not vote for the home.
    Household.objects.filter(pk=n.h2.pk).update(tenure="tenant")
    n.owner2.refresh_from_db()
    assert not units_of(n.owner2, poll).exists()
    with pytest.raises(PermissionDenied):
        actions.cast_ballot(poll=poll, unit=u2, choice="yes", acting_user=n.owner2)


def test_voting_outside_the_window(delib):
    n = delib
    poll = opened(n, opens_at=n.now + timedelta(days=1), closes_at=n.now + timedelta(days=2))
    with pytest.raises(ValidationError):
        actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes",
                            acting_user=n.owner1)


def test_staff_enter_ballots_with_a_record(delib):
    n = delib
    poll = opened(n)
    u3 = unit(poll, n.h3)
    with pytest.raises(ValidationError):
        actions.enter_ballot(poll=poll, unit=u3, choice="no", source="paper", record=" ",
                             acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.enter_ballot(poll=poll, unit=u3, choice="no", source="online", record="x",
                             acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        actions.enter_ballot(poll=poll, unit=u3, choice="no", source="paper", record="x",
                             acting_user=n.staff_b)
    ballot = actions.enter_ballot(poll=poll, unit=u3, choice="no", source="paper",
                                  record="第 3 号纸质表决票", acting_user=n.staff_a)
    assert ballot.entered_by == n.staff_a and ballot.record == "第 3 号纸质表决票"
    with pytest.raises(ValidationError):
        actions.enter_ballot(poll=poll, unit=u3, choice="yes", source="hands", record="y",
                             acting_user=n.staff_a)


def test_close_stores_the_outcome(delib):
    n = delib
    poll = opened(n, matter="use_fund")  # 双过半
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes", acting_user=n.owner1)
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h2), choice="yes", acting_user=n.owner2)
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="no", source="paper",
                         record="第 1 号", acting_user=n.staff_a)
    closed = actions.close_poll(poll=poll, acting_user=n.staff_a)
    assert closed.status == PollStatus.CLOSED and closed.counted_at is not None
    out = closed.outcome
    assert out["passed"] is True and out["quorum_met"] is True
    assert (out["yes_units"], out["no_units"], out["units"]) == (2, 1, 3)
    assert out["yes_area"] == "180.50" and out["area"] == "250.50"
    with pytest.raises(ValidationError):
        actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="yes", source="paper",
                             record="late", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        actions.close_poll(poll=poll, acting_user=n.staff_a)


def test_close_without_quorum_fails(delib):
    n = delib
    poll = opened(n, matter="use_fund")
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes", acting_user=n.owner1)
    out = actions.close_poll(poll=poll, acting_user=n.staff_a).outcome
    assert out["quorum_met"] is False and out["passed"] is False


@pytest.mark.parametrize("secret", [True, False])
def test_secret_ballot_choice_not_in_audit(delib, secret):
    n = delib
    poll = opened(n, secret=secret)
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="no", acting_user=n.owner1)
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="yes", source="paper",
                         record="第 2 号", acting_user=n.staff_a)
    events = list(AuditEvent.objects.filter(action__in=["deliberation.cast_ballot",
                                                        "deliberation.enter_ballot"]))
    assert len(events) == 2
    for event in events:
        assert ("choice" in event.after) is (not secret)
    if not secret:
        assert {e.action: e.after["choice"] for e in events} == {
            "deliberation.cast_ballot": "no", "deliberation.enter_ballot": "yes"}


def test_choice_among_plans_adopts_the_winner(delib):
    n = delib
    poll = opened(n, options=["方案一：原址改造", "方案二：异地新建"])
    plan1, plan2 = poll.options.order_by("order")
    with pytest.raises(ValidationError):
        actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="yes",
                            acting_user=n.owner1)
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h1), choice="option",
                        option_id=plan2.pk, acting_user=n.owner1)
    actions.cast_ballot(poll=poll, unit=unit(poll, n.h2), choice="option",
                        option_id=plan2.pk, acting_user=n.owner2)
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="option",
                         option_id=plan1.pk, source="paper", record="第 1 号",
                         acting_user=n.staff_a)
    out = actions.close_poll(poll=poll, acting_user=n.staff_a).outcome
    assert out["passed"] is True and out["adopted"] == plan2.pk
    by_plan = {p["id"]: p for p in out["plans"]}
    assert by_plan[plan2.pk]["passed"] and not by_plan[plan1.pk]["passed"]
    assert by_plan[plan1.pk]["yes_units"] == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_devices_vote_the_same_unit_at_once(delib):
    n = delib
    poll = opened(n)
    u1 = unit(poll, n.h1)
    results, errors = race(
        lambda: actions.cast_ballot(poll=poll, unit=u1, choice="yes", acting_user=n.owner1),
        lambda: actions.cast_ballot(poll=poll, unit=u1, choice="no", acting_user=n.owner1),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Ballot.objects.filter(unit=u1).count() == 1
    assert Ballot.objects.get(unit=u1).choice == results[0].choice
    assert AuditEvent.objects.filter(action="deliberation.cast_ballot").count() == 1
