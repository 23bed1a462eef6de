"""Reads of the area tree and households, always scoped to what the user may see."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr

from gongzhi.areas import geo
from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode, Household, Resident
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.permissions import Perm, can, scope_paths, scope_q
from gongzhi.core.tree import PATH_STEP, ancestor_paths, subtree_q


def visible_areas(user) -> QuerySet[AreaNode]:
    return AreaNode.objects.filter(scope_q(user, Perm.VIEW_AREA))


def area_by_code(user, code: str) -> AreaNode | None:
    """The node with ``code`` if the user may see it, else None (no leak of existence)."""
    return visible_areas(user).filter(code=code).first()


def children(node: AreaNode) -> QuerySet[AreaNode]:
    """Direct children with how many children each has."""
    return node.children.annotate(child_count=Count("children")).order_by("path")


def smallest_grid_at(lng: float, lat: float) -> AreaNode | None:
    """The deepest grid whose boundary contains the point (bounding box first, then exact)."""
    candidates = AreaNode.objects.filter(
        kind__in=GRID_KINDS,
        min_lng__lte=lng, max_lng__gte=lng, min_lat__lte=lat, max_lat__gte=lat,
    ).order_by("-depth", "path")
    return next((g for g in candidates if geo.contains(g.boundary, lng, lat)), None)


@dataclass(frozen=True)
class ResidentCard:
    """A resident as one viewer may see them: phone and ID number masked unless entitled."""

    id: int
    name: str
    phone: str
    id_number: str
    is_head: bool
    tags: list[str]
    masked: bool


def resident_card(user, resident: Resident) -> ResidentCard:
    entitled = can(user, Perm.VIEW_PERSONAL_DATA, resident.household)
    return ResidentCard(
        id=resident.pk,
        name=resident.name,
        phone=resident.phone if entitled else mask_phone(resident.phone),
        id_number=resident.id_number if entitled else mask_id_number(resident.id_number),
        is_head=resident.is_head,
        tags=resident.tag_labels(),
        masked=not entitled,
    )


# --- Reads for the JSON API -------------------------------------------------------------

HOUSEHOLD_ORDER = ("area_path", "unit", "room", "id")


def root_nodes(user) -> QuerySet[AreaNode]:
    """The user's scope roots with their parent and how many children each has."""
    if getattr(user, "is_superuser", False):
        nodes = AreaNode.objects.filter(parent__isnull=True)
    else:
        nodes = AreaNode.objects.filter(path__in=scope_paths(user, Perm.VIEW_AREA))
    return nodes.select_related("parent").annotate(child_count=Count("children")).order_by("path")


def visible_children(user, node: AreaNode) -> QuerySet[AreaNode]:
    return children(node).filter(scope_q(user, Perm.VIEW_AREA))


def visible_households(user) -> QuerySet[Household]:
    """Every household the user may see: their VIEW_HOUSEHOLDS scope and their own home.

    ``None`` is the system itself (commands run by the operator): every household.
    """
    if user is None:
        return Household.objects.all()
    q = scope_q(user, Perm.VIEW_HOUSEHOLDS, "area_path")
    resident_id = getattr(user, "resident_id", None)
    if resident_id and not getattr(user, "is_superuser", False):
        # A subquery, not a join: a join through residents would repeat households.
        q |= Q(pk__in=Resident.objects.filter(pk=resident_id).values("household_id"))
    return Household.objects.filter(q)


def household_cards(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households with building and residents loaded in two queries, whatever their number."""
    return queryset.select_related("building").prefetch_related(
        Prefetch("residents", queryset=Resident.objects.order_by("-is_head", "id"))
    )


def households_in(user, node: AreaNode) -> QuerySet[Household]:
    """Households under ``node`` that the user may see, with building and residents loaded."""
    return household_cards(visible_households(user).filter(subtree_q(node.path, "area_path")))


def household_page(
    user, node: AreaNode, *, after: tuple[str, str, str, int] | None, q: str = ""
) -> QuerySet[Household]:
    """Households under ``node`` the user may see, in (path, unit, room, id) order after ``after``.

    Keyset pagination: the caller slices ``[:limit + 1]``; the last row's key is the cursor.
    """
    households = visible_households(user).filter(subtree_q(node.path, "area_path"))
    if q:
        households = households.filter(
            Q(room__icontains=q)
            | Q(building__name__icontains=q)
            | Exists(Resident.objects.filter(household=OuterRef("pk"), name__icontains=q))
        )
    if after is not None:
        path, unit, room, pk = after
        households = households.filter(area_path__gte=path).filter(
            Q(area_path__gt=path)
            | Q(area_path=path, unit__gt=unit)
            | Q(area_path=path, unit=unit, room__gt=room)
            | Q(area_path=path, unit=unit, room=room, pk__gt=pk)
        )
    return household_cards(households).order_by(*HOUSEHOLD_ORDER)


def household_key(household: Household) -> tuple[str, str, str, int]:
    return (household.area_path, household.unit, household.room, household.pk)


def area_counts(user, node: AreaNode) -> tuple[int, int]:
    """(direct children, households in the subtree the user may see)."""
    households = visible_households(user).filter(subtree_q(node.path, "area_path"))
    return node.children.count(), households.count()


def visible_grid_at(user, lng: float, lat: float) -> AreaNode | None:
    """The smallest grid at the point, only if the user may see it."""
    grid = smallest_grid_at(lng, lat)
    if grid is None or not can(user, Perm.VIEW_AREA, grid):
        return None
    return grid


# --- Reads for the area pages -----------------------------------------------------------


def subtree_counts(node: AreaNode) -> dict[str, tuple[int, int]]:
    """(households, residents) under each direct child of ``node``, keyed by child path.

    A building's own households are keyed by its path. Two grouped queries, whatever the size
    of the subtree. Not scoped: the caller checks VIEW_HOUSEHOLDS on ``node`` first.
    """
    width = len(node.path) + PATH_STEP
    households = (
        Household.objects.filter(subtree_q(node.path, "area_path")).order_by()
        .annotate(child=Substr("area_path", 1, width))
        .values("child").annotate(n=Count("id")).values_list("child", "n")
    )
    residents = dict(
        Resident.objects.filter(subtree_q(node.path, "household__area_path")).order_by()
        .annotate(child=Substr("household__area_path", 1, width))
        .values("child").annotate(n=Count("id")).values_list("child", "n")
    )
    return {child: (n, residents.get(child, 0)) for child, n in households}


def ancestors_of(node: AreaNode) -> list[AreaNode]:
    """Every node above ``node``, root first."""
    return [a for a in node.ancestors().only("code", "name", "kind", "path") if a.pk != node.pk]


def household_cursor(user, node: AreaNode, pk: int) -> tuple[str, str, str, int] | None:
    """The keyset position of a visible household under ``node`` (the page's "after")."""
    row = (
        visible_households(user).filter(subtree_q(node.path, "area_path"), pk=pk)
        .values_list("area_path", "unit", "room", "id").first()
    )
    return tuple(row) if row else None


def public_building(code: str) -> AreaNode | None:
    """A building by the code printed on its door; public, so nothing but buildings."""
    return AreaNode.objects.filter(code=code, kind=AreaKind.BUILDING).first()


def place_names(node: AreaNode) -> list[str]:
    """Names residents know it by: community › compound › building (no grids, no codes)."""
    above = list(node.ancestors().only("name", "kind", "path"))
    start = next((i for i, a in enumerate(above) if a.kind == AreaKind.COMMUNITY), 0)
    return [a.name for a in above[start:] if a.kind not in GRID_KINDS]


def resident_at_home(user) -> Resident | None:
    """The user's resident record with its household and building, in one query, kept on
    the user object: the residents' menu and the page under it read it once per request."""
    if getattr(user, "resident_id", None) is None:
        return None
    field = user._meta.get_field("resident")
    if not field.is_cached(user):
        field.set_cached_value(user, Resident.objects.select_related("household__building")
                               .filter(pk=user.resident_id).first())
    return user.resident


def home_path(user) -> str | None:
    """The area path of the user's home, if they are a resident."""
    resident = getattr(user, "resident", None)
    return resident.household.area_path if resident is not None else None


def near_home_q(user, field: str = "area_path") -> Q:
    """Rows at the user's home or above it (building, compound, grid, community, street …)."""
    home = home_path(user)
    if not home:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": ancestor_paths(home)})
