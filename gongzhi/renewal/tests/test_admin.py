"""Renewal in the admin: every model opens read-only for an administrator, nobody adds."""

import pytest
from django.urls import reverse

from gongzhi.conftest import make_user
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import (
    Batch,
    CompoundRecord,
    FundingSource,
    Inspection,
    Payment,
    Project,
    Survey,
)

MODELS = [CompoundRecord, Batch, Project, Survey, FundingSource, Payment, Inspection]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def filled(in_works):
    from datetime import timedelta

    from django.utils import timezone

    n = in_works
    Survey.objects.create(project=n.project, area_path=n.project.area_path, title="调查",
                          closes_at=timezone.now() + timedelta(days=1))
    ra.commit_funds(item=n.items[0], source=n.central, amount="100", acting_user=n.staff_a)
    ra.record_payment(item=n.items[0], source=n.central, amount="100", acting_user=n.staff_a)
    ra.log_inspection(project=n.project, note="有序", acting_user=n.resident1)
    return n


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_pages_open_read_only(client, filled, model):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(url(model, "changelist")).status_code == 200
    obj = model.objects.first()
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_community_staff_are_not_let_in(client, filled):
    filled.staff_a.is_staff = True
    filled.staff_a.save(update_fields=["is_staff"])
    client.force_login(filled.staff_a)
    assert client.get(url(Project, "changelist")).status_code == 403
