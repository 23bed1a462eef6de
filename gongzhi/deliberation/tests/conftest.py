"""The `delib` fixture: the `street` fixture plus a council over community A and resident
accounts for the heads of h1 (r1, with an ID number), h2 (r2: street.resident), h3 (r3)
and h4 (r4, community B: an outsider to the council)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.tests.conftest import ledger  # noqa: F401  (re-exported fixture)
from gongzhi.conftest import make_user
from gongzhi.deliberation import actions


@pytest.fixture
def delib(street):
    n = street
    n.owner1 = make_user("owner1", resident=n.r1)
    n.owner2 = n.resident  # head of h2, linked by the street fixture
    n.owner3 = make_user("owner3", resident=n.r3)
    n.outsider = make_user("owner4", resident=n.r4)
    n.council = actions.create_council(kind="residents", name="活龙社区居民议事会",
                                       area=n.comm_a, term_start=date(2026, 1, 1),
                                       support_threshold=2, acting_user=n.staff_a)
    n.m1 = actions.add_member(council=n.council, name="", capacity="resident", user=n.owner1,
                              acting_user=n.staff_a)
    n.m2 = actions.add_member(council=n.council, name="", capacity="resident", user=n.owner2,
                              acting_user=n.staff_a)
    n.now = timezone.now()
    n.window = {"opens_at": n.now - timedelta(hours=1), "closes_at": n.now + timedelta(days=7)}
    return n
