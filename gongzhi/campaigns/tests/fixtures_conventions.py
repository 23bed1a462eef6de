"""Fixtures of the conventions tests (imported by conftest).

On the shared ``street``: community A has 1栋 of 铁路小区 (b1) with three households (h1, h2
and h5 without a login) and 1栋 of 机务小区 (b2) with two (h3, h6): five in all. Community B
has b3 with h4. Logins: ``conv_r1`` (王秀英, h1), the shared ``resident`` (李建国, h2),
``conv_r3`` (张伟, h3) and ``conv_r4`` (刘芳, h4, community B).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.actions import grant_role
from gongzhi.areas.actions import create_household
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Convention
from gongzhi.core.permissions import Role
from gongzhi.deliberation.actions import consultations as dc
from gongzhi.deliberation.models import Consultation

__all__ = ["conventions"]

ARTICLES = "爱党爱国，遵纪守法。\n邻里和睦，互帮互助。\n爱护环境，垃圾分类。\n文明养犬，及时清理。"


def new_convention(n, title: str = "活龙社区居民公约", *, area=None) -> Convention:
    return ca.draft_convention(area=area or n.comm_a, title=title, text=ARTICLES,
                               acting_user=n.staff_a)


def end_consultation(convention: Convention) -> None:
    """The consultation's closing time passes (tests stand in for the clock)."""
    Consultation.objects.filter(pk=convention.consultation_id).update(
        closes_at=timezone.now() - timedelta(minutes=1))


def _login(username: str, resident, building):
    from gongzhi.conftest import make_user

    user = make_user(username, resident=resident)
    grant_role(user=user, role=Role.RESIDENT, area=building, acting_user=None)
    return user


@pytest.fixture
def conventions(street):
    """``street`` plus h5 (b1) and h6 (b2); ``draft``: a convention in draft; ``closed``: one
    whose consultation closed (answers: h1 同意, h2 有条件同意, h3 不同意), ready to publish;
    ``published``: one of community A, published, nobody signed yet."""
    n = street
    n.h5 = create_household(building=n.b1, unit="1", room="301", floor=3, acting_user=None)
    n.h6 = create_household(building=n.b2, unit="", room="401", floor=4, acting_user=None)
    n.conv_r1 = _login("conv_r1", n.r1, n.b1)
    n.conv_r3 = _login("conv_r3", n.r3, n.b2)
    n.conv_r4 = _login("conv_r4", n.r4, n.b3)
    n.draft = new_convention(n, "活龙社区文明养犬公约")

    n.closed = new_convention(n, "活龙社区居民公约（修订）")
    ca.consult_on_convention(convention=n.closed, closes_at=timezone.now() + timedelta(days=7),
                             acting_user=n.staff_a)
    n.closed.refresh_from_db()
    for household, answer, condition in ((n.h1, "agree", ""), (n.h2, "conditional", "增加停车条款"),
                                         (n.h3, "disagree", "")):
        dc.enter_answer(consultation=n.closed.consultation, household=household, answer=answer,
                        condition=condition, record="入户签字意见书", acting_user=n.staff_a)
    end_consultation(n.closed)

    n.published = new_convention(n, "活龙社区居民公约")
    ca.consult_on_convention(convention=n.published,
                             closes_at=timezone.now() + timedelta(days=7), acting_user=n.staff_a)
    n.published.refresh_from_db()
    end_consultation(n.published)
    ca.publish_convention(convention=n.published, acting_user=n.staff_a)
    for obj in ("draft", "closed", "published"):
        getattr(n, obj).refresh_from_db()
    return n
