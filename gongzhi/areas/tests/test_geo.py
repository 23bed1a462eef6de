import pytest

from gongzhi.areas import geo

DONUT = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


def test_point_in_polygon_respects_holes():
    assert geo.contains(DONUT, 1, 1)
    assert not geo.contains(DONUT, 5, 5)
    assert not geo.contains(DONUT, 11, 5)


def test_multipolygon_and_feature():
    multi = {"type": "MultiPolygon", "coordinates": [DONUT["coordinates"],
                                                     [[[20, 20], [21, 20], [21, 21], [20, 20]]]]}
    assert geo.contains(multi, 20.8, 20.5)
    feature = {"type": "Feature", "geometry": DONUT, "properties": {}}
    assert geo.validate(feature) == DONUT
    assert geo.bbox(multi) == (0, 0, 21, 21)


@pytest.mark.parametrize("bad", [
    {"type": "Point", "coordinates": [1, 2]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]},
    "not a dict",
])
def test_invalid_geometries_are_rejected(bad):
    with pytest.raises(geo.GeometryError):
        geo.validate(bad)
