"""Fixtures of the stars tests (imported by conftest): the ten default criteria (seeded by
migration 0002; put back if a transactional test flushed them), the points rule
``per_civil_star`` at 5 points a star, and accounts so that every case of "who receives the
points" occurs on the shared ``street``:

- h1 (1栋1单元101, community A): head 王秀英 with the login ``wang``;
- h2 (1栋1单元201): head 李建国 is the shared ``resident`` login;
- h3 (机务小区1栋301): head 张伟 has no account, the member 张小明 has (``xiaoming``);
- h4 (community B): nobody has an account.
"""

import pytest

from gongzhi.accounts.actions import grant_role
from gongzhi.areas.actions import add_resident
from gongzhi.campaigns.models import DEFAULT_CRITERIA, StarCriterion
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role
from gongzhi.volunteering.actions.bank import save_points_rule

__all__ = ["evidence_for", "stars"]

STAR_POINTS = 5


def evidence_for(criteria, count: int) -> dict:
    """The first ``count`` criteria, each with its evidence."""
    return {c: f"{c.name}：入户核实，邻居证实" for c in criteria[:count]}


@pytest.fixture
def stars(street):
    n = street
    for order, name in enumerate(DEFAULT_CRITERIA, start=1):
        StarCriterion.objects.get_or_create(name=name, defaults={"order": order})
    n.criteria = list(StarCriterion.objects.filter(is_active=True))
    save_points_rule(code="per_civil_star", points=STAR_POINTS, is_active=True,
                     acting_user=n.admin)
    n.wang = make_user("wang", resident=n.r1)
    grant_role(user=n.wang, role=Role.RESIDENT, area=n.b1, acting_user=None)
    n.r3_son = add_resident(household=n.h3, name="张小明", phone="13700002223", is_head=False,
                            acting_user=None)
    n.xiaoming = make_user("xiaoming", resident=n.r3_son)
    grant_role(user=n.xiaoming, role=Role.RESIDENT, area=n.b2, acting_user=None)
    return n
