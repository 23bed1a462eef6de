"""The demo's 最美 selections: last year's announced with its winners on the page of honour,
this year's open for voting with the demo ``resident`` still to vote, the street's 最美商户
taking nominations — all loaded through the campaigns actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns import selectors
from gongzhi.campaigns.models import Nomination, Selection, Stage, Vote
from gongzhi.demo.campaigns import load_demo_campaigns
from gongzhi.notices.models import NoticeStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_demo_selections(demo):
    stages = dict(Selection.objects.values_list("stage", "title"))
    assert set(stages) == {Stage.ANNOUNCED, Stage.VOTING, Stage.NOMINATING}
    assert load_demo_campaigns() == 0  # once

    announced = Selection.objects.get(stage=Stage.ANNOUNCED)
    assert announced.notice.status == NoticeStatus.PUBLISHED
    winners = Nomination.objects.filter(category__selection=announced, status="winner")
    assert winners.count() == 5  # 3 families, 2 stairwells
    assert Nomination.objects.filter(category__selection=announced, status="refused").count() == 1
    assert Vote.objects.filter(category__selection=announced).count() > 20
    community = AreaNode.objects.get(pk=announced.area_id)
    roll = selectors.honour_roll(community)
    assert [s.pk for s, _w in roll] == [announced.pk]
    assert sorted(w.pk for w in roll[0][1]) == sorted(winners.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_demo_resident_can_vote_in_this_years_selection(demo):
    resident = User.objects.get(username="resident")
    voting = Selection.objects.get(stage=Stage.VOTING)
    assert selectors.selections_near(resident).filter(pk=voting.pk).exists()
    assert selectors.my_votes(voting, resident) == set()
    assert set(selectors.votes_left(voting, resident).values()) == {2}
    first = selectors.ballot(voting)[0][1][0]
    vote = ca.cast_vote(nomination=first, acting_user=resident)
    assert vote.slot == 1
