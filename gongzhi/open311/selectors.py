"""Reads behind the Open311 endpoints: clients by key, services, requests.

Open311 reads are public (the spec asks no key to read), so nothing here is scoped by
user; what may be shown is decided by the representation in ``serializers``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from gongzhi.areas.models import GRID_KINDS, AreaNode
from gongzhi.cases.models import OPEN_STATUSES, Case, CasePhoto, Category
from gongzhi.core.tree import ancestor_paths
from gongzhi.open311.actions import hash_key
from gongzhi.open311.models import Client

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


# What a service request shows, and no more: a thousand rows of whole cases, areas with
# their boundaries and categories with their keywords cost more to build than to send.
REQUEST_FIELDS = (
    "created_at", "updated_at", "title", "description", "category", "status", "priority",
    "area", "address", "lat", "lng", "assignee_org", "resolution_due", "resolved_at", "result",
    "rejection_reason", "reporter_name", "reporter_phone", "merged_into",
    "area__code", "area__kind", "area__path", "category__code", "category__name",
    "category__response_hours", "category__resolution_workdays",
    "category__urgent_response_hours", "category__urgent_resolution_workdays",
    "assignee_org__name",
)


def _loaded(cases: QuerySet[Case]) -> QuerySet[Case]:
    """With the fields a request shows and ``first_photo_id`` (the media_url's photo)."""
    first_photo = CasePhoto.objects.filter(case=OuterRef("pk")).order_by("id").values("id")[:1]
    return (cases.select_related("category", "assignee_org", "area").only(*REQUEST_FIELDS)
            .annotate(first_photo_id=Subquery(first_photo)))


def find_requests(query: RequestQuery) -> list[Case]:
    """At most ``MAX_REQUESTS`` cases, newest first (or in the order the ids were asked)."""
    if query.ids is not None:
        ids = query.ids[:MAX_REQUESTS]
        found = {c.pk: c for c in _loaded(Case.objects.filter(pk__in=ids))}
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
    return list(_loaded(cases.order_by("-created_at", "-id"))[:MAX_REQUESTS])


def request_by_id(request_id: int) -> Case | None:
    return _loaded(Case.objects.filter(pk=request_id)).first()


def place_names(areas: Iterable[AreaNode]) -> dict[str, str]:
    """Area path → "1栋, 铁路小区, 活龙社区, 幸福街道, …": most specific first, as the spec
    asks, without grids (residents do not know them); one query for any number of areas."""
    paths = {a.path for a in areas}
    wanted = {p for path in paths for p in ancestor_paths(path)}
    names = dict(
        AreaNode.objects.filter(path__in=wanted).exclude(kind__in=GRID_KINDS)
        .values_list("path", "name")
    )
    return {
        path: ", ".join(names[p] for p in reversed(ancestor_paths(path)) if p in names)
        for path in paths
    }


def jurisdiction_root() -> AreaNode | None:
    """The one top of the area tree, if there is exactly one."""
    roots = list(AreaNode.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None
