"""Deliberation in the admin: read-only, scoped, and ballots nowhere."""

import pytest
from django.contrib import admin
from django.urls import reverse

from gongzhi.conftest import make_user
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Ballot, Council, Meeting, Poll, Topic

MODELS = [Council, Topic, Meeting, Poll]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def filled(delib):
    topic = actions.raise_topic(council=delib.council, title="楼道照明", description="灯坏了",
                                acting_user=delib.staff_a)
    actions.schedule_meeting(council=delib.council, title="月度议事会", place="会议室",
                             starts_at=delib.window["closes_at"], topics=[topic],
                             acting_user=delib.staff_a)
    actions.create_poll(title="议事规则", area=delib.comm_a, electorate="council", rule="simple",
                        council=delib.council, acting_user=delib.staff_a, **delib.window)
    return delib


def test_ballots_are_not_in_the_admin():
    assert Ballot not in admin.site._registry
    assert all(model in admin.site._registry for model in MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_pages_open_read_only(client, filled, model):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(url(model, "changelist")).status_code == 200
    obj = model.objects.get()
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_community_staff_are_not_let_in(client, filled):
    """The admin is for administrators; staff run councils on the console pages."""
    filled.staff_b.is_staff = True
    filled.staff_b.save(update_fields=["is_staff"])
    client.force_login(filled.staff_b)
    assert client.get(url(Council, "changelist")).status_code == 403
    assert client.get(url(Council, "change", filled.council.pk)).status_code == 403
