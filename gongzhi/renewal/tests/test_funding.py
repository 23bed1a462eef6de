"""Money always adds up: committed within sources and budgets, spent within committed,
sums by source and by category equal the rows."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.cases.tests.test_concurrency import race
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Allocation, Payment
from gongzhi.renewal.selectors import funding_summary, item_money

pytestmark = pytest.mark.django_db


def test_spending_above_what_was_committed_is_refused_with_the_figures(in_works):
    n = in_works
    ra.commit_funds(item=n.items[0], source=n.central, amount="300000", acting_user=n.staff_a)
    ra.record_payment(item=n.items[0], source=n.central, amount="250000", acting_user=n.staff_a)
    with pytest.raises(ValidationError) as err:
        ra.record_payment(item=n.items[0], source=n.central, amount="50000.01",
                          acting_user=n.staff_a)
    assert "50,000.00" in str(err.value) and "超过已落实" in str(err.value)
    assert Payment.objects.count() == 1


def test_money_from_one_source_does_not_pay_for_another_sources_commitment(in_works):
    n = in_works
    ra.commit_funds(item=n.items[0], source=n.central, amount="1000", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.record_payment(item=n.items[0], source=n.residents_money, amount="1",
                          acting_user=n.staff_a)


def test_a_source_cannot_commit_more_than_it_holds_nor_an_item_beyond_its_budget(in_works):
    n = in_works
    with pytest.raises(ValidationError, match="只剩"):
        ra.commit_funds(item=n.items[0], source=n.residents_money, amount="50000.01",
                        acting_user=n.staff_a)
    with pytest.raises(ValidationError, match="预算"):
        ra.commit_funds(item=n.items[2], source=n.central, amount="30000.01",
                        acting_user=n.staff_a)
    assert not Allocation.objects.exists()


def test_a_source_or_budget_cannot_drop_below_what_is_committed(in_works):
    n = in_works
    ra.commit_funds(item=n.items[1], source=n.central, amount="100000", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.set_source(project=n.project, kind="central", amount="99999", acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ra.update_item(item=n.items[1], budget="99999.99", acting_user=n.staff_a)
    n.central.refresh_from_db()
    assert n.central.amount == Decimal("400000.00")


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.001", "", "NaN", "1e20"])
def test_bad_amounts_are_refused(in_works, amount):
    with pytest.raises(ValidationError):
        ra.commit_funds(item=in_works.items[0], source=in_works.central, amount=amount,
                        acting_user=in_works.staff_a)


def test_only_the_areas_staff_keep_the_books(in_works):
    n = in_works
    for user in (n.staff_b, n.resident, n.builder):
        with pytest.raises(PermissionDenied):
            ra.commit_funds(item=n.items[0], source=n.central, amount="1", acting_user=user)


def test_the_books_close_with_the_funding_notice(in_works):
    from gongzhi.renewal.tests.conftest import finish_all

    n = in_works
    finish_all(n)
    ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    for item in n.project.items.all():
        ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
        ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    project = ra.complete_acceptance(project=n.project, acting_user=n.staff_a)
    assert "居民出资" in project.funding_notice.body
    with pytest.raises(ValidationError, match="不能再改"):
        ra.set_source(project=project, kind="donation", amount="1", acting_user=n.staff_a)


moves = st.lists(st.tuples(st.sampled_from(["commit", "pay"]), st.integers(0, 2),
                           st.sampled_from(["central", "residents"]),
                           st.integers(1, 200_000)), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(moves=moves)
def test_whatever_clerks_try_the_sums_hold(in_works, moves):
    n = in_works
    Payment.objects.all().delete()
    Allocation.objects.all().delete()
    sources = {"central": n.central, "residents": n.residents_money}
    for move, index, kind, amount in moves:
        act = ra.commit_funds if move == "commit" else ra.record_payment
        with contextlib.suppress(ValidationError):  # a refused move must change nothing
            act(item=n.items[index], source=sources[kind], amount=Decimal(amount),
                acting_user=n.staff_a)
    summary = funding_summary(n.project)
    per_item = item_money(n.project)
    for item in n.project.items.all():
        committed, spent = per_item[item.pk]
        assert spent <= committed <= item.budget
        for source in sources.values():
            paid = sum((p.amount for p in item.payments.filter(source=source)), Decimal(0))
            promised = sum((a.amount for a in item.allocations.filter(source=source)),
                           Decimal(0))
            assert paid <= promised
    for row in summary.by_source:
        assert row.spent <= row.committed <= row.amount
    assert summary.committed == sum((c for c, _s in per_item.values()), Decimal(0))
    assert summary.spent == sum((s for _c, s in per_item.values()), Decimal(0))
    assert summary.spent == sum((r.spent for r in summary.by_category), Decimal(0))
    assert summary.budget == sum((i.budget for i in n.project.items.all()), Decimal(0))


def test_residents_share_of_what_was_raised_and_of_what_was_spent(in_works):
    n = in_works
    ra.commit_funds(item=n.items[0], source=n.central, amount="300000", acting_user=n.staff_a)
    ra.commit_funds(item=n.items[0], source=n.residents_money, amount="50000",
                    acting_user=n.staff_a)
    ra.record_payment(item=n.items[0], source=n.central, amount="150000", acting_user=n.staff_a)
    ra.record_payment(item=n.items[0], source=n.residents_money, amount="50000",
                      acting_user=n.staff_a)
    summary = funding_summary(n.project)
    assert summary.residents_spent_share == Decimal("0.25")  # 50,000 of 200,000 paid
    assert summary.residents_spent_share_text == "25.0%"
    assert summary.residents_share_text == "11.1%"  # 50,000 of 450,000 raised


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_at_once_cannot_overspend(in_works):
    n = in_works
    ra.commit_funds(item=n.items[0], source=n.central, amount="1000", acting_user=n.staff_a)
    results, errors = race(*[
        lambda user=user: ra.record_payment(item=n.items[0], source=n.central, amount="600",
                                            acting_user=user)
        for user in (n.staff_a, n.street_staff)])
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Payment.objects.get().amount == Decimal("600.00")
