"""The demo's 居民公约: the first community's convention drafted, consulted (answers, closed),
published and signed by most households — some on paper by building heads — with the demo
``resident``'s household left to sign; loaded through the actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.models import Convention, ConventionSignature, ConventionStage
from gongzhi.core.models import AuditEvent
from gongzhi.core.tree import subtree_q
from gongzhi.deliberation.models import ConsultationStatus
from gongzhi.demo import street as demo_street
from gongzhi.demo.campaigns_conventions import load_demo_conventions
from gongzhi.notices.models import NoticeStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        street = AreaNode.objects.get(code=demo_street.STREET_CODE)
        load_demo_conventions(street)  # 0 once setup_demo loads it itself
        yield street
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_demo_convention_loads_once(demo):
    assert load_demo_conventions(demo) == 0
    convention = Convention.objects.get()
    community = AreaNode.objects.filter(subtree_q(demo.path), kind=AreaKind.COMMUNITY).order_by(
        "path").first()
    assert convention.area_id == community.pk and convention.stage == ConventionStage.PUBLISHED
    assert convention.consultation.status == ConsultationStatus.CLOSED
    assert convention.consultation.matter == "covenant"
    assert convention.notice.status == NoticeStatus.PUBLISHED
    counts = sc.consultation_counts(convention)
    assert counts["answered"] > 0 and counts["agree"] > counts["disagree"]
    assert counts["answered"] == counts["agree"] + counts["conditional"] + counts["disagree"]
    assert AuditEvent.objects.filter(action="campaigns.publish_convention").count() == 1


@pytest.mark.django_db
def test_the_rates_hold_and_most_households_signed(demo):
    convention = Convention.objects.get()
    households = Household.objects.filter(subtree_q(convention.area_path, "area_path"))
    signatures = ConventionSignature.objects.filter(convention=convention)
    total, signed = households.count(), signatures.count()
    assert 0.75 * total < signed < total
    rates = sc.building_rates(convention)
    assert (rates.total.households, rates.total.signed) == (total, signed)
    # Each building's figures, counted another way.
    per_building = dict(households.values("building").annotate(n=Count("pk"))
                        .values_list("building", "n"))
    signed_per = dict(signatures.values("household__building").annotate(n=Count("pk"))
                      .values_list("household__building", "n"))
    assert {r.building.pk: (r.households, r.signed) for r in rates.rows} == {
        b: (n, signed_per.get(b, 0)) for b, n in per_building.items()}
    # Some on paper, recorded by building heads; every signature is audited once.
    heads = User.objects.filter(username__startswith="head_")
    assert signatures.filter(signed_by__in=heads).exists()
    assert AuditEvent.objects.filter(action="campaigns.sign_convention").count() == signed


@pytest.mark.django_db
def test_the_demo_resident_has_still_to_sign(demo):
    resident = User.objects.get(username="resident")
    convention = Convention.objects.get()
    assert sc.conventions_near(resident).filter(pk=convention.pk).exists()
    assert sc.signature_of(convention, resident.resident.household) is None
