"""Grid maps drawn on the server as SVG from GeoJSON boundaries: no JavaScript, no tiles.

Each shape is a link to its area page with a tooltip (<title>) and a label at its centroid;
a legend sits in a band under the map. Longitude is scaled by cos(latitude) so that the
map keeps its true proportions (one scale for both axes).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from gongzhi.areas import geo

Point = tuple[float, float]

WIDTH = 800
HEIGHT = 520
PAD = 16


@dataclass(frozen=True)
class TextSizes:
    """Sizes in viewBox units: a map drawn for a wall screen sets them large (and a viewBox
    about as wide as it is shown, so that a unit is about a pixel)."""

    label: int = 14
    legend: int = 13
    legend_columns: int = 4

    @property
    def legend_row(self) -> int:
        return round(self.legend * 2.15)


PAGE = TextSizes()


@dataclass(frozen=True)
class Shape:
    name: str
    href: str
    geometry: dict
    fill: str
    title: str = ""  # tooltip; the name when empty
    detail: str = ""  # a second line under the name (counts on the wall chart)


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str


# Blues and purples only: red, amber, green and grey mean case status everywhere else.
KIND_FILLS = {
    "district": "#9fa8da", "street": "#90caf9", "community": "#80cbc4",
    "grid_large": "#b39ddb", "grid_small": "#ce93d8", "compound": "#81d4fa",
    "building": "#a5b4c8",
}
DEFAULT_FILL = "#cfd8dc"
EMPTY_FILL = "#eceff1"
COUNT_FILLS = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")


def count_classes(maximum: int) -> list[tuple[int, int]]:
    """Up to four equal ranges covering 1..maximum (0 has a class of its own)."""
    if maximum <= 0:
        return []
    step = max(1, math.ceil(maximum / len(COUNT_FILLS)))
    return [(low, min(low + step - 1, maximum)) for low in range(1, maximum + 1, step)]


def count_fill(value: int, classes: list[tuple[int, int]]) -> str:
    if value <= 0:
        return EMPTY_FILL
    for index, (_low, high) in enumerate(classes):
        if value <= high:
            return COUNT_FILLS[index]
    return COUNT_FILLS[-1]


def outer_rings(geometry: dict) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon; [] for anything unreadable."""
    try:
        return [polygon[0] for polygon in geo.polygons(geometry) if polygon and polygon[0]]
    except (geo.GeometryError, AttributeError, TypeError, IndexError):
        return []


def _rings(geometry: dict) -> list[list[list[float]]]:
    try:
        return [ring for polygon in geo.polygons(geometry) for ring in polygon if len(ring) >= 3]
    except (geo.GeometryError, AttributeError, TypeError):
        return []


class Projection:
    """lng/lat → viewBox x/y with the same scale on both axes, centred in the box."""

    def __init__(self, bounds: tuple[float, float, float, float], width: float, height: float,
                 pad: float = PAD):
        min_lng, min_lat, max_lng, max_lat = bounds
        self.min_lng, self.max_lat = min_lng, max_lat
        self.kx = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lng - min_lng) * self.kx, 1e-9)
        span_y = max(max_lat - min_lat, 1e-9)
        self.scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        # Centre the drawing along the axis that has room to spare.
        self.dx = (width - span_x * self.scale) / 2
        self.dy = (height - span_y * self.scale) / 2

    def __call__(self, lng: float, lat: float) -> Point:
        x = self.dx + (lng - self.min_lng) * self.kx * self.scale
        y = self.dy + (self.max_lat - lat) * self.scale
        return x, y


def bounds_of(geometries: Iterable[dict]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for ring in outer_rings(geometry):
            xs += [float(p[0]) for p in ring]
            ys += [float(p[1]) for p in ring]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _ring_area_centroid(ring: Sequence[Point]) -> tuple[float, Point]:
    """Signed area and centroid of a projected ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2
    if abs(area) < 1e-9:  # degenerate: fall back to the mean of the vertices
        n = len(ring)
        return 0.0, (sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n)
    return area, (cx / (6 * area), cy / (6 * area))


def label_point(geometry: dict, project: Projection) -> Point | None:
    """Centroid of the largest outer ring: where the shape's name goes."""
    best: tuple[float, Point] | None = None
    for ring in outer_rings(geometry):
        area, centre = _ring_area_centroid([project(p[0], p[1]) for p in ring])
        if best is None or abs(area) > best[0]:
            best = (abs(area), centre)
    return best[1] if best else None


def path_data(geometry: dict, project: Projection) -> str:
    """SVG path commands for every ring (holes cut out by the even-odd rule)."""
    parts = []
    for ring in _rings(geometry):
        points = [project(float(p[0]), float(p[1])) for p in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn: a Chinese character is square, Latin about half."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.62 for c in text)


def _label(shape: Shape, point: Point, size: int, width: int) -> str:
    # Kept inside the map: a small shape at the edge would push its name past the frame.
    half = max(text_width(shape.name, size), text_width(shape.detail, size)) / 2
    x = min(max(point[0], PAD + half), width - PAD - half)
    y = point[1]
    if not shape.detail:
        return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle"'
                f' dominant-baseline="middle">{escape(shape.name)}</text>')
    return (f'<text x="{x:.1f}" y="{y - size * 0.6:.1f}" text-anchor="middle"'
            f' dominant-baseline="middle">{escape(shape.name)}'
            f'<tspan x="{x:.1f}" dy="{size * 1.2:.1f}">{escape(shape.detail)}</tspan></text>')


def legend_columns(legend: Sequence[LegendEntry], width: int, sizes: TextSizes) -> int:
    """As many columns as asked for, fewer when the longest entry would not fit in one."""
    box = round(sizes.legend * 1.3)
    widest = max((text_width(e.label, sizes.legend) for e in legend), default=0) + box * 1.6
    columns = sizes.legend_columns
    while columns > 1 and widest > (width - 2 * PAD) / columns:
        columns -= 1
    return columns


def _legend(legend: Sequence[LegendEntry], width: int, top: float, sizes: TextSizes,
            columns: int) -> list[str]:
    out = [f'<g class="map-legend" font-size="{sizes.legend}" fill="#1a1a1a">']
    column = (width - 2 * PAD) / columns
    box = round(sizes.legend * 1.3)
    for i, entry in enumerate(legend):
        x = PAD + (i % columns) * column
        y = top + PAD / 2 + (i // columns) * sizes.legend_row
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box}" height="{box}"'
                   f' fill="{escape(entry.fill)}" stroke="#5f6368"/>'
                   f'<text x="{x + box * 1.35:.1f}" y="{y + box / 2:.1f}"'
                   f' dominant-baseline="middle">{escape(entry.label)}</text>')
    out.append("</g>")
    return out


def render_map(shapes: Sequence[Shape], *, legend: Sequence[LegendEntry] = (),
               outline: dict | None = None, title: str = "", width: int = WIDTH,
               height: int = HEIGHT, sizes: TextSizes = PAGE) -> SafeString:
    """The map as an inline <svg>; empty when no shape has a drawable boundary."""
    drawable = [s for s in shapes if outer_rings(s.geometry)]
    bounds = bounds_of([s.geometry for s in drawable] + ([outline] if outline else []))
    if not drawable or bounds is None:
        return mark_safe("")
    project = Projection(bounds, width, height)
    columns = legend_columns(legend, width, sizes)
    rows = math.ceil(len(legend) / columns)
    legend_height = sizes.legend_row * rows + (PAD if legend else 0)
    total = height + legend_height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="area-map" viewBox="0 0 {width} {total}"'
        f' role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect class="map-bg" x="0" y="0" width="{width}" height="{height}" fill="#f5f6f8"/>',
    ]
    if outline:
        out.append(f'<path class="map-outline" d="{path_data(outline, project)}" fill="none"'
                   ' stroke="#5f6368" stroke-width="2" stroke-dasharray="6 4"/>')
    labels = []
    for shape in drawable:
        out.append(
            f'<a href="{escape(shape.href)}" class="map-area"><title>'
            f"{escape(shape.title or shape.name)}</title>"
            f'<path d="{path_data(shape.geometry, project)}" fill="{escape(shape.fill)}"'
            ' fill-rule="evenodd" stroke="#fff" stroke-width="1.5"/></a>'
        )
        point = label_point(shape.geometry, project)
        if point:
            labels.append(_label(shape, point, sizes.label, width))
    # Labels after every shape so that no neighbour paints over them; they let clicks through.
    out.append(f'<g class="map-labels" font-size="{sizes.label}" fill="#1a1a1a" stroke="#fff"'
               f' stroke-width="{max(3, sizes.label // 5)}" paint-order="stroke"'
               ' pointer-events="none">')
    out += labels
    out.append("</g>")
    if legend:
        out += _legend(legend, width, height, sizes, columns)
    out.append("</svg>")
    return mark_safe("".join(out))
