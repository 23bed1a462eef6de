"""The KPI page (三率) of an area for a period, big enough for a wall screen; no JavaScript.

Staff with VIEW_CASES on the area see it; anyone else gets 404 (the area's existence is
not revealed). The period comes from the URL: ?period=this_month|last_month|this_year, or
?period=custom&start=YYYY-MM-DD&end=YYYY-MM-DD.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.areas.models import AreaNode
from gongzhi.cases.kpis import Kpis, Tally, kpis, rollup
from gongzhi.cases.views_staff import open_own_area
from gongzhi.core.permissions import Perm, can

PERIODS = {
    "this_month": gettext_lazy("本月"),
    "last_month": gettext_lazy("上月"),
    "this_year": gettext_lazy("本年"),
    "custom": gettext_lazy("自定义"),
}
MAX_DAYS = 366 * 5
# Bar chart geometry (SVG user units).
CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW, BAR = 360, 110, 40, 26, 18


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    error: str = ""

    @property
    def query(self) -> str:
        params = {"period": self.key}
        if self.key == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        return urlencode(params)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def parse_period(params, today: date) -> Period:
    """The period asked for in the URL; this month, with an error, when it makes no sense."""
    key = params.get("period") or "this_month"
    this_month = Period("this_month", _month_start(today), today)
    if key == "this_month":
        return this_month
    if key == "last_month":
        end = _month_start(today) - timedelta(days=1)
        return Period(key, _month_start(end), end)
    if key == "this_year":
        return Period(key, today.replace(month=1, day=1), today)
    if key != "custom":
        return replace(this_month, error=_("未知的统计周期"))
    try:
        start = date.fromisoformat(params.get("start", ""))
        end = date.fromisoformat(params.get("end", ""))
    except ValueError:
        error = _("日期格式应为 YYYY-MM-DD，例如 2026-03-01")
    else:
        if end < start:
            error = _("结束日期不能早于开始日期")
        elif (end - start).days > MAX_DAYS:
            error = _("统计周期不能超过五年")
        else:
            return Period(key, start, end)
    return replace(this_month, error=error)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: str
    value_x: str


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list[Bar]
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR


def bar_chart(tallies: list[Tally]) -> Chart:
    """Horizontal bars scaled to the largest count; long labels are cut (the table has them)."""
    top = max((t.count for t in tallies), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, t in enumerate(tallies):
        width = span * t.count / top
        label = t.label if len(t.label) <= 8 else t.label[:7] + "…"
        bars.append(Bar(label, t.count, i * ROW, f"{width:.1f}",
                        f"{LABEL_WIDTH + width + 6:.1f}"))
    return Chart(height=max(len(bars), 1) * ROW, bars=bars)


@dataclass(frozen=True)
class ChildRow:
    node: AreaNode
    url: str
    kpis: Kpis


def _visible_node(request: HttpRequest, code: str) -> AreaNode:
    node = AreaNode.objects.filter(code=code).first()
    if node is None or not can(request.user, Perm.VIEW_CASES, node):
        raise Http404(_("未找到该区域"))
    return node


def _kpi_url(node: AreaNode, period: Period) -> str:
    return reverse("cases_kpi:area", kwargs={"code": node.code}) + "?" + period.query


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return open_own_area(request, "cases_kpi:area", _("诉求指标"))


@login_required
@require_GET
def area(request: HttpRequest, code: str) -> HttpResponse:
    node = _visible_node(request, code)
    period = parse_period(request.GET, timezone.localdate())
    figures = kpis(node, period.start, period.end)
    children = [ChildRow(child, _kpi_url(child, period), k)
                for child, k in rollup(node, period.start, period.end)]
    crumbs = [(a, _kpi_url(a, period)) for a in node.ancestors()
              if a.pk != node.pk and can(request.user, Perm.VIEW_CASES, a)]
    direct = figures.total - sum(row.kpis.total for row in children)
    return render(request, "cases/kpi.html", {
        "node": node,
        "period": period,
        "periods": [(key, label, key == period.key) for key, label in PERIODS.items()],
        "kpis": figures,
        "tiles": [
            (_("响应率"), figures.response_rate, _("按时响应 / 应响应")),
            (_("办结率"), figures.resolution_rate, _("已办结 / 已受理")),
            (_("满意率"), figures.satisfaction_rate, _("满意与基本满意 / 已评价")),
            (_("按时办结率"), figures.on_time_rate, _("按时办结 / 已办结")),
        ],
        "category_chart": bar_chart(figures.by_category),
        "source_chart": bar_chart(figures.by_source),
        "children": children,
        "direct": direct if children else 0,
        "crumbs": crumbs,
    })
