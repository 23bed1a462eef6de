from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F

from gongzhi.areas.actions import create_area
from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode, Household, Resident
from gongzhi.core.models import AuditEvent
from gongzhi.core.tree import PATH_STEP, subtree_q
from gongzhi.demo.tests.helpers import digest

PARENT_KIND = {
    AreaKind.DISTRICT: {AreaKind.CITY},
    AreaKind.STREET: {AreaKind.DISTRICT},
    AreaKind.COMMUNITY: {AreaKind.STREET},
    AreaKind.GRID_LARGE: {AreaKind.COMMUNITY},
    AreaKind.GRID_SMALL: {AreaKind.GRID_LARGE},
    AreaKind.COMPOUND: {AreaKind.GRID_SMALL},
    AreaKind.BUILDING: {AreaKind.COMPOUND},
}


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generate_makes_exactly_n_households_in_a_sound_tree():
    create_area(kind=AreaKind.CITY, code="OTHER", name="已有城市", parent=None, acting_user=None)
    output = generate("--households", "2000", "--seed", "5")
    assert "2,000" in output and "户/秒" in output and "行/秒" in output
    city = AreaNode.objects.get(code="GEN5")
    assert city.parent is None and city.path == f"{2:0{PATH_STEP}d}"  # after the existing root
    nodes = list(AreaNode.objects.filter(subtree_q(city.path)).select_related("parent"))
    for node in nodes:
        assert node.depth == len(node.path) // PATH_STEP
        assert node.code.startswith("GEN5")
        if node.pk != city.pk:
            assert node.parent.kind in PARENT_KIND[node.kind]
            assert len(node.path) == len(node.parent.path) + PATH_STEP
            assert node.path.startswith(node.parent.path)
            assert node.depth == node.parent.depth + 1
    siblings: dict[int, list[int]] = {}
    for node in nodes:
        siblings.setdefault(node.parent_id, []).append(int(node.path[-PATH_STEP:]))
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1))
               for parent, seqs in siblings.items() if parent)
    kinds = {node.kind for node in nodes}
    assert kinds == {k.value for k in AreaKind}
    for node in nodes:
        if node.kind in (AreaKind.COMMUNITY, *GRID_KINDS):
            assert node.boundary and node.min_lng < node.max_lng and node.min_lat < node.max_lat
    communities = [n for n in nodes if n.kind == AreaKind.COMMUNITY]
    assert all(any(g.parent_id == c.pk and g.kind == AreaKind.GRID_LARGE for g in nodes)
               for c in communities)

    households = Household.objects.filter(subtree_q(city.path, "area_path"))
    assert households.count() == 2000
    assert not households.exclude(area_path=F("building__path")).exists()
    assert not households.exclude(building__kind=AreaKind.BUILDING).exists()
    per_household = households.annotate(n=Count("residents")).values_list("n", "member_count")
    assert all(n == members <= 4 for n, members in per_household)
    assert Resident.objects.filter(household__in=households).count() > 2000
    assert AuditEvent.objects.filter(action="demo.generate").count() == 1
    buildings = [n for n in nodes if n.kind == AreaKind.BUILDING]
    assert 2000 / 60 <= len(buildings) <= 2000 / 30 + 2


@pytest.mark.django_db
def test_same_seed_gives_the_same_city_and_another_seed_does_not():
    digests = []
    for seed in ("9", "9", "10"):
        with transaction.atomic():
            generate("--households", "1500", "--seed", seed, "--city-code", "BENCH")
            digests.append(digest(AreaNode.objects.get(code="BENCH")))
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


@pytest.mark.django_db
def test_an_existing_city_code_is_refused_and_nothing_changes():
    generate("--households", "300", "--seed", "3")
    before = (AreaNode.objects.count(), Household.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="GEN3"):
        generate("--households", "300", "--seed", "4", "--city-code", "GEN3")
    assert (AreaNode.objects.count(), Household.objects.count(),
            AuditEvent.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("args", [
    ("--households", "0", "--seed", "1"),
    ("--households", "10", "--seed", "1", "--city-code", "bad code!"),
])
def test_bad_arguments_are_refused(args):
    with pytest.raises(CommandError):
        generate(*args)
    assert not AreaNode.objects.exists()


@pytest.mark.django_db
def test_only_an_administrator_may_load_or_generate(street):
    from django.core.exceptions import PermissionDenied

    from gongzhi.demo.actions import generate_city, load_demo

    before = AreaNode.objects.count()
    for user in (street.staff_a, street.admin):  # street.admin holds a role, not superuser
        with pytest.raises(PermissionDenied):
            load_demo(acting_user=user)
        with pytest.raises(PermissionDenied):
            generate_city(households=100, seed=1, city_code="X", acting_user=user)
    assert AreaNode.objects.count() == before
    street.admin.is_superuser = True
    street.admin.save()
    summary = generate_city(households=100, seed=1, city_code="X", acting_user=street.admin)
    assert summary.households == 100
    event = AuditEvent.objects.get(action="demo.generate")
    assert event.actor == street.admin and event.after["households"] == 100
