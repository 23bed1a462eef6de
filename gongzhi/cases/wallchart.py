"""挂图作战: the wall chart of a grid or community — a board by status and a coloured grid map.

The active cases are counted once, by child and status, for the board, the headline and
the map; the cards of every column come from one ranked query; this month's KPIs take two
more. Five queries whatever the number of cases.
"""

from dataclasses import dataclass, field

from django.db.models import Case as DbCase
from django.db.models import Count, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas import svg
from gongzhi.areas.models import AreaNode
from gongzhi.cases.kpis import Kpis, kpis
from gongzhi.cases.models import OPEN_STATUSES, Case, Status
from gongzhi.cases.selectors import deadline_q, deadline_state
from gongzhi.core.tree import PATH_STEP

# Readable from across the room: at wall-screen type a column of a 1080-pixel screen
# holds six cards of two-line titles; the rest are counted under it.
CARDS_PER_COLUMN = 6
# The map beside the board: a viewBox about as wide as the column shows it (a unit is about
# a pixel on a 1920-pixel screen), lettering as large as the board's.
MAP_WIDTH, MAP_HEIGHT = 600, 460
MAP_TEXT = svg.TextSizes(label=24, legend=22, legend_columns=2)
COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    (gettext_lazy("待受理"), (Status.SUBMITTED,)),
    (gettext_lazy("已受理 / 已派单"), (Status.ACCEPTED, Status.DISPATCHED)),
    (gettext_lazy("办理中"), (Status.IN_PROGRESS,)),
    (gettext_lazy("已上报"), (Status.ESCALATED,)),
    (gettext_lazy("已办结待评价"), (Status.RESOLVED,)),
]
ON_BOARD = tuple(s for _label, statuses in COLUMNS for s in statuses)

# Map fills in the one colour language (tints, so the labels stay readable).
FILL_OVERDUE = "#ef9a9a"
FILL_DUE_SOON = "#ffd54f"
FILL_ON_TIME = "#a5d6a7"
FILL_NONE = "#e0e0e0"


@dataclass
class Card:
    case: Case
    state: str

    @property
    def css(self) -> str:
        return "status-" + self.state.replace("_", "-")


@dataclass
class Column:
    label: str
    statuses: tuple[str, ...]
    count: int = 0
    overdue: int = 0
    cards: list[Card] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return max(0, self.count - len(self.cards))


@dataclass(frozen=True)
class ActiveCounts:
    """The active cases under a node, counted once by (child, status): how many, overdue
    and due soon. The board, the headline and the map all read from it."""

    rows: dict[tuple[str, str], tuple[int, int, int]]

    def status(self, status: str) -> tuple[int, int, int]:
        return _sum(v for (_child, s), v in self.rows.items() if s == status)

    def child(self, path: str) -> tuple[int, int, int]:
        return _sum(v for (c, s), v in self.rows.items() if c == path and s in OPEN_STATUSES)

    def open(self) -> tuple[int, int, int]:
        return _sum(v for (_child, s), v in self.rows.items() if s in OPEN_STATUSES)


def _sum(values) -> tuple[int, int, int]:
    n = late = soon = 0
    for a, b, c in values:
        n, late, soon = n + a, late + b, soon + c
    return n, late, soon


def active_counts(node: AreaNode, cases: QuerySet[Case]) -> ActiveCounts:
    """One grouped query over the node's active cases (the partial index case_active_area)."""
    now = timezone.now()
    width = len(node.path) + PATH_STEP
    grouped = (cases.filter(status__in=ON_BOARD).order_by()
               .annotate(child=Substr("area_path", 1, width)).values("child", "status")
               .annotate(n=Count("id"), late=Count("id", filter=deadline_q("overdue", now)),
                         soon=Count("id", filter=deadline_q("due_soon", now))))
    return ActiveCounts({(r["child"], r["status"]): (r["n"], r["late"], r["soon"])
                         for r in grouped})


def _column_of() -> DbCase:
    """The board column a status belongs to, as a database expression."""
    return DbCase(*[When(status__in=statuses, then=Value(i))
                    for i, (_label, statuses) in enumerate(COLUMNS)], output_field=IntegerField())


def board(node: AreaNode, cases: QuerySet[Case],
          counts: ActiveCounts | None = None) -> list[Column]:
    """The columns with their counts and their most urgent cards (two queries in all)."""
    now = timezone.now()
    counts = counts or active_counts(node, cases)
    columns = []
    for label, statuses in COLUMNS:
        column = Column(str(label), statuses)
        column.count = sum(counts.status(s)[0] for s in statuses)
        column.overdue = sum(counts.status(s)[1] for s in statuses)
        columns.append(column)
    if not any(c.count for c in columns):
        return columns
    urgent = [F("resolution_due").asc(nulls_last=True), F("response_due").asc(nulls_last=True),
              F("created_at").asc(), F("id").asc()]
    cards = (cases.filter(status__in=ON_BOARD).select_related("area", "assignee", "assignee_org")
             .annotate(column=_column_of(),
                       rank=Window(RowNumber(), partition_by=[_column_of()], order_by=urgent))
             .filter(rank__lte=CARDS_PER_COLUMN).order_by("column", *urgent))
    for case in cards:
        columns[case.column].cards.append(Card(case, deadline_state(case, now)))
    return columns


@dataclass(frozen=True)
class Headline:
    """The figures across the top of the wall: today's open work and this month's rates."""

    open: int
    overdue: int
    due_soon: int
    month: Kpis


def headline(node: AreaNode, cases: QuerySet[Case],
             counts: ActiveCounts | None = None) -> Headline:
    """The open, overdue and due-soon counts, plus this month's KPIs (two queries)."""
    open_, overdue, due_soon = (counts or active_counts(node, cases)).open()
    today = timezone.localdate()
    return Headline(open=open_, overdue=overdue, due_soon=due_soon,
                    month=kpis(node, today.replace(day=1), today))


@dataclass(frozen=True)
class ChildCount:
    node: AreaNode
    open: int
    overdue: int
    due_soon: int

    @property
    def fill(self) -> str:
        if self.overdue:
            return FILL_OVERDUE
        if self.due_soon:
            return FILL_DUE_SOON
        return FILL_ON_TIME if self.open else FILL_NONE


def child_counts(node: AreaNode, cases: QuerySet[Case],
                 counts: ActiveCounts | None = None) -> list[ChildCount]:
    """Open, overdue and due-soon cases under each direct child."""
    counts = counts or active_counts(node, cases)
    return [ChildCount(child, *counts.child(child.path))
            for child in node.children.order_by("path")]


def legend() -> list[svg.LegendEntry]:
    return [svg.LegendEntry(_("有超期诉求"), FILL_OVERDUE),
            svg.LegendEntry(_("有即将到期诉求"), FILL_DUE_SOON),
            svg.LegendEntry(_("在办均未超期"), FILL_ON_TIME),
            svg.LegendEntry(_("无在办诉求"), FILL_NONE)]


def grid_map(node: AreaNode, cases: QuerySet[Case],
             counts: ActiveCounts | None = None) -> str:
    """The children of ``node`` as an SVG map coloured by their open and overdue cases."""
    counts = [c for c in child_counts(node, cases, counts) if c.node.boundary]
    if not counts:
        return ""
    shapes = []
    for c in counts:
        detail = _("%(open)d件") % {"open": c.open}
        if c.overdue:
            detail += _(" 超期%(n)d") % {"n": c.overdue}
        tip = _("%(name)s：在办 %(open)d 件，超期 %(late)d 件，即将到期 %(soon)d 件") % {
            "name": c.node.name, "open": c.open, "late": c.overdue, "soon": c.due_soon}
        href = reverse("cases:wallchart", kwargs={"code": c.node.code})
        shapes.append(svg.Shape(c.node.name, href, c.node.boundary, c.fill, tip, detail))
    title = _("%(name)s诉求分布图") % {"name": node.name}
    return svg.render_map(shapes, legend=legend(), outline=node.boundary, title=title,
                          width=MAP_WIDTH, height=MAP_HEIGHT, sizes=MAP_TEXT)
