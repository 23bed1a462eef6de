"""Plain-Python geometry on GeoJSON (lng, lat) polygons: enough for grid lookups."""

from collections.abc import Iterator

Ring = list[list[float]]


class GeometryError(ValueError):
    pass


def polygons(geometry: dict) -> Iterator[list[Ring]]:
    """Each polygon (outer ring, holes…) of a Polygon or MultiPolygon geometry."""
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        yield coords
    elif kind == "MultiPolygon":
        yield from coords
    else:
        raise GeometryError(f"expected Polygon or MultiPolygon, got {kind!r}")


def validate(geometry: dict) -> dict:
    """Check a boundary; return the bare geometry (a Feature's geometry is unwrapped)."""
    if not isinstance(geometry, dict):
        raise GeometryError("boundary must be a GeoJSON object")
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    for polygon in polygons(geometry):
        if not polygon:
            raise GeometryError("empty polygon")
        for ring in polygon:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise GeometryError("each ring needs at least 4 positions and must close")
            for position in ring:
                lng, lat = position[0], position[1]
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    raise GeometryError(f"position out of range: {position}")
    return geometry


def bbox(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) of the outer rings."""
    xs, ys = [], []
    for polygon in polygons(geometry):
        xs += [p[0] for p in polygon[0]]
        ys += [p[1] for p in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


def _in_ring(lng: float, lat: float, ring: Ring) -> bool:
    # Ray casting: count edges crossed by a ray going east from the point.
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def contains(geometry: dict, lng: float, lat: float) -> bool:
    for outer, *holes in polygons(geometry):
        if _in_ring(lng, lat, [p[:2] for p in outer]) and not any(
            _in_ring(lng, lat, [p[:2] for p in hole]) for hole in holes
        ):
            return True
    return False


def centroid(geometry: dict) -> tuple[float, float]:
    """Mean of the outer ring's vertices: a label position, not a true centroid."""
    outer = next(polygons(geometry))[0][:-1]
    return sum(p[0] for p in outer) / len(outer), sum(p[1] for p in outer) / len(outer)
