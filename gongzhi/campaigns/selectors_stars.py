"""Reads of 十星级文明户, scoped by area: the buildings a grid worker or building head
assesses, the drafts the community confirms, a building's table over the years, door
plaques, a resident's own household, and the figures per community for the street."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns.models import AssessmentStatus, StarAssessment, StarAward, StarCriterion
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q

CONFIRMED = AssessmentStatus.CONFIRMED
TEN_STARS = 10


def active_criteria() -> QuerySet[StarCriterion]:
    return StarCriterion.objects.filter(is_active=True)


def with_awards(rows: QuerySet[StarAssessment]) -> QuerySet[StarAssessment]:
    return rows.prefetch_related(Prefetch(
        "awards", queryset=StarAward.objects.select_related("criterion")))


# --- field work: buildings and their households ----------------------------------------------


def field_buildings(user) -> QuerySet[AreaNode]:
    """The buildings whose households the user may assess (Perm.INSPECT)."""
    return (AreaNode.objects.filter(scope_q(user, Perm.INSPECT, "path"), kind=AreaKind.BUILDING)
            .select_related("parent").order_by("path"))


def field_building(user, code: str) -> AreaNode | None:
    return field_buildings(user).filter(code=code).first()


def field_household(user, pk) -> Household | None:
    if not str(pk).isdigit():
        return None
    return (Household.objects.filter(scope_q(user, Perm.INSPECT, "area_path"), pk=pk)
            .select_related("building__parent").first())


def households_with_year(building: AreaNode,
                         year: int) -> list[tuple[Household, StarAssessment | None]]:
    """The building's households, each with its assessment of ``year`` (two queries)."""
    households = list(Household.objects.filter(building=building)
                      .prefetch_related("residents").order_by("unit", "room", "pk"))
    by_household = {a.household_id: a for a in StarAssessment.objects.filter(
        household__in=households, year=year)}
    return [(h, by_household.get(h.pk)) for h in households]


def assessment_of(household: Household, year: int) -> StarAssessment | None:
    return with_awards(StarAssessment.objects.filter(household=household, year=year)).first()


# --- the community: drafts, tables, plaques ----------------------------------------------------


def visible_assessments(user) -> QuerySet[StarAssessment]:
    """Assessments in the user's field-work scope (building heads, grid workers, staff)."""
    return (StarAssessment.objects.filter(scope_q(user, Perm.INSPECT, "area_path"))
            .select_related("household__building__parent", "assessed_by", "confirmed_by"))


def managed_assessments(user) -> QuerySet[StarAssessment]:
    """Assessments the user may confirm (Perm.RUN_CAMPAIGNS: community staff and above)."""
    return (StarAssessment.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("household__building__parent", "assessed_by", "confirmed_by"))


def drafts_to_confirm(user) -> QuerySet[StarAssessment]:
    """Drafts waiting for the community, oldest assessment first, with their evidence."""
    return with_awards(managed_assessments(user).filter(status=AssessmentStatus.DRAFT)
                       .order_by("assessed_at", "pk"))


def managed_building(user, code: str) -> AreaNode | None:
    return (AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                    kind=AreaKind.BUILDING, code=code)
            .select_related("parent").first())


@dataclass(frozen=True)
class BuildingTable:
    years: list[int]
    rows: list[tuple[Household, list[StarAssessment | None]]]


def building_table(building: AreaNode) -> BuildingTable:
    """Households × years (newest first) with each year's assessment (two queries)."""
    households = list(Household.objects.filter(building=building).order_by("unit", "room", "pk"))
    assessments = list(StarAssessment.objects.filter(household__in=households))
    years = sorted({a.year for a in assessments}, reverse=True)
    cell = {(a.household_id, a.year): a for a in assessments}
    return BuildingTable(years, [(h, [cell.get((h.pk, y)) for y in years])
                                 for h in households])


def community_of(area_path: str) -> AreaNode | None:
    return AreaNode.objects.filter(path__in=ancestor_paths(area_path),
                                   kind=AreaKind.COMMUNITY).first()


def confirmed_plaques(building: AreaNode, year: int) -> list[StarAssessment]:
    rows = (StarAssessment.objects.filter(household__building=building, year=year,
                                          status=CONFIRMED)
            .select_related("household__building__parent")
            .order_by("household__unit", "household__room", "pk"))
    return list(with_awards(rows))


def address(household: Household) -> str:
    """小区 楼栋 单元 房号, as on the door."""
    building = household.building
    parent = building.parent
    prefix = parent.name if parent is not None and parent.kind == AreaKind.COMPOUND else ""
    return f"{prefix}{household}"


# --- a resident's own household ---------------------------------------------------------------


def my_household(user) -> Household | None:
    resident = resident_at_home(user) if getattr(user, "is_authenticated", False) else None
    return resident.household if resident is not None else None


def household_history(household: Household) -> list[StarAssessment]:
    """The household's confirmed assessments, newest year first, with the stars."""
    return list(with_awards(StarAssessment.objects.filter(household=household, status=CONFIRMED)
                            .order_by("-year")))


def latest_stars(household_ids) -> dict[int, StarAssessment]:
    """Each household's latest confirmed assessment (one query), for its record."""
    latest: dict[int, StarAssessment] = {}
    for row in (StarAssessment.objects.filter(household_id__in=list(household_ids),
                                              status=CONFIRMED).order_by("household_id", "-year")):
        latest.setdefault(row.household_id, row)
    return latest


# --- the street: figures per community --------------------------------------------------------


@dataclass(frozen=True)
class CommunityFigures:
    community: AreaNode
    households: int
    assessed: int
    confirmed: int
    average: float | None  # stars per confirmed household
    ten_star: int


def summary(user, year: int) -> list[CommunityFigures]:
    """Per community the user runs campaigns in: households, assessed in ``year``,
    confirmed, their average stars and the ten-star households."""
    if not getattr(user, "is_authenticated", False):
        return []
    communities = AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                          kind=AreaKind.COMMUNITY).order_by("path")
    out = []
    for community in communities:
        within = subtree_q(community.path, "area_path")
        figures = StarAssessment.objects.filter(within, year=year).aggregate(
            assessed=Count("pk"), confirmed=Count("pk", filter=Q(status=CONFIRMED)),
            average=Avg("stars", filter=Q(status=CONFIRMED)),
            ten=Count("pk", filter=Q(status=CONFIRMED, stars__gte=TEN_STARS)))
        out.append(CommunityFigures(
            community, Household.objects.filter(within).count(), figures["assessed"],
            figures["confirmed"],
            round(figures["average"], 1) if figures["average"] is not None else None,
            figures["ten"]))
    return out
