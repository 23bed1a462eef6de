"""Two acceptances at once for the last place of a post (real row locks: PostgreSQL): the
post's row is locked first, so only one passes."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import ApplicationStatus, PartnerKind, PartnerPost
from gongzhi.cases.tests.test_concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_acceptances_for_the_last_place_keep_the_cap(partners):
    n = partners
    PartnerPost.objects.filter(pk=n.post1.pk).update(places=1)
    a = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.resident)
    b = ca.apply_as_partner(post=n.post1, kind=PartnerKind.RESIDENT, motivation="m",
                            acting_user=n.p_resident1)
    results, errors = race(
        lambda: ca.decide_partner_application(application=a, accept=True, acting_user=n.staff_a),
        lambda: ca.decide_partner_application(application=b, accept=True, acting_user=n.staff_a))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert n.post1.applications.filter(status=ApplicationStatus.ACCEPTED).count() == 1
