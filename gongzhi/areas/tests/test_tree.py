import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongzhi.areas.actions import create_area, set_boundary
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.areas.selectors import smallest_grid_at
from gongzhi.conftest import square
from gongzhi.core.models import AuditEvent
from gongzhi.core.tree import PATH_STEP, ancestor_paths, subtree_q, subtree_upper


def test_paths_are_parent_path_plus_fixed_width_sequence(street):
    assert street.street.path == street.district.path + "000001"
    assert street.comm_b.path == street.street.path + "000002"
    for node in AreaNode.objects.select_related("parent"):
        expected_parent = node.parent.path if node.parent else ""
        assert node.path[:-PATH_STEP] == expected_parent
        assert node.depth == len(node.path) // PATH_STEP


def test_subtree_is_exactly_the_descendants(street):
    in_a = set(AreaNode.objects.filter(subtree_q(street.comm_a.path)))
    walked, frontier = set(), [street.comm_a]
    while frontier:  # the slow way, to check the fast one
        node = frontier.pop()
        walked.add(node)
        frontier.extend(node.children.all())
    assert in_a == walked
    assert street.comm_b not in in_a
    households = Household.objects.filter(subtree_q(street.grid_a1.path, "area_path"))
    assert set(households) == {street.h1, street.h2}


def test_subtree_upper_bound_carries_into_next_sibling():
    assert subtree_upper("000001000009") == "000001000010"
    assert ancestor_paths("000001000002000003") == ["000001", "000001000002", "000001000002000003"]


def test_ancestors_root_first(street):
    names = [n.name for n in street.b1.ancestors()]
    assert names == ["示范市", "示范区", "幸福街道", "活龙社区", "第一网格", "铁路小区", "1栋"]


def test_wrong_child_kind_is_refused(street):
    before = AreaNode.objects.count()
    with pytest.raises(ValidationError) as err:
        create_area(kind=AreaKind.BUILDING, code="X", name="X", parent=street.street,
                    acting_user=None)
    assert "楼栋" in str(err.value)
    assert AreaNode.objects.count() == before


def test_creating_areas_needs_manage_areas(street):
    with pytest.raises(PermissionDenied):
        create_area(kind=AreaKind.COMPOUND, code="NEW", name="新小区", parent=street.grid_a1,
                    acting_user=street.staff_a)
    node = create_area(kind=AreaKind.COMPOUND, code="NEW", name="新小区", parent=street.grid_a1,
                       acting_user=street.admin)
    event = AuditEvent.objects.get(action="areas.create_area", object_id=str(node.pk))
    assert event.actor == street.admin
    assert event.area_path == node.path


def test_bad_boundary_is_refused_and_nothing_changes(street):
    bad = {"type": "Polygon", "coordinates": [[[111.0, 26.0], [111.1, 26.0], [111.0, 26.1]]]}
    with pytest.raises(ValidationError) as err:
        set_boundary(node=street.grid_a1, boundary=bad, acting_user=street.admin)
    assert "GeoJSON" in str(err.value)
    street.grid_a1.refresh_from_db()
    assert street.grid_a1.boundary["coordinates"][0][0] == [111.0, 26.0]


def test_point_finds_smallest_containing_grid(street):
    small = create_area(kind=AreaKind.GRID_SMALL, code="CA-G1-S1", name="小网格",
                        parent=street.grid_a1, acting_user=None,
                        boundary=square(111.002, 26.002, 0.003))
    assert smallest_grid_at(111.003, 26.003) == small
    assert smallest_grid_at(111.008, 26.008) == street.grid_a1
    assert smallest_grid_at(111.015, 26.005) == street.grid_a2
    assert smallest_grid_at(120.0, 30.0) is None


def test_set_boundary_updates_bbox_and_audits(street):
    set_boundary(node=street.grid_a2, boundary=square(112.0, 27.0, 0.5), acting_user=street.admin)
    street.grid_a2.refresh_from_db()
    assert (street.grid_a2.min_lng, street.grid_a2.max_lat) == (112.0, 27.5)
    assert AuditEvent.objects.filter(action="areas.set_boundary").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_children_get_distinct_paths():
    city = create_area(kind=AreaKind.CITY, code="PC", name="并发市", parent=None, acting_user=None)
    barrier, errors = threading.Barrier(4), []

    def add(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            create_area(kind=AreaKind.DISTRICT, code=f"PD{i}", name=f"区{i}", parent=city,
                        acting_user=None)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    paths = sorted(AreaNode.objects.filter(parent=city).values_list("path", flat=True))
    assert paths == [city.path + f"{i:06d}" for i in range(1, 5)]
