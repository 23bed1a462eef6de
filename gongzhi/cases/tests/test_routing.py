"""Default routing: the deepest area's rule for the category, else for its group."""

from gongzhi.accounts.actions import create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.cases.models import Category, RoutingRule
from gongzhi.cases.routing import responsible_org


def org(ledger, code: str, name: str):
    return create_organisation(kind=OrgKind.DEPARTMENT, code=code, name=name,
                               areas=[ledger.street], acting_user=None)


def test_a_rule_high_up_covers_every_area_below(ledger):
    for area in (ledger.street, ledger.comm_a, ledger.grid_a1, ledger.b1, ledger.b3):
        assert responsible_org(area, ledger.road) == ledger.dept
    assert responsible_org(ledger.b1, ledger.light) == ledger.other_dept


def test_the_deepest_rule_wins(ledger):
    # Garbage: a rule for the compound (the property company) under one for the street.
    street_cleaners = org(ledger, "HW", "环卫所")
    RoutingRule.objects.create(area=ledger.street, category=ledger.garbage,
                               organisation=street_cleaners)
    assert responsible_org(ledger.b1, ledger.garbage) == ledger.property_co
    assert responsible_org(ledger.compound, ledger.garbage) == ledger.property_co
    assert responsible_org(ledger.grid_a1, ledger.garbage) == street_cleaners
    assert responsible_org(ledger.b3, ledger.garbage) == street_cleaners


def test_no_rule_anywhere_gives_none(ledger):
    assert responsible_org(ledger.b1, Category.objects.create(code="x", name="其他")) is None
    # A rule below the area does not count for the area above it.
    assert responsible_org(ledger.comm_a, ledger.garbage) is None
    assert responsible_org(ledger.district, ledger.road) is None


def test_group_rule_is_the_fallback(ledger):
    sewer = Category.objects.create(parent=ledger.municipal, code="sewer", name="下水道堵塞")
    works = org(ledger, "SZ2", "市政工程队")
    RoutingRule.objects.create(area=ledger.comm_a, category=ledger.municipal, organisation=works)
    assert responsible_org(ledger.b1, sewer) == works
    assert responsible_org(ledger.b3, sewer) is None  # the group rule is for community A only


def test_the_category_own_rule_beats_a_deeper_group_rule(ledger):
    works = org(ledger, "SZ2", "市政工程队")
    RoutingRule.objects.create(area=ledger.b1, category=ledger.municipal, organisation=works)
    assert responsible_org(ledger.b1, ledger.road) == ledger.dept


def test_one_query(ledger, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert responsible_org(ledger.b1, ledger.garbage) == ledger.property_co
