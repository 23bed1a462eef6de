"""Reads of the 居民公约 pages and API, scoped by area: the conventions a user runs, the
published ones near a resident's home, the consultation's counts, and the signing rate per
building (a few queries whatever the number of buildings) and per community."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.areas.selectors import home_path
from gongzhi.campaigns.models import Convention, ConventionSignature, ConventionStage
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.deliberation.electorate import households_of
from gongzhi.deliberation.models import Answer, ConsultationAnswer

S = ConventionStage


def articles(text: str) -> list[str]:
    """The articles of a convention: one a non-empty line (numbered when shown)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def rate(signed: int, households: int) -> Decimal | None:
    """签署率 in per cent, one decimal (None: no households on record)."""
    if not households:
        return None
    return (Decimal(signed) * 100 / Decimal(households)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- which conventions ------------------------------------------------------------------------


def managed_conventions(user) -> QuerySet[Convention]:
    """Conventions the user runs (community staff and above, for their areas)."""
    return (Convention.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("area__parent", "consultation", "notice"))


def conventions_near(user) -> QuerySet[Convention]:
    """The published conventions of my home's compound and community, newest first."""
    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    if not home:
        return Convention.objects.none()
    return (Convention.objects.filter(area_path__in=ancestor_paths(home), stage=S.PUBLISHED)
            .select_related("area__parent", "notice").order_by("-published_at", "-id"))


def _field_reach(user) -> tuple[list[str], Q | None]:
    """The INSPECT scope of a building head / grid worker, and the conventions' areas over
    or under it."""
    paths = scope_paths(user, Perm.INSPECT)
    if not paths:
        return paths, None
    above = {p for path in paths for p in ancestor_paths(path)}
    reach = Q(area_path__in=above)
    for path in paths:
        reach |= subtree_q(path, "area_path")
    return paths, reach


def field_conventions(user) -> QuerySet[Convention]:
    """Published conventions over the buildings a building head / grid worker looks after."""
    _paths, reach = _field_reach(user)
    if reach is None:
        return Convention.objects.none()
    return (Convention.objects.filter(reach, stage=S.PUBLISHED).select_related("area")
            .order_by("-published_at", "-id"))


def visible_convention(user, pk: int) -> Convention | None:
    """One convention the user may read: published near their home or over the buildings
    they look after, or one they run."""
    return (conventions_near(user).filter(pk=pk).first()
            or managed_conventions(user).filter(pk=pk).first()
            or field_conventions(user).filter(pk=pk).first())


def signature_of(convention: Convention, household: Household | None
                 ) -> ConventionSignature | None:
    if household is None:
        return None
    return (ConventionSignature.objects.filter(convention=convention, household=household)
            .select_related("signed_by__resident").first())


def signed_for_household(signature: ConventionSignature) -> bool:
    """Signed by a member of the household online (else recorded from paper)."""
    resident = getattr(signature.signed_by, "resident", None) if signature.signed_by else None
    return resident is not None and resident.household_id == signature.household_id


def consultation_counts(convention: Convention) -> dict[str, int]:
    """Households asked and answered, and 同意 / 有条件同意 / 不同意 (zeros before any)."""
    counts = {"households": 0, "answered": 0, "agree": 0, "conditional": 0, "disagree": 0}
    if convention.consultation_id is None:
        return counts
    counts["households"] = households_of(convention.consultation).count()
    answers = (ConsultationAnswer.objects.filter(consultation_id=convention.consultation_id)
               .values("answer").annotate(n=Count("pk")).values_list("answer", "n"))
    for answer, n in answers:
        if answer in Answer.values:
            counts[answer] += n
            counts["answered"] += n
    return counts


# --- signing rates --------------------------------------------------------------------------


@dataclass
class RateRow:
    building: AreaNode | None
    households: int = 0
    signed: int = 0

    @property
    def rate(self) -> Decimal | None:
        return rate(self.signed, self.households)

    @property
    def unsigned(self) -> int:
        return self.households - self.signed


@dataclass
class Rates:
    rows: list[RateRow] = field(default_factory=list)
    total: RateRow = field(default_factory=lambda: RateRow(None))


def building_rates(convention: Convention, *, within: str | None = None,
                   by_rate: bool = False) -> Rates:
    """Every building under the convention's area with households on record: households,
    signed, rate; and the total (three queries). ``within`` narrows to a subtree (a
    building head's building); ``by_rate`` sorts lowest rate first."""
    households = Household.objects.filter(subtree_q(within or convention.area_path,
                                                    "area_path"))
    if within and not within.startswith(convention.area_path):
        households = households.filter(subtree_q(convention.area_path, "area_path"))
    counts = dict(households.order_by().values("building").annotate(n=Count("pk"))
                  .values_list("building", "n"))
    signed = dict(ConventionSignature.objects.filter(
        convention=convention, household__in=households).order_by()
        .values("household__building").annotate(n=Count("pk"))
        .values_list("household__building", "n"))
    buildings = AreaNode.objects.filter(pk__in=counts).select_related("parent").order_by("path")
    result = Rates(rows=[RateRow(b, counts[b.pk], signed.get(b.pk, 0)) for b in buildings])
    result.total.households = sum(r.households for r in result.rows)
    result.total.signed = sum(r.signed for r in result.rows)
    if by_rate:
        result.rows.sort(key=lambda r: (r.rate is None, r.rate or 0, r.building.path))
    return result


def building_households(convention: Convention, building: AreaNode) -> list[dict]:
    """The households of one building with their signature (None: not yet), by room."""
    households = list(Household.objects.filter(building=building)
                      .prefetch_related("residents").order_by("unit", "room"))
    signatures = {s.household_id: s for s in ConventionSignature.objects.filter(
        convention=convention, household__building=building).select_related(
        "signed_by__resident")}
    return [{"household": h, "signature": signatures.get(h.pk)} for h in households]


@dataclass
class CommunityRates:
    community: AreaNode
    conventions: list[tuple[Convention, RateRow]] = field(default_factory=list)

    @property
    def total(self) -> RateRow:
        row = RateRow(None)
        for _c, r in self.conventions:
            row.households += r.households
            row.signed += r.signed
        return row


def community_rates(root: AreaNode) -> list[CommunityRates]:
    """Per community under ``root`` (a street, say): its published conventions (its own and
    its compounds') with households, signed and rate (four queries)."""
    communities = list(AreaNode.objects.filter(subtree_q(root.path), kind=AreaKind.COMMUNITY)
                       .order_by("path"))
    published = list(Convention.objects.filter(subtree_q(root.path, "area_path"),
                                               stage=S.PUBLISHED).select_related("area")
                     .order_by("area_path", "-published_at"))
    per_building = list(Household.objects.filter(subtree_q(root.path, "area_path")).order_by()
                        .values("area_path").annotate(n=Count("pk"))
                        .values_list("area_path", "n"))
    signed = dict(ConventionSignature.objects.filter(convention__in=published).order_by()
                  .values("convention").annotate(n=Count("pk")).values_list("convention", "n"))
    out = {c.path: CommunityRates(c) for c in communities}
    for convention in published:
        home = next((p for p in ancestor_paths(convention.area_path) if p in out), None)
        if home is None:
            continue
        households = sum(n for path, n in per_building if path.startswith(convention.area_path))
        out[home].conventions.append(
            (convention, RateRow(None, households, signed.get(convention.pk, 0))))
    return list(out.values())


# --- field work: who still has to sign ----------------------------------------------------


def to_chase(user) -> list[dict]:
    """For a building head or grid worker: each published convention over the buildings
    they look after, with those buildings' households still to sign."""
    paths, _reach = _field_reach(user)
    out = []
    for convention in field_conventions(user)[:20]:
        for path in paths:
            if path.startswith(convention.area_path):
                within = path
            elif convention.area_path.startswith(path):
                within = convention.area_path
            else:
                continue
            out.append({"convention": convention,
                        "rates": building_rates(convention, within=within)})
    return out
