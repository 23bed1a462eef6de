"""The demo's 网格合伙人: a post in each smallest grid of 活龙井社区, five partners accepted
in one grid (the demo resident, two retired residents, the shop owner, the property
manager), one application waiting, three patrols done (one problem filed as a case) and two
waiting — loaded through the actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns.models import (
    ApplicationStatus,
    PartnerApplication,
    PartnerKind,
    PartnerPost,
    PatrolStatus,
    PatrolTask,
)
from gongzhi.cases.models import Source
from gongzhi.core.tree import subtree_q
from gongzhi.demo import street as demo_street
from gongzhi.demo.campaigns_partners import load_demo_partners


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        street = AreaNode.objects.get(code=demo_street.STREET_CODE)
        yield street
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_demo_partners(demo):
    street = demo  # setup_demo loaded the partners
    assert PartnerApplication.objects.filter(status=ApplicationStatus.ACCEPTED).count() == 5
    assert load_demo_partners(street, timezone.now()) == 0  # once
    community = (AreaNode.objects.filter(subtree_q(street.path), kind=AreaKind.COMMUNITY)
                 .order_by("path").first())
    grids = AreaNode.objects.filter(subtree_q(community.path), kind=AreaKind.GRID_SMALL)
    assert PartnerPost.objects.count() == grids.count()
    accepted = PartnerApplication.objects.filter(status=ApplicationStatus.ACCEPTED)
    assert accepted.count() == 5 and len({a.post_id for a in accepted}) == 1
    kinds = sorted(accepted.values_list("kind", flat=True))
    assert kinds == sorted([PartnerKind.RESIDENT] * 3 + [PartnerKind.SHOP,
                                                         PartnerKind.PROPERTY])
    assert {"resident", "shop", "property_rail"} <= set(
        accepted.values_list("applicant__username", flat=True))
    assert PartnerApplication.objects.filter(status=ApplicationStatus.PENDING).count() == 1
    assert PatrolTask.objects.filter(status=PatrolStatus.DONE).count() == 3
    waiting = PatrolTask.objects.filter(status=PatrolStatus.ASSIGNED)
    assert waiting.count() == 2
    assert waiting.filter(partner__applicant__username="resident").exists()
    found = PatrolTask.objects.get(case__isnull=False)
    assert found.case.reporter == found.partner.applicant
    assert found.case.source == Source.RESIDENT_PAGE
    assert found.assigned_by.role_grants.filter(role="grid_worker").exists()
