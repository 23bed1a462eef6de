"""Renewal fixtures on the shared ``street``: 铁路小区 (compound C1, built 1992) with a
project at each stage a test needs, a contractor, a supervisor and a representative."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.actions import add_member, create_organisation, grant_role
from gongzhi.accounts.models import OrgKind
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role
from gongzhi.deliberation import actions as deliberation
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Category, Management, SourceKind


def vote_plan_through(project, staff, *, passed: bool = True):
    """Put the plan to the owners, have every unit vote, count: the plan passes (or not)."""
    now = timezone.now()
    project = ra.put_plan_to_vote(project=project, acting_user=staff,
                                  opens_at=now - timedelta(minutes=5),
                                  closes_at=now + timedelta(days=7))
    poll = project.poll
    for unit in poll.units.all():
        deliberation.enter_ballot(poll=poll, unit=unit, choice="yes" if passed else "no",
                                  source="paper", record="表决票", acting_user=staff)
    deliberation.close_poll(poll=poll, acting_user=staff)
    project.refresh_from_db()
    return project


@pytest.fixture
def renewal(street):
    """``street`` plus: the record of 铁路小区, a project in planning with three items (one
    per category), a contractor with a member, resident r1 as supervisor and resident r2
    (the ``resident`` login) as representative, and a second resident login for r1."""
    n = street
    n.record = ra.save_compound_record(compound=n.compound, built_year=1992,
                                       floor_area="3600.50", management=Management.NONE,
                                       problems="雨污混流，楼道破损", acting_user=n.staff_a)
    n.contractor = create_organisation(kind=OrgKind.CONTRACTOR, code="BUILD1",
                                       name="衡阳建工", areas=[n.street], acting_user=None)
    n.builder = make_user("builder")
    add_member(organisation=n.contractor, user=n.builder, acting_user=None)
    n.resident1 = make_user("resident1", resident=n.r1)
    grant_role(user=n.resident1, role=Role.RESIDENT, area=n.b1, acting_user=None)
    n.batch = ra.create_batch(year=timezone.localdate().year, name="2026年第一批",
                              area=n.street, acting_user=n.street_staff)
    n.project = ra.create_project(name="铁路小区老旧小区改造", compounds=[n.compound],
                                  batch=n.batch, acting_user=n.staff_a)
    n.project = ra.start_planning(project=n.project, acting_user=n.staff_a)
    n.items = [
        ra.add_item(project=n.project, category=Category.BASIC, name="雨污分流",
                    quantity="1200", unit="米", budget="360000.00", contractor=n.contractor,
                    acting_user=n.staff_a),
        ra.add_item(project=n.project, category=Category.IMPROVEMENT, name="增设停车位",
                    quantity="40", unit="个", budget="120000.00", contractor=n.contractor,
                    acting_user=n.staff_a),
        ra.add_item(project=n.project, category=Category.ENHANCEMENT, name="适老化扶手",
                    budget="30000.00", acting_user=n.staff_a),
    ]
    n.supervisor = ra.appoint_member(project=n.project, user=n.resident1, role="supervisor",
                                     acting_user=n.staff_a)
    n.representative = ra.appoint_member(project=n.project, user=n.resident,
                                         role="representative", acting_user=n.staff_a)
    return n


def approve_plan(n):
    """Vote the plan through, submit it, the street approves: the project may start works."""
    n.project = vote_plan_through(n.project, n.staff_a)
    n.project = ra.submit_plan(project=n.project, acting_user=n.staff_a)
    n.project = ra.decide_plan(project=n.project, approve=True, note="同意",
                               acting_user=n.street_staff)
    return n.project


@pytest.fixture
def in_works(renewal):
    """``renewal`` with the plan approved, works started and money from two sources."""
    n = renewal
    approve_plan(n)
    n.project = ra.start_works(project=n.project, acting_user=n.staff_a)
    n.central = ra.set_source(project=n.project, kind=SourceKind.CENTRAL, amount="400000",
                              acting_user=n.staff_a)
    n.residents_money = ra.set_source(project=n.project, kind=SourceKind.RESIDENTS,
                                      amount="50000", acting_user=n.staff_a)
    return n


def finish_all(n):
    for item in n.project.items.all():
        ra.start_item(item=item, acting_user=n.staff_a)
        ra.finish_item(item=item, acting_user=n.staff_a)
