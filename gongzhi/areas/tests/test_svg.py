"""The server-side SVG grid map: projection, shapes, labels, legend, bad data."""

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.areas import svg
from gongzhi.conftest import square

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def multipolygon() -> dict:
    a = square(111.03, 26.0, 0.005)["coordinates"]
    b = square(111.04, 26.01, 0.005)["coordinates"]
    return {"type": "MultiPolygon", "coordinates": [a, b]}


def test_one_linked_shape_per_child_with_a_boundary():
    shapes = [
        svg.Shape("第一网格", "/areas/G1/", square(111.0, 26.0), "#111111", "第一网格：2 户"),
        svg.Shape("第二网格", "/areas/G2/", square(111.01, 26.0), "#222222"),
        svg.Shape("飞地网格", "/areas/G3/", multipolygon(), "#333333"),
        svg.Shape("没有边界", "/areas/G4/", None, "#444444"),
    ]
    root = parse(svg.render_map(shapes, legend=[svg.LegendEntry("大网格", "#111111")],
                                title="活龙社区"))
    links = root.findall("s:a", NS)
    assert [a.get("href") for a in links] == ["/areas/G1/", "/areas/G2/", "/areas/G3/"]
    assert [a.find("s:title", NS).text for a in links] == ["第一网格：2 户", "第二网格", "飞地网格"]
    assert [a.find("s:path", NS).get("fill") for a in links] == ["#111111", "#222222", "#333333"]
    # The MultiPolygon is one link drawing both of its parts.
    assert links[2].find("s:path", NS).get("d").count("M") == 2
    labels = [t.text for t in root.findall("s:g[@class='map-labels']/s:text", NS)]
    assert labels == ["第一网格", "第二网格", "飞地网格"]
    legend = root.find("s:g[@class='map-legend']", NS)
    assert [t.text for t in legend.findall("s:text", NS)] == ["大网格"]
    assert root.find("s:title", NS).text == "活龙社区"


def test_labels_sit_inside_their_shapes():
    shapes = [svg.Shape(f"格{i}", f"/a/{i}/", square(111.0 + i * 0.01, 26.0), "#ccc")
              for i in range(3)]
    root = parse(svg.render_map(shapes))
    for link, label in zip(root.findall("s:a", NS),
                           root.findall("s:g[@class='map-labels']/s:text", NS), strict=True):
        points = [tuple(map(float, p.split(","))) for p in
                  link.find("s:path", NS).get("d").strip("MZ").split("L")]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x, y = float(label.get("x")), float(label.get("y"))
        assert min(xs) < x < max(xs) and min(ys) < y < max(ys)


def test_no_drawable_shape_draws_nothing():
    assert svg.render_map([svg.Shape("无", "/a/", None, "#ccc")]) == ""
    assert svg.render_map([]) == ""


def test_unreadable_geometry_is_skipped_not_a_crash():
    shapes = [svg.Shape("坏的", "/bad/", {"type": "Point", "coordinates": [111, 26]}, "#ccc"),
              svg.Shape("好的", "/good/", square(111.0, 26.0), "#ccc")]
    links = parse(svg.render_map(shapes)).findall("s:a", NS)
    assert [a.get("href") for a in links] == ["/good/"]


def test_names_and_links_are_escaped():
    shapes = [svg.Shape('<script>alert(1)</script>&"', '/a/?x="1"&y=2', square(111, 26), "#ccc")]
    markup = str(svg.render_map(shapes, title="<b>"))
    assert "<script>" not in markup and "<b>" not in markup
    root = parse(markup)  # still well-formed XML
    assert root.find("s:a", NS).get("href") == '/a/?x="1"&y=2'


def test_outline_of_the_parent_is_drawn_and_counted_in_the_bounds():
    outline = square(110.9, 25.9, 0.3)
    root = parse(svg.render_map([svg.Shape("格", "/a/", square(111.0, 26.0), "#ccc")],
                                outline=outline))
    assert root.find("s:path[@class='map-outline']", NS) is not None
    child = root.find("s:a/s:path", NS).get("d")
    xs = [float(p.split(",")[0]) for p in child.strip("MZ").split("L")]
    assert max(xs) - min(xs) < 100  # a small square inside a large outline


coordinate = st.floats(min_value=-170, max_value=170, allow_nan=False)
latitude = st.floats(min_value=-80, max_value=80, allow_nan=False)
size = st.floats(min_value=1e-5, max_value=5, allow_nan=False)
fraction = st.floats(min_value=0, max_value=1)


@given(coordinate, latitude, size, size, st.lists(st.tuples(fraction, fraction), min_size=1,
                                                    max_size=20))
def test_projection_keeps_every_point_inside_the_viewbox(lng, lat, w, h, points):
    bounds = (lng, lat, lng + w, min(lat + h, 89.0))
    project = svg.Projection(bounds, svg.WIDTH, svg.HEIGHT)
    for fx, fy in points:
        x, y = project(bounds[0] + fx * (bounds[2] - bounds[0]),
                       bounds[1] + fy * (bounds[3] - bounds[1]))
        assert svg.PAD - 1e-6 <= x <= svg.WIDTH - svg.PAD + 1e-6
        assert svg.PAD - 1e-6 <= y <= svg.HEIGHT - svg.PAD + 1e-6


def test_projection_uses_one_scale_for_both_axes_and_north_is_up():
    lat = 40.0
    metres_per_degree = math.cos(math.radians(lat))
    # A square on the ground: its longitude span is wider by 1 / cos(latitude).
    d = 0.01
    bounds = (116.0, lat - d / 2, 116.0 + d / metres_per_degree, lat + d / 2)
    project = svg.Projection(bounds, 800, 400)
    x0, y0 = project(bounds[0], bounds[1])
    x1, y1 = project(bounds[2], bounds[3])
    assert math.isclose(abs(x1 - x0), abs(y1 - y0), rel_tol=1e-3)
    assert y1 < y0  # north (larger latitude) is drawn higher


def test_count_classes_and_fills():
    assert svg.count_classes(0) == []
    assert svg.count_classes(2) == [(1, 1), (2, 2)]
    assert svg.count_classes(100) == [(1, 25), (26, 50), (51, 75), (76, 100)]
    classes = svg.count_classes(100)
    assert svg.count_fill(0, classes) == svg.EMPTY_FILL
    assert [svg.count_fill(n, classes) for n in (1, 26, 75, 100)] == list(svg.COUNT_FILLS)


def test_wall_lettering_two_lines_and_names_kept_inside_the_frame():
    """A map for a wall screen: its own sizes, counts on a second line, and a long name of
    a narrow shape at the edge pulled in so that no character is cut off by the frame."""
    big = svg.TextSizes(label=24, legend=22, legend_columns=2)
    shapes = [svg.Shape("铁路新村社区", "/a/1/", square(111.0, 26.0, 0.02), "#ccc",
                        detail="26件 超期9"),
              svg.Shape("德鑫社区", "/a/2/", square(111.3, 26.0, 0.002), "#ccc")]
    legend = [svg.LegendEntry(f"图例{i}", "#ccc") for i in range(4)]
    root = parse(svg.render_map(shapes, legend=legend, width=600, height=460, sizes=big))
    labels = root.find("s:g[@class='map-labels']", NS)
    assert labels.get("font-size") == "24"
    first, second = labels.findall("s:text", NS)
    assert first.text == "铁路新村社区"
    assert first.find("s:tspan", NS).text == "26件 超期9"
    assert first.find("s:tspan", NS).get("dy") == "28.8"  # one line of 24 and its leading
    assert second.find("s:tspan", NS) is None
    half = svg.text_width("德鑫社区", 24) / 2
    assert float(second.get("x")) + half <= 600
    legend_g = root.find("s:g[@class='map-legend']", NS)
    assert legend_g.get("font-size") == "22"
    xs = sorted({float(r.get("x")) for r in legend_g.findall("s:rect", NS)})
    assert len(xs) == 2  # two columns, two rows
    assert root.get("viewBox") == f"0 0 600 {460 + big.legend_row * 2 + svg.PAD}"


def test_text_width_counts_chinese_as_square():
    assert svg.text_width("社区", 20) == 40
    assert svg.text_width("26件", 20) == pytest.approx(20 * 0.62 * 2 + 20)


def test_a_legend_too_wide_for_its_columns_takes_fewer():
    sizes = svg.TextSizes(label=24, legend=22, legend_columns=2)
    short = [svg.LegendEntry("有超期诉求", "#f00"), svg.LegendEntry("无在办诉求", "#ccc")]
    long = [svg.LegendEntry("Open cases all on time", "#0f0"), *short]
    assert svg.legend_columns(short, 600, sizes) == 2
    assert svg.legend_columns(long, 600, sizes) == 1
    root = parse(svg.render_map([svg.Shape("格", "/a/", square(111.0, 26.0), "#ccc")],
                                legend=long, width=600, height=460, sizes=sizes))
    rects = root.find("s:g[@class='map-legend']", NS).findall("s:rect", NS)
    assert {r.get("x") for r in rects} == {f"{svg.PAD:.1f}"}  # one column, three rows
    assert root.get("viewBox") == f"0 0 600 {460 + sizes.legend_row * 3 + svg.PAD}"
