"""Two signatures of one household at the same moment (real concurrency: PostgreSQL): the
database keeps one, the other is refused in words."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import ConventionSignature
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.core.models import AuditEvent

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_the_resident_and_the_building_head_sign_for_one_household_at_once(conventions):
    n = conventions
    results, errors = race(
        lambda: ca.sign_convention(convention=n.published, acting_user=n.resident),
        lambda: ca.sign_convention(convention=n.published, acting_user=n.head_b1,
                                   household=n.h2))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert ConventionSignature.objects.filter(household=n.h2).count() == 1
    assert AuditEvent.objects.filter(action="campaigns.sign_convention").count() == 1
