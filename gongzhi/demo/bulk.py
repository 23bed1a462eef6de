"""Fast loading: area nodes with their paths computed here, rows written in large batches.

Paths follow gongzhi.core.tree and gongzhi.areas.actions.create_area exactly: six digits a
level, children numbered from 1 in the order they are added, depth = len(path) // 6.
Primary keys are reserved up front so households and residents can be written without
reading anything back: on PostgreSQL from the table's sequence (and rows go in through
COPY), elsewhere after the current maximum (SQLite holds the write lock for the whole
transaction, so nobody else takes them meanwhile).
"""

import json
import math
from collections.abc import Iterable

from django.db import connection, models
from django.db.models import Max

from gongzhi.areas.actions import child_path
from gongzhi.areas.models import AreaNode
from gongzhi.core.tree import PATH_STEP

Rect = tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat


def polygon(rect: Rect) -> dict:
    west, south, east, north = rect
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def tile(rect: Rect, count: int) -> list[Rect]:
    """``count`` rectangles that exactly cover ``rect``: rows north to south, cells west to east."""
    west, south, east, north = rect
    rows = max(1, math.isqrt(count - 1) + 1) if count > 1 else 1
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    out = []
    for r, cells in enumerate(per_row):
        top = round(north - (north - south) * r / rows, 6)
        bottom = round(north - (north - south) * (r + 1) / rows, 6)
        for c in range(cells):
            left = round(west + (east - west) * c / cells, 6)
            right = round(west + (east - west) * (c + 1) / cells, 6)
            out.append((left, bottom, right, top))
    return out


def inset(rect: Rect, share: float = 0.08) -> Rect:
    """A smaller rectangle inside ``rect`` (a compound drawn inside its grid)."""
    west, south, east, north = rect
    dx, dy = (east - west) * share, (north - south) * share
    return (round(west + dx, 6), round(south + dy, 6), round(east - dx, 6), round(north - dy, 6))


class IdPool:
    """Hands out primary keys for rows written with explicit ids."""

    def __init__(self):
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int) -> list[int]:
        if count <= 0:
            return []
        if connection.vendor == "postgresql":
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        start = self._next.get(model)
        if start is None:
            start = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self._next[model] = start + count
        return list(range(start, start + count))


class TreeBuilder:
    """Collects new area nodes, numbering children per parent as create_area would."""

    def __init__(self):
        self.nodes: list[AreaNode] = []
        self._seq: dict[int, int] = {}

    def add(self, parent: AreaNode | None, kind: str, code: str, name: str,
            rect: Rect | None = None, **attrs) -> AreaNode:
        key = id(parent)
        if key not in self._seq:
            self._seq[key] = self._last_seq(parent)
        self._seq[key] += 1
        path = child_path(parent.path if parent else "", self._seq[key])
        node = AreaNode(kind=kind, code=code, name=name, parent=parent, path=path,
                        depth=len(path) // PATH_STEP, **attrs)
        if rect is not None:
            node.boundary = polygon(rect)
            node.min_lng, node.min_lat, node.max_lng, node.max_lat = rect
        self.nodes.append(node)
        return node

    @staticmethod
    def _last_seq(parent: AreaNode | None) -> int:
        # Only a new root can have siblings already stored; nodes below are all new.
        if parent is not None and parent.pk is None:
            return 0
        last = AreaNode.objects.filter(parent=parent).aggregate(m=Max("path"))["m"]
        return int(last[-PATH_STEP:]) if last else 0

    def save(self, ids: IdPool) -> None:
        """Insert every collected node (parents come first in the list)."""
        for node, pk in zip(self.nodes, ids.take(AreaNode, len(self.nodes)), strict=True):
            node.pk = pk
        for node in self.nodes:
            node.parent = node.parent  # copies the parent's new id into parent_id
        AreaNode.objects.bulk_create(self.nodes, batch_size=2000)


class RowWriter:
    """Writes plain row tuples into a model's table: COPY on PostgreSQL, else executemany.

    Rows hold Python values in the model's own terms (Decimal, bool, None, lists for JSON
    fields); they skip the ORM's per-object work, which dominates at a million rows.
    """

    def __init__(self, batch_size: int = 10000):
        self.batch_size = batch_size
        self.copy = connection.vendor == "postgresql"

    def write(self, model: type[models.Model], columns: tuple[str, ...],
              rows: Iterable[tuple]) -> None:
        fields = [model._meta.get_field(c.removesuffix("_id")) for c in columns]
        json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        if json_at:
            cache: dict[tuple, str] = {}  # tag lists repeat endlessly: encode each once
            rows = (_with_json(row, json_at, cache) for row in rows)
        times_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
        if times_at and not self.copy:  # COPY takes aware datetimes; SQLite wants UTC text
            rows = (_with_times(row, times_at) for row in rows)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= self.batch_size:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def _with_json(row: tuple, json_at: list[int], cache: dict[tuple, str]) -> tuple:
    """The row with its JSON values encoded; lists seen before come from ``cache``."""
    values = list(row)
    for i in json_at:
        value = values[i]
        if isinstance(value, list):
            key = tuple(value)
            text = cache.get(key)
            if text is None:
                text = cache[key] = json.dumps(value)
        else:
            text = json.dumps(value)
        values[i] = text
    return tuple(values)


def _with_times(row: tuple, times_at: list[int]) -> tuple:
    values = list(row)
    for i in times_at:
        values[i] = connection.ops.adapt_datetimefield_value(values[i])
    return tuple(values)
