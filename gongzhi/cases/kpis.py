"""Case KPIs (三率 and more) for an area's subtree and a period, computed in the database.

Every figure counts the cases *created* in the period (local dates, Asia/Shanghai) under the
area. ``kpis`` costs two queries and ``rollup`` three, whatever the number of cases or
children: one aggregate with filtered counts, one grouped count by category. Merged
duplicates count in the totals but not in the rates: their survivor carries them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.cases.models import OPEN_STATUSES, Case, Rating, Source, Status
from gongzhi.cases.selectors import in_area
from gongzhi.core.tree import PATH_STEP

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, kept both, so pages can show "45/50 = 90.0%"."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        """The exact rate; None when nothing was counted."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self) -> Decimal | None:
        """The rate in percent, rounded half up to one decimal."""
        if not self.denominator:
            return None
        exact = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        if not self.denominator:
            return f"{self.numerator}/{self.denominator} = —"
        return f"{self.numerator}/{self.denominator} = {self.percent}%"


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Kpis:
    start: date
    end: date
    total: int
    response_rate: Rate  # responded in time / response due by now or responded
    resolution_rate: Rate  # resolved (or archived after resolution) / accepted
    satisfaction_rate: Rate  # (满意 + 基本满意) / rated
    on_time_rate: Rate  # resolved by resolution_due / resolved
    avg_handling: timedelta | None  # resolved_at − created_at over resolved cases
    open_overdue: int  # open now and past its deadline
    by_category: list[Tally] = field(default_factory=list)
    by_source: list[Tally] = field(default_factory=list)
    by_status: list[Tally] = field(default_factory=list)

    @property
    def avg_handling_hours(self) -> Decimal | None:
        if self.avg_handling is None:
            return None
        hours = Decimal(self.avg_handling.total_seconds()) / Decimal(3600)
        return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Asia/Shanghai."""
    if end < start:
        raise ValueError("end before start")
    return (datetime.combine(start, time.min, tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI))


def _cases(path: str, start: date, end: date) -> QuerySet[Case]:
    low, high = period_bounds(start, end)
    return Case.objects.filter(in_area(path), created_at__gte=low,
                               created_at__lt=high).order_by()


def _aggregates(now: datetime) -> dict:
    counted = ~Q(status=Status.MERGED)
    resolved = counted & Q(status__in=(Status.RESOLVED, Status.ARCHIVED),
                           resolved_at__isnull=False)
    response_owed = counted & (Q(response_due__lte=now) | Q(responded_at__isnull=False))
    rated = counted & ~Q(rating="")
    overdue_now = Q(status__in=OPEN_STATUSES) & (
        Q(resolution_due__lt=now)
        | Q(resolution_due__isnull=True, responded_at__isnull=True, response_due__lt=now)
    )
    handling = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    aggs = {
        "total": Count("pk"),
        "resp_num": Count("pk", filter=response_owed & Q(responded_at__lte=F("response_due"))),
        "resp_den": Count("pk", filter=response_owed),
        "res_num": Count("pk", filter=resolved & Q(accepted_at__isnull=False)),
        "res_den": Count("pk", filter=counted & Q(accepted_at__isnull=False)),
        "sat_num": Count("pk", filter=rated & Q(rating__in=(Rating.SATISFIED, Rating.BASIC))),
        "sat_den": Count("pk", filter=rated),
        "ot_num": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolution_due"))),
        "ot_den": Count("pk", filter=resolved),
        "avg_handling": Avg(handling, filter=resolved),
        "open_overdue": Count("pk", filter=overdue_now),
    }
    aggs |= {f"source_{s}": Count("pk", filter=Q(source=s)) for s in Source.values}
    aggs |= {f"status_{s}": Count("pk", filter=Q(status=s)) for s in Status.values}
    return aggs


def _tallies(row: dict, prefix: str, choices: list[tuple[str, str]], *,
             keep_zero: bool) -> list[Tally]:
    rows = [Tally(key, str(label), row[f"{prefix}_{key}"]) for key, label in choices]
    if keep_zero:
        return rows
    return sorted((t for t in rows if t.count), key=lambda t: -t.count)


def _build(row: dict, categories: list[Tally], start: date, end: date) -> Kpis:
    def rate(name: str) -> Rate:
        return Rate(row[f"{name}_num"], row[f"{name}_den"])

    return Kpis(
        start=start, end=end, total=row["total"],
        response_rate=rate("resp"), resolution_rate=rate("res"),
        satisfaction_rate=rate("sat"), on_time_rate=rate("ot"),
        avg_handling=row["avg_handling"], open_overdue=row["open_overdue"],
        by_category=categories,
        by_source=_tallies(row, "source", Source.choices, keep_zero=False),
        by_status=_tallies(row, "status", Status.choices, keep_zero=True),
    )


def _category_tally(category_id: int | None, name: str | None, n: int) -> Tally:
    return Tally(str(category_id or ""), name or _("未分类"), n)


def kpis(area: AreaNode, start: date, end: date, *, now: datetime | None = None) -> Kpis:
    """The KPIs of cases created in [start, end] anywhere under ``area`` (two queries)."""
    now = now or timezone.now()
    cases = _cases(area.path, start, end)
    row = cases.aggregate(**_aggregates(now))
    categories = (cases.values("category_id", "category__name").annotate(n=Count("pk"))
                  .order_by("-n", "category__name"))
    tallies = [_category_tally(c["category_id"], c["category__name"], c["n"]) for c in categories]
    return _build(row, tallies, start, end)


def rollup(area: AreaNode, start: date, end: date, *,
           now: datetime | None = None) -> list[tuple[AreaNode, Kpis]]:
    """The KPIs of each child of ``area``, from one grouped query (plus categories, children).

    Cases recorded on ``area`` itself belong to no child and appear in no row.
    """
    now = now or timezone.now()
    width = len(area.path) + PATH_STEP
    children = list(area.children.order_by("path"))
    cases = _cases(area.path, start, end).annotate(child=Substr("area_path", 1, width))
    rows = {r["child"]: r for r in cases.values("child").annotate(**_aggregates(now))}
    categories: dict[str, list[Tally]] = {}
    grouped = (cases.values("child", "category_id", "category__name").annotate(n=Count("pk"))
               .order_by("child", "-n", "category__name"))
    for c in grouped:
        categories.setdefault(c["child"], []).append(
            _category_tally(c["category_id"], c["category__name"], c["n"]))
    empty = {name: None if name == "avg_handling" else 0 for name in _aggregates(now)}
    return [(child, _build(rows.get(child.path, empty), categories.get(child.path, []),
                           start, end)) for child in children]
