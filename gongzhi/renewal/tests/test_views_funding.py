"""A project's funding page: who gets in, figures that are the sums of the rows, and the
three forms — over-commit and over-spend refused next to the field, nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Allocation, FundingSource, Payment, Project, Stage
from gongzhi.renewal.tests.pages import html

M = "/renewal/manage"


def url(n, step: str = "") -> str:
    return f"{M}/projects/{n.project.pk}/funding/{step}"


def books():
    """Every row the funding forms may write, to prove a refusal wrote nothing."""
    return (list(FundingSource.objects.order_by("pk").values_list("pk", "kind", "amount")),
            list(Allocation.objects.order_by("pk").values_list("pk", "amount")),
            list(Payment.objects.order_by("pk").values_list("pk", "amount")),
            AuditEvent.objects.count())


def total(model, **filters) -> Decimal:
    return model.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal(0)


@pytest.fixture
def money(in_works):
    """Central money committed to two items and partly paid; residents' money to one."""
    n = in_works
    sewer, parking, rails = n.items
    for item, source, amount in ((sewer, n.central, "300000"), (parking, n.central, "80000"),
                                 (rails, n.residents_money, "20000")):
        ra.commit_funds(item=item, source=source, amount=amount, acting_user=n.staff_a)
    ra.record_payment(item=sewer, source=n.central, amount="120000.50", acting_user=n.staff_a)
    ra.record_payment(item=rails, source=n.residents_money, amount="5000",
                      acting_user=n.staff_a, paid_on=timezone.localdate() - timedelta(days=3))
    return n


@pytest.mark.parametrize(("who", "status"), [
    ("resident", 403), ("worker_a1", 403), ("builder", 403), ("staff_b", 404),
    ("staff_a", 200), ("street_staff", 200),
])
def test_access(client, money, who, status):
    client.force_login(getattr(money, who))
    assert client.get(url(money)).status_code == status


def test_a_foreign_or_missing_project_is_404_and_posts_write_nothing(client, money):
    client.force_login(money.staff_b)
    before = books()
    response = client.post(url(money, "source/"), {"kind": "donation", "amount": "1"})
    assert response.status_code == 404 and books() == before
    client.force_login(money.staff_a)
    assert client.get(f"{M}/projects/999999/funding/").status_code == 404


def test_the_figures_are_the_sums_of_the_rows(client, money):
    n = money
    client.force_login(n.street_staff)
    response = client.get(url(n))
    summary = response.context["summary"]
    project = {"item__project": n.project}
    assert summary.raised == total(FundingSource, project=n.project) == Decimal("450000")
    assert summary.committed == total(Allocation, **project) == Decimal("400000")
    assert summary.spent == total(Payment, **project) == Decimal("125000.50")
    assert summary.budget == sum(i.budget for i in n.items) == Decimal("510000")
    for row in summary.by_source:
        assert row.committed == total(Allocation, source__kind=row.kind, **project)
        assert row.spent == total(Payment, source__kind=row.kind, **project)
    for row in summary.by_category:
        assert row.spent == total(Payment, item__category=row.category, **project)
    for row in response.context["items"]:
        assert row.committed == total(Allocation, item=row.item)
        assert row.spent == total(Payment, item=row.item)
    assert response.context["item_totals"]["spent"] == summary.spent
    page = html(response)
    # As ledgers write money, in every language: 1,234,567.89.
    for figure in (summary.raised, summary.committed, summary.spent, summary.budget):
        assert f'<td class="num">{figure:,.2f}</td>' in page
    assert ">60,000.00</td>" in page  # the sewer's budget still to commit: 360,000 − 300,000
    # Residents' share of what was spent: 5,000 of 125,000.50; of what was raised, beside it.
    assert summary.residents_spent_share_text == "4.0%" and "4.0%" in page
    assert summary.residents_share_text in page


def test_set_commit_and_pay_each_call_one_action(client, money):
    n = money
    client.force_login(n.staff_a)
    sewer = n.items[0]
    before = AuditEvent.objects.count()
    steps = [
        ("source/", {"kind": "donation", "amount": "10000", "note": "企业捐赠"}),
        ("commit/", {"item": sewer.pk, "source": n.central.pk, "amount": "20000"}),
        ("payment/", {"item": sewer.pk, "source": n.central.pk, "amount": "1000.25",
                      "note": "进度款"}),
    ]
    for step, data in steps:
        response = client.post(url(n, step), data)
        assert response.status_code == 302 and response["Location"] == url(n)
    assert AuditEvent.objects.count() == before + 3
    assert FundingSource.objects.get(project=n.project, kind="donation").amount == 10000
    assert total(Allocation, item=sewer) == Decimal("320000")
    assert total(Payment, item=sewer) == Decimal("121000.75")
    assert "支出已登记" in html(client.get(url(n)))


def test_over_commit_is_refused_next_to_the_amount(client, money):
    n = money
    client.force_login(n.staff_a)
    before = books()
    # Central money: 400,000, of which 380,000 committed; 20,000 left.
    response = client.post(url(n, "commit/"), {"item": n.items[0].pk,
                                               "source": n.central.pk, "amount": "20000.01"})
    assert response.status_code == 400
    errors = " ".join(response.context["commit_form"]["amount"].errors)
    assert "只剩 20,000.00 元未落实" in errors and errors in html(response)
    # The rails' budget is 30,000, 20,000 committed.
    response = client.post(url(n, "commit/"), {"item": n.items[2].pk,
                                               "source": n.residents_money.pk, "amount": "10001"})
    assert "预算只剩 10,000.00 元未落实" in " ".join(
        response.context["commit_form"]["amount"].errors)
    assert books() == before


def test_over_spend_is_refused_next_to_the_amount(client, money):
    n = money
    client.force_login(n.staff_a)
    before = books()
    response = client.post(url(n, "payment/"), {"item": n.items[0].pk,
                                                "source": n.central.pk, "amount": "180000"})
    assert response.status_code == 400
    errors = " ".join(response.context["payment_form"]["amount"].errors)
    assert "支出超过已落实资金" in errors and "本次最多支出 179,999.50 元" in errors
    assert "支出超过已落实资金" in html(response)
    # Nothing committed from the residents' money to the sewer.
    response = client.post(url(n, "payment/"), {"item": n.items[0].pk,
                                                "source": n.residents_money.pk, "amount": "1"})
    assert "支出超过已落实资金" in " ".join(response.context["payment_form"]["amount"].errors)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url(n, "payment/"), {"item": n.items[0].pk, "source": n.central.pk,
                                                "amount": "1", "paid_on": future})
    assert "不能晚于今天" in " ".join(response.context["payment_form"]["paid_on"].errors)
    assert books() == before


def test_bad_amounts_and_foreign_rows_are_refused(client, money):
    n = money
    client.force_login(n.staff_a)
    before = books()
    response = client.post(url(n, "source/"), {"kind": "central", "amount": "12.345"})
    assert "两位小数" in " ".join(response.context["source_form"]["amount"].errors)
    response = client.post(url(n, "source/"), {"kind": "central", "amount": "1000"})
    assert "不能低于已落实" in " ".join(response.context["source_form"]["amount"].errors)
    other = ra.create_project(name="另一个项目", compounds=[n.compound], acting_user=n.staff_a)
    other_item = ra.add_item(project=other, category="basic", name="屋面防水",
                             budget="1000", acting_user=n.staff_a)
    response = client.post(url(n, "commit/"), {"item": other_item.pk, "source": n.central.pk,
                                               "amount": "1"})
    assert response.status_code == 400 and response.context["commit_form"]["item"].errors
    assert books()[:3] == before[:3]


def test_closed_books_show_no_forms_and_refuse_posts(client, money):
    n = money
    Project.objects.filter(pk=n.project.pk).update(stage=Stage.MANAGEMENT)
    client.force_login(n.staff_a)
    page = html(client.get(url(n)))
    assert "账目不能再改" in page and 'id="commit"' not in page
    before = books()
    response = client.post(url(n, "source/"), {"kind": "donation", "amount": "1"})
    assert response.status_code == 400
    assert "账目不能再改" in " ".join(response.context["source_form"].non_field_errors())
    assert books() == before
