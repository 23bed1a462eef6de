"""Reads of 门前三包, scoped by area: the shops a user inspects or manages, a shop's open
problems, the repeated failures that may become a case, and the monthly score.

月度评分 (the same code for the live page and the published 红黑榜): a shop inspected at
least once in the month starts from 100 and loses

* 10 for every duty not kept, summed over all the month's inspections (re-inspections
  included: a re-inspection that fails again costs again), and
* 10 for every problem found that month that was not rectified by the month's end,

never below 0. A shop not inspected that month has no score. 红榜: a score of
``RED_FROM`` (90) or more; 黑榜: below ``BLACK_BELOW`` (70).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns.models import (
    Inspection,
    InspectionResult,
    Listing,
    Shop,
    ShopBoard,
)
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import subtree_q

RED_FROM = 90
BLACK_BELOW = 70
POINTS_PER_FAILURE = 10
POINTS_PER_UNRECTIFIED = 10
# 转诉求件: this many problems within this many days, none handed over yet.
CASE_AFTER = 3
CASE_WINDOW_DAYS = 30
PROBLEM = InspectionResult.PROBLEM


# --- months -----------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, local time."""
    zone = timezone.get_current_timezone()
    start = month_start(month)
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(next_month(start), time.min, tzinfo=zone))


def parse_month(text: str | None) -> date | None:
    """'2026-03' → 2026-03-01; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


# --- the score --------------------------------------------------------------------------------


def listing_for(score: int) -> str:
    if score >= RED_FROM:
        return Listing.RED
    if score < BLACK_BELOW:
        return Listing.BLACK
    return Listing.NONE


@dataclass(frozen=True)
class ShopScore:
    shop: Shop
    inspections: int
    problems: int  # inspections of the month that found a failure (re-inspections too)
    failed: int  # duties not kept, summed over the month's inspections
    unrectified: int  # problems of the month still open at its end
    score: int
    listing: str

    @property
    def listing_label(self) -> str:
        return Listing(self.listing).label


def score_of(failed: int, unrectified: int) -> int:
    return max(0, 100 - POINTS_PER_FAILURE * failed - POINTS_PER_UNRECTIFIED * unrectified)


def month_scores(where: AreaNode | QuerySet, month: date) -> list[ShopScore]:
    """Every shop of ``where`` (an area, or a queryset of shops) inspected in ``month``,
    best score first (then by address)."""
    start, end = month_bounds(month)
    shops = (where if isinstance(where, QuerySet)
             else Shop.objects.filter(subtree_q(where.path, "area_path")))
    rows = (Inspection.objects.filter(shop__in=shops.values("pk"), inspected_at__gte=start,
                                      inspected_at__lt=end)
            .values_list("shop_id", "result", "sanitation_ok", "greenery_ok", "order_ok",
                         "reinspection_of_id", "rectified_at"))
    tally: dict[int, list[int]] = {}
    for shop_id, result, *oks, again_of, rectified_at in rows:
        t = tally.setdefault(shop_id, [0, 0, 0, 0])
        t[0] += 1
        t[1] += result == PROBLEM
        t[2] += sum(not ok for ok in oks)
        t[3] += (result == PROBLEM and again_of is None
                 and (rectified_at is None or rectified_at >= end))
    found = {s.pk: s for s in Shop.objects.filter(pk__in=tally).select_related(
        "organisation", "area")}
    scores = []
    for pk, (n, problems, failed, open_) in tally.items():
        score = score_of(failed, open_)
        scores.append(ShopScore(found[pk], n, problems, failed, open_, score, listing_for(score)))
    return sorted(scores, key=lambda s: (-s.score, s.shop.address, s.shop.pk))


def shop_months(shop: Shop, months: int = 6,
                today: date | None = None) -> list[tuple[date, ShopScore | None]]:
    """The shop's score in each of the last ``months`` months, this one first."""
    month = month_start(today or timezone.localdate())
    out = []
    for _i in range(months):
        found = month_scores(Shop.objects.filter(pk=shop.pk), month)
        out.append((month, found[0] if found else None))
        month = previous_month(month)
    return out


# --- shops in scope ---------------------------------------------------------------------------


def inspectable_shops(user) -> QuerySet[Shop]:
    """Shops in the areas the user inspects (grid workers: their grids)."""
    return (Shop.objects.filter(scope_q(user, Perm.INSPECT, "area_path"))
            .select_related("organisation", "area"))


def managed_shops(user) -> QuerySet[Shop]:
    """Shops in the areas where the user runs campaigns (community staff and above)."""
    return (Shop.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "area_path"))
            .select_related("organisation", "area"))


def my_shops(user) -> QuerySet[Shop]:
    """The shops whose merchant organisation the user is a member of."""
    if not getattr(user, "is_authenticated", False):
        return Shop.objects.none()
    return (Shop.objects.filter(organisation__members=user, organisation__is_active=True)
            .select_related("organisation", "area").distinct())


def visible_shops(user) -> QuerySet[Shop]:
    """Shops the user inspects, runs campaigns for, or belongs to."""
    mine = Q(pk__in=my_shops(user).values("pk"))
    return (Shop.objects.filter(scope_q(user, Perm.INSPECT, "area_path")
                                | scope_q(user, Perm.RUN_CAMPAIGNS, "area_path") | mine)
            .select_related("organisation", "area"))


def open_problems(shops) -> QuerySet[Inspection]:
    """Problems found and not yet rectified (re-inspections that failed are not new ones)."""
    qs = shops if isinstance(shops, QuerySet) else Shop.objects.filter(pk=shops.pk)
    return (Inspection.objects.filter(shop__in=qs.values("pk"), result=PROBLEM,
                                      reinspection_of=None, rectified_at=None)
            .select_related("shop__organisation").prefetch_related("photos")
            .order_by("inspected_at", "id"))


def with_counts(shops: QuerySet[Shop]) -> QuerySet[Shop]:
    """Shops with their open problems (``n_open``) and last inspection (``last_at``)."""
    return shops.annotate(
        n_open=Count("inspections", filter=Q(inspections__result=PROBLEM,
                                             inspections__reinspection_of=None,
                                             inspections__rectified_at=None)),
        last_at=Max("inspections__inspected_at"))


def case_candidates(shop: Shop, now: datetime | None = None) -> QuerySet[Inspection]:
    """Problems of the last 30 days not handed to the case ledger yet."""
    since = (now or timezone.now()) - timedelta(days=CASE_WINDOW_DAYS)
    return Inspection.objects.filter(shop=shop, result=PROBLEM, case=None,
                                     inspected_at__gte=since)


def repeated_failures(shop: Shop) -> int:
    """How many problems make up the warning (0 below the threshold)."""
    n = case_candidates(shop).count()
    return n if n >= CASE_AFTER else 0


def history(shop: Shop) -> QuerySet[Inspection]:
    return (shop.inspections.select_related("inspected_by", "reinspection_of", "case")
            .prefetch_related("photos").order_by("-inspected_at", "-id"))


# --- boards and the street --------------------------------------------------------------------


def board_areas(user) -> QuerySet[AreaNode]:
    """Communities and streets whose board the user may publish."""
    return (AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                    kind__in=(AreaKind.COMMUNITY, AreaKind.STREET))
            .order_by("path"))


def boards_of(area: AreaNode) -> QuerySet[ShopBoard]:
    return ShopBoard.objects.filter(area=area).select_related("notice").order_by("-month")


def street_overview(street: AreaNode, month: date) -> list[dict]:
    """Per community of the street: shops, shops inspected in the month, problems found
    in it, problems open now, and the month's red and black counts."""
    rows = []
    for community in AreaNode.objects.filter(parent=street,
                                             kind=AreaKind.COMMUNITY).order_by("path"):
        shops = Shop.objects.filter(subtree_q(community.path, "area_path"))
        scores = month_scores(community, month)
        rows.append({"community": community, "shops": shops.count(),
                     "inspected": len(scores), "open": open_problems(shops).count(),
                     "problems": sum(s.problems for s in scores),
                     "red": sum(s.listing == Listing.RED for s in scores),
                     "black": sum(s.listing == Listing.BLACK for s in scores)})
    return rows
