"""The demo's 十星级文明户: head_1's building, every household assessed for this year (three
drafts left for staff_hlj, the rest confirmed with their points), every other household
confirmed for last year too — loaded through the actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.areas.models import AreaNode, Household
from gongzhi.campaigns.actions.stars import points_holder
from gongzhi.campaigns.models import StarAssessment
from gongzhi.campaigns.selectors_stars import drafts_to_confirm, household_history
from gongzhi.demo import street as demo_street
from gongzhi.demo.campaigns_stars import DRAFTS, load_demo_stars
from gongzhi.volunteering.actions.ledger import rule_points
from gongzhi.volunteering.models import PointsEntry


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        street = AreaNode.objects.get(code=demo_street.STREET_CODE)
        load_demo_stars(street, timezone.now())  # the demo may have loaded them already
        yield street
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_demo_stars(demo):
    year = timezone.localdate().year
    building = RoleGrant.objects.get(user__username="head_1", role="building_head").area
    households = list(Household.objects.filter(building=building).order_by("unit", "room", "pk"))
    count = len(households)
    assert count >= 4
    this_year = StarAssessment.objects.filter(year=year)
    assert this_year.count() == count
    assert set(this_year.values_list("household__building", flat=True)) == {building.pk}
    assert this_year.filter(status="draft").count() == DRAFTS
    assert this_year.filter(status="confirmed").count() == count - DRAFTS
    last_year = StarAssessment.objects.filter(year=year - 1)
    assert last_year.count() == (count + 1) // 2
    assert set(last_year.values_list("status", flat=True)) == {"confirmed"}
    assert StarAssessment.objects.count() == count + (count + 1) // 2

    # Every star has its evidence; 5–10 stars each; each confirmed one's points are the
    # rule's 5 a star, to the household's account holder (0 where nobody has an account).
    assert rule_points("per_civil_star") == 5
    head = User.objects.get(username="head_1")
    total = 0
    for a in StarAssessment.objects.prefetch_related("awards"):
        awards = list(a.awards.all())
        assert len(awards) == a.stars and 5 <= a.stars <= 10
        assert all(w.evidence for w in awards) and a.assessed_by == head
        if a.status == "confirmed":
            holder = points_holder(a.household)
            assert a.points_awarded == (5 * a.stars if holder else 0)
            total += a.points_awarded
    entries = PointsEntry.objects.filter(reason="civil_stars")
    assert sum(entries.values_list("points", flat=True)) == total > 0
    assert entries.count() == StarAssessment.objects.filter(points_awarded__gt=0).count()

    # staff_hlj has the drafts to confirm; the demo resident's household is confirmed.
    staff = User.objects.get(username="staff_hlj")
    assert drafts_to_confirm(staff).count() == DRAFTS
    resident = User.objects.get(username="resident")
    history = household_history(resident.resident.household)
    assert history and history[0].year == year

    # Once: a second load adds nothing.
    assert load_demo_stars(demo, timezone.now()) == 0
    assert StarAssessment.objects.count() == count + (count + 1) // 2
    assert PointsEntry.objects.filter(reason="civil_stars").count() == entries.count()
