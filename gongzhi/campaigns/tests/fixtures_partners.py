"""Fixtures of the partners tests (imported by conftest): ``partners`` is ``street`` with a
post in each grid of community A, a shop (商户) in grid A1 with its owner, and logins for
residents r1 (community A) and r4 (community B)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.actions import add_member, create_organisation, grant_role
from gongzhi.accounts.models import OrgKind
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.selectors_partners import grid_partner_users, is_grid_partner
from gongzhi.cases.models import Category
from gongzhi.cases.permissions import register_assignees
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role

__all__ = ["partners"]


@pytest.fixture
def partners(street):
    n = street
    # What CampaignsConfig.ready() does once the lead wires it (idempotent).
    register_assignees(is_grid_partner, grid_partner_users)
    n.p_resident1 = make_user("p_resident1", resident=n.r1)
    grant_role(user=n.p_resident1, role=Role.RESIDENT, area=n.b1, acting_user=None)
    n.p_resident4 = make_user("p_resident4", resident=n.r4)
    grant_role(user=n.p_resident4, role=Role.RESIDENT, area=n.b3, acting_user=None)
    n.shop = create_organisation(kind=OrgKind.MERCHANT, code="M1", name="老张早餐店",
                                 areas=[n.compound], acting_user=None)
    n.shop_owner = make_user("shop_owner")
    add_member(organisation=n.shop, user=n.shop_owner, acting_user=None)
    n.p_category = Category.objects.create(code="p_sanitation", name="环境卫生",
                                           response_hours=2, resolution_workdays=2)
    closes = timezone.localdate() + timedelta(days=10)
    n.post1 = ca.recruit_partners(area=n.grid_a1, title="第一网格合伙人招募",
                                  duties="每周巡查一次楼道和沿街", places=2, closes_on=closes,
                                  acting_user=n.staff_a)
    n.post2 = ca.recruit_partners(area=n.grid_a2, title="第二网格合伙人招募",
                                  duties="巡查小区角落", places=3, closes_on=closes,
                                  acting_user=n.staff_a)
    return n
