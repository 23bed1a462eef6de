"""The demo's volunteering: teams and a menu, orders in every state, activities with
credited hours, a camera-room roster with gaps, every star level, a stocked points shop."""

import pytest

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.demo.actions import load_demo
from gongzhi.demo.volunteering import load_demo_volunteering
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions.ledger import (
    hours_total,
    points_balance,
    star_level,
    time_bank_balance,
)
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    HoursEntry,
    Library,
    OrderStatus,
    Reward,
    ServiceItem,
    ServiceOrder,
    ShiftTemplate,
    SignupStatus,
    Volunteer,
)


@pytest.fixture
def demo(db, settings):
    settings.GONGZHI_DEMO_CASES = 0
    load_demo(acting_user=None)
    return load_demo_volunteering()


def test_no_demo_street_nothing_loaded(db):
    assert load_demo_volunteering() == 0
    assert not Volunteer.objects.exists()


def test_every_community_has_a_team_a_menu_and_volunteers(demo):
    assert demo == Volunteer.objects.count() > 30
    for community in AreaNode.objects.filter(kind="community"):
        assert Volunteer.objects.filter(area=community).count() >= 12
        items = ServiceItem.objects.filter(area=community)
        assert set(items.values_list("library", flat=True)) == set(Library.values)
        assert all(item.team_id for item in items)


def test_orders_in_every_state_and_the_demo_resident_has_one_to_rate(demo):
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert ServiceOrder.objects.filter(flagged_at__isnull=False).exists()
    resident = User.objects.get(username="resident")
    assert ServiceOrder.objects.filter(requester=resident, status=OrderStatus.DONE).exists()
    rated = ServiceOrder.objects.get(status=OrderStatus.RATED)
    assert HoursEntry.objects.filter(source_key=f"order:{rated.pk}").exists()


def test_every_star_level_and_balances_from_the_ledger(demo, settings):
    stars = {star_level(hours_total(v)) for v in Volunteer.objects.all()}
    assert stars == {0, 1, 2, 3, 4, 5}
    top = max(Volunteer.objects.all(), key=hours_total)
    # Past the storage cap: the time bank keeps 1,500 units, the points came with the hours.
    assert time_bank_balance(top.user) == settings.GONGZHI_TIME_BANK_CAP
    assert points_balance(top.user) > 0


def test_activities_roster_and_shop(demo):
    past = Activity.objects.filter(status=ActivityStatus.CONFIRMED)
    assert past.count() == AreaNode.objects.filter(kind="community").count()
    assert all(HoursEntry.objects.filter(source_key=f"activity:{a.pk}").count() == 7
               for a in past)
    upcoming = Activity.objects.get(status=ActivityStatus.PUBLISHED)
    assert upcoming.signups.filter(status=SignupStatus.WAITING).count() == 2
    assert ShiftTemplate.objects.count() == 3
    staff = User.objects.get(username="staff_hlj")
    start = min(s.starts_at for t in ShiftTemplate.objects.all() for s in t.shifts.all())
    uncovered = selectors.uncovered_shifts(staff, start, start.replace(year=start.year + 1))
    assert 0 < len(list(uncovered)) < 21
    assert Reward.objects.filter(stock=0).exists() and Reward.objects.filter(stock__gt=0).exists()


def test_loaded_once(demo):
    before = (Volunteer.objects.count(), ServiceOrder.objects.count(), HoursEntry.objects.count())
    assert load_demo_volunteering() == 0
    assert (Volunteer.objects.count(), ServiceOrder.objects.count(),
            HoursEntry.objects.count()) == before
