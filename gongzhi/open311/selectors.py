"""Reads behind the Open311 endpoints: clients by key, services, requests.

Open311 reads are public (the spec asks no key to read), so nothing here is scoped by
user; what may be shown is decided by the representation in ``serializers``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from gongzhi.areas.models import GRID_KINDS, AreaNode
from gongzhi.cases.models import OPEN_STATUSES, Case, Category
from gongzhi.core.tree import PATH_STEP, ancestor_paths
from gongzhi.open311.actions import hash_key
from gongzhi.open311.models import Client
from gongzhi.open311.rows import RequestRow, request_rows

MAX_REQUESTS = 1000  # the spec's default query limit


def client_for_key(key: str) -> Client | None:
    """The client holding ``key``, unless it was revoked."""
    if not key:
        return None
    return Client.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).first()


def services() -> list[Category]:
    """Active leaf categories (a group with sub-categories is not itself a service)."""
    has_children = Category.objects.filter(parent=OuterRef("pk"))
    leaves = (
        Category.objects.filter(is_active=True)
        .filter(Q(parent__isnull=True) | Q(parent__is_active=True))
        .exclude(Exists(has_children))
        .select_related("parent")
    )

    def position(c: Category) -> tuple:
        group = c.parent or c
        return (group.order, group.code, c.parent_id is not None, c.order, c.code)

    return sorted(leaves, key=position)


def service(code: str) -> Category | None:
    return next((c for c in services() if c.code == code), None)


@dataclass(frozen=True)
class RequestQuery:
    """GET requests filters, already parsed; ``ids`` overrides everything else."""

    ids: list[int] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    open_only: bool | None = None  # None: both open and closed


def find_requests(query: RequestQuery) -> list[RequestRow]:
    """At most ``MAX_REQUESTS`` cases, newest first (or in the order the ids were asked)."""
    if query.ids is not None:
        ids = query.ids[:MAX_REQUESTS]
        found = {r.pk: r for r in request_rows(Case.objects.filter(pk__in=ids))}
        return [found[i] for i in dict.fromkeys(ids) if i in found]
    cases = Case.objects.all()
    if query.service_codes is not None:
        cases = cases.filter(category__code__in=query.service_codes)
    if query.start is not None:
        cases = cases.filter(created_at__gte=query.start)
    if query.end is not None:
        cases = cases.filter(created_at__lte=query.end)
    if query.open_only is True:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif query.open_only is False:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    return request_rows(cases.order_by("-created_at", "-id")[:MAX_REQUESTS])


def request_by_id(request_id: int) -> RequestRow | None:
    return next(iter(request_rows(Case.objects.filter(pk=request_id))), None)


# Above this depth the tree is city › district › street › community; below the community,
# only grids (left out of addresses) lie between it and a compound or building.
_NAMED_DEPTH = 4


def place_names(areas: Iterable) -> dict[str, str]:
    """Area path → "1栋, 铁路小区, 活龙社区, 幸福街道, …": most specific first, as the spec
    asks, without grids (residents do not know them).

    The area and its parent come with the rows (``rows.Area``); the levels down to the
    community are read in one query over their few distinct paths (a thousand requests
    name about as many buildings, but a few hundred communities).
    """
    areas = {a.path: a for a in areas}
    own: dict[str, list[str]] = {}
    above: dict[str, list[str]] = {}
    for path, area in areas.items():
        near = [a for a in (area, area.parent) if a is not None]
        own[path] = [a.name for a in near if a.kind not in GRID_KINDS]
        skip = {a.path for a in near}
        depth = min(_NAMED_DEPTH, len(path) // PATH_STEP)
        above[path] = [p for p in reversed(ancestor_paths(path[:depth * PATH_STEP]))
                       if p not in skip]
    wanted = {p for paths in above.values() for p in paths}
    names = dict(AreaNode.objects.filter(path__in=wanted).exclude(kind__in=GRID_KINDS)
                 .values_list("path", "name"))
    return {path: ", ".join(own[path] + [names[p] for p in above[path] if p in names])
            for path in areas}


def jurisdiction_root() -> AreaNode | None:
    """The one top of the area tree, if there is exactly one."""
    roots = list(AreaNode.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None
