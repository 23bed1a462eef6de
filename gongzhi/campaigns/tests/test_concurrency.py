"""Votes sent at the same moment (real concurrency: PostgreSQL). The database keeps the
limit: one vote a nominee, and no more than the selection allows per category."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Selection, Vote
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.core.models import AuditEvent

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_votes_for_the_same_nominee_at_once_count_once(campaigns):
    n = campaigns
    results, errors = race(lambda: ca.cast_vote(nomination=n.wang, acting_user=n.resident),
                           lambda: ca.cast_vote(nomination=n.wang, acting_user=n.resident))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Vote.objects.filter(voter=n.resident).count() == 1
    assert AuditEvent.objects.filter(action="campaigns.cast_vote").count() == 1


def test_one_vote_a_category_holds_when_two_nominees_are_voted_for_at_once(campaigns):
    n = campaigns
    Selection.objects.filter(pk=n.voting.pk).update(votes_per_category=1)
    results, errors = race(lambda: ca.cast_vote(nomination=n.wang, acting_user=n.resident),
                           lambda: ca.cast_vote(nomination=n.li, acting_user=n.resident),
                           lambda: ca.cast_vote(nomination=n.unit1, acting_user=n.resident))
    # One of the two 最美家庭 votes, and the 最美楼道 vote (another category).
    assert len(results) == 2 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    family = Vote.objects.filter(voter=n.resident, category=n.v_family)
    assert family.count() == 1 and family.get().slot == 1
    assert Vote.objects.filter(voter=n.resident, category=n.v_stairwell).count() == 1
