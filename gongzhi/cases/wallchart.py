"""挂图作战: the wall chart of a grid or community — a board by status and a coloured grid map.

Counts come from grouped queries (one for the board, one for the map, one for the headline
plus this month's KPIs), cards from one bounded query per column, whatever the number of
cases.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Substr
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

CARDS_PER_COLUMN = 24
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


def board(node: AreaNode, cases: QuerySet[Case]) -> list[Column]:
    """The columns with their counts (one grouped query) and their most urgent cards."""
    now = timezone.now()
    grouped = (cases.filter(status__in=ON_BOARD).order_by().values("status")
               .annotate(n=Count("id"), late=Count("id", filter=deadline_q("overdue", now))))
    counts = {row["status"]: (row["n"], row["late"]) for row in grouped}
    columns = []
    for label, statuses in COLUMNS:
        column = Column(str(label), statuses)
        column.count = sum(counts.get(s, (0, 0))[0] for s in statuses)
        column.overdue = sum(counts.get(s, (0, 0))[1] for s in statuses)
        if column.count:
            rows = (cases.filter(status__in=statuses).select_related("area", "assignee",
                                                                       "assignee_org")
                    .order_by(F("resolution_due").asc(nulls_last=True),
                              F("response_due").asc(nulls_last=True), "created_at", "id")
                    [:CARDS_PER_COLUMN])
            column.cards = [Card(c, deadline_state(c, now)) for c in rows]
        columns.append(column)
    return columns


@dataclass(frozen=True)
class Headline:
    """The figures across the top of the wall: today's open work and this month's rates."""

    open: int
    overdue: int
    due_soon: int
    month: Kpis


def headline(node: AreaNode, cases: QuerySet[Case]) -> Headline:
    """One aggregate over the open cases, plus this month's KPIs (two queries)."""
    now = timezone.now()
    counts = cases.filter(status__in=OPEN_STATUSES).order_by().aggregate(
        open=Count("id"), overdue=Count("id", filter=deadline_q("overdue", now)),
        due_soon=Count("id", filter=deadline_q("due_soon", now)))
    today = timezone.localdate()
    return Headline(**counts, month=kpis(node, today.replace(day=1), today, now=now))


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


def child_counts(node: AreaNode, cases: QuerySet[Case]) -> list[ChildCount]:
    """Open, overdue and due-soon cases under each direct child: one grouped query."""
    now = timezone.now()
    width = len(node.path) + PATH_STEP
    grouped = (cases.filter(status__in=OPEN_STATUSES).order_by()
               .annotate(child=Substr("area_path", 1, width)).values("child")
               .annotate(n=Count("id"), late=Count("id", filter=deadline_q("overdue", now)),
                         soon=Count("id", filter=deadline_q("due_soon", now))))
    by_child = {row["child"]: (row["n"], row["late"], row["soon"]) for row in grouped}
    return [ChildCount(child, *by_child.get(child.path, (0, 0, 0)))
            for child in node.children.order_by("path")]


def legend() -> list[svg.LegendEntry]:
    return [svg.LegendEntry(_("有超期诉求"), FILL_OVERDUE),
            svg.LegendEntry(_("有即将到期诉求"), FILL_DUE_SOON),
            svg.LegendEntry(_("在办均未超期"), FILL_ON_TIME),
            svg.LegendEntry(_("无在办诉求"), FILL_NONE)]


def grid_map(node: AreaNode, cases: QuerySet[Case]) -> str:
    """The children of ``node`` as an SVG map coloured by their open and overdue cases."""
    counts = [c for c in child_counts(node, cases) if c.node.boundary]
    if not counts:
        return ""
    shapes = []
    for c in counts:
        label = _("%(name)s %(open)d件") % {"name": c.node.name, "open": c.open}
        if c.overdue:
            label += _(" 超期%(n)d") % {"n": c.overdue}
        tip = _("%(name)s：在办 %(open)d 件，超期 %(late)d 件，即将到期 %(soon)d 件") % {
            "name": c.node.name, "open": c.open, "late": c.overdue, "soon": c.due_soon}
        href = reverse("cases:wallchart", kwargs={"code": c.node.code})
        shapes.append(svg.Shape(label, href, c.node.boundary, c.fill, tip))
    title = _("%(name)s诉求分布图") % {"name": node.name}
    return svg.render_map(shapes, legend=legend(), outline=node.boundary, title=title)
