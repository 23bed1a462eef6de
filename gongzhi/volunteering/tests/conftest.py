"""The `vol` fixture: the `street` fixture plus a volunteer team over community A and three
registered volunteers — vol1 (head of h1, the team's leader), vol2 (head of h3) in
community A, vol_b (head of h4) in community B. ``street.resident`` (head of h2) orders."""

import pytest
from django.utils import timezone

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.conftest import make_user
from gongzhi.volunteering.actions.volunteers import register_volunteer


@pytest.fixture
def vol(street):
    n = street
    n.team = create_organisation(kind=OrgKind.VOLUNTEER_TEAM, code="ZY-A", name="活龙志愿服务队",
                                 areas=[n.comm_a], acting_user=n.staff_a)
    n.team_b = create_organisation(kind=OrgKind.VOLUNTEER_TEAM, code="ZY-B",
                                   name="德鑫志愿服务队", areas=[n.comm_b], acting_user=n.staff_b)
    n.u1 = make_user("vol1", resident=n.r1, full_name="王秀英")
    n.u2 = make_user("vol2", resident=n.r3, full_name="张伟")
    n.ub = make_user("vol_b", resident=n.r4, full_name="刘芳")
    n.v1 = register_volunteer(user=n.u1, community=n.comm_a, skills="水电维修",
                              acting_user=n.u1)
    n.v2 = register_volunteer(user=n.u2, community=n.comm_a, skills="理发",
                              acting_user=n.u2)
    n.vb = register_volunteer(user=n.ub, community=n.comm_b, acting_user=n.ub)
    add_member(organisation=n.team, user=n.u1, is_leader=True, title="队长",
               acting_user=n.staff_a)
    add_member(organisation=n.team, user=n.u2, acting_user=n.staff_a)
    add_member(organisation=n.team_b, user=n.ub, acting_user=n.staff_b)
    n.now = timezone.now()
    return n
