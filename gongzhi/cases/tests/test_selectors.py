"""Which cases a list shows: the ones a person works on, or a resident's own."""

from gongzhi.accounts.actions import add_member
from gongzhi.cases.selectors import own_cases, working_cases, works_on_cases
from gongzhi.cases.tests.api_client import get


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_staff_work_their_scope_and_handlers_their_dispatched_cases(ledger):
    in_a = ledger.new_case(area=ledger.b1)
    in_b = ledger.new_case("dispatched", area=ledger.b3, to_org=ledger.dept)
    mine_elsewhere = ledger.new_case(area=ledger.b3, reporter=ledger.staff_a)
    assert ids(working_cases(ledger.staff_a)) == {in_a.pk}  # what they reported: "my cases"
    assert ids(working_cases(ledger.dept_member)) == {in_b.pk}
    assert ids(working_cases(ledger.street_staff)) == {in_a.pk, in_b.pk, mine_elsewhere.pk}
    # A community worker who also sits in a department sees that department's cases too.
    add_member(organisation=ledger.dept, user=ledger.staff_a, acting_user=None)
    assert ids(working_cases(ledger.staff_a)) == {in_a.pk, in_b.pk}
    assert ids(own_cases(ledger.staff_a)) == {mine_elsewhere.pk}


def test_residents_work_no_cases_but_have_their_own(client, ledger):
    reported = ledger.new_case()
    ledger.new_case(area=ledger.b3, reporter=ledger.head_b1)
    assert not works_on_cases(ledger.resident) and not working_cases(ledger.resident).exists()
    assert ids(own_cases(ledger.resident)) == {reported.pk}
    listed = get(client, ledger.resident, "/api/cases/").json()["items"]
    assert [item["id"] for item in listed] == [reported.pk]


def test_in_area_is_the_subtree_at_every_level(ledger):
    from gongzhi.cases.models import Case
    from gongzhi.cases.selectors import in_area
    from gongzhi.core.tree import subtree_q

    for area in (ledger.b1, ledger.b2, ledger.b3, ledger.compound, ledger.grid_a1):
        ledger.new_case(area=area)
    nodes = [ledger.city, ledger.district, ledger.street, ledger.comm_a, ledger.comm_b,
             ledger.grid_a1, ledger.grid_a2, ledger.compound, ledger.b1]
    for node in nodes:
        by_prefix = ids(Case.objects.filter(in_area(node.path)))
        assert by_prefix == ids(Case.objects.filter(subtree_q(node.path, "area_path"))), node
    assert len(ids(Case.objects.filter(in_area(ledger.comm_a.path)))) == 4
