"""The street's board of the year (年度改造项目一览) and its Excel ledger (年度老旧小区改造台账).

Every project of the year in the user's scope on one page. The figures are read for all
projects at once — a handful of grouped queries whatever the number of projects — and put
into the selectors' own ``FundingSummary`` and progress rule, so the board and the ledger
show exactly what each project's funding page shows.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.tree import ancestor_paths
from gongzhi.renewal.excel import LedgerRow, ledger_workbook
from gongzhi.renewal.models import (
    CompoundRecord,
    ItemStatus,
    Project,
    SourceKind,
    Stage,
    WorkItem,
)
from gongzhi.renewal.selectors import (
    ZERO,
    FundingSummary,
    funding_summaries,
    progress_of,
    projects_of_year,
)
from gongzhi.renewal.views_records import project_page, tree_counts, xlsx_response
from gongzhi.renewal.views_staff_common import T, require_manager_somewhere

DONE = (ItemStatus.FINISHED, ItemStatus.ACCEPTED)


def board_year(request: HttpRequest) -> int:
    """?year= (2000 … 2100), else this year."""
    text = (request.GET.get("year") or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


# --- reading every project at once -----------------------------------------------------------


def _places(projects: list[Project]) -> dict[str, tuple[str, str, str]]:
    """project area path → (district, street, community) names, one query."""
    above = {p for project in projects for p in ancestor_paths(project.area_path)}
    kinds = (AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY)
    nodes = {path: (kind, name) for path, kind, name in AreaNode.objects.filter(
        path__in=above, kind__in=kinds).values_list("path", "kind", "name")}
    out = {}
    for project in projects:
        found = dict(nodes[p] for p in ancestor_paths(project.area_path) if p in nodes)
        out[project.area_path] = tuple(found.get(k, "") for k in kinds)
    return out


def _local_day(value):
    return timezone.localtime(value).date() if value else None


def ledger_rows(projects: list[Project]) -> list[LedgerRow]:
    """Every figure of the board and the ledger for ``projects`` (compounds prefetched)."""
    ids = [p.pk for p in projects]
    items: dict[int, list] = defaultdict(list)
    for row in WorkItem.objects.filter(project_id__in=ids).order_by(
            "project_id", "order", "id").values_list(
            "project_id", "category", "name", "budget", "progress", "status"):
        items[row[0]].append(row[1:])
    money = funding_summaries(ids)
    compounds = {c.pk: c for p in projects for c in p.compounds.all()}
    records = {r[0]: r[1:] for r in CompoundRecord.objects.filter(
        compound_id__in=list(compounds)).values_list("compound_id", "built_year", "floor_area")}
    counts = tree_counts(list(compounds))
    places = _places(projects)
    return [_row(p, items[p.pk], money[p.pk], records, counts, places[p.area_path])
            for p in projects]


def _row(project: Project, items: list, money: FundingSummary, records: dict, counts: dict,
         place: tuple[str, str, str]) -> LedgerRow:
    mine = sorted(project.compounds.all(), key=lambda c: c.path)
    budgets: dict[str, Decimal] = defaultdict(lambda: ZERO)
    contents: dict[str, list[str]] = defaultdict(list)
    for category, name, budget, *_rest in items:
        budgets[category] += budget
        contents[category].append(name)
    summary = money
    years = sorted({records[c.pk][0] for c in mine if c.pk in records and records[c.pk][0]})
    areas = [records[c.pk][1] for c in mine if c.pk in records and records[c.pk][1]]
    return LedgerRow(
        project_id=project.pk, name=project.name, district=place[0], street=place[1],
        community=place[2], compounds="、".join(c.name for c in mine),
        built_years="、".join(str(y) for y in years),
        buildings=sum(counts.get(c.pk, (0, 0))[0] for c in mine),
        households=sum(counts.get(c.pk, (0, 0))[1] for c in mine),
        floor_area=sum(areas, ZERO) if areas else None,
        contents={k: "、".join(v) for k, v in contents.items()},
        budget=summary.budget, raised=summary.raised, spent=summary.spent,
        sources={r.kind: r.amount for r in summary.by_source if r.amount},
        residents_spent=summary.residents_spent,
        residents_share=summary.residents_share_text,
        planned_start=project.planned_start, planned_end=project.planned_end,
        started_on=_local_day(project.started_at), accepted_on=_local_day(project.accepted_at),
        stage=project.stage, stage_label=project.get_stage_display(),
        progress=progress_of((b, p, s) for _c, _n, b, p, s in items),
    )


def _year_rows(request: HttpRequest, year: int) -> list[LedgerRow]:
    projects = list(projects_of_year(request.user, year).prefetch_related("compounds")
                    .order_by("area_path", "name", "pk"))
    return ledger_rows(projects)


# --- pages -----------------------------------------------------------------------------------


def _totals(rows: list[LedgerRow]) -> dict:
    """The totals row; the residents' share of the money raised, as ``FundingSummary``."""
    raised = sum((r.raised for r in rows), ZERO)
    residents = sum((r.sources.get(SourceKind.RESIDENTS, ZERO) for r in rows), ZERO)
    return {"budget": sum((r.budget for r in rows), ZERO), "raised": raised,
            "spent": sum((r.spent for r in rows), ZERO),
            "residents_share": FundingSummary.percent(residents / raised if raised else None),
            "buildings": sum(r.buildings for r in rows),
            "households": sum(r.households for r in rows)}


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    year = board_year(request)
    rows = _year_rows(request, year)
    stages = Counter(r.stage for r in rows)
    return render(request, T + "board.html", {
        "year": year, "rows": [(r, project_page(r.project_id)) for r in rows],
        "totals": _totals(rows), "count": len(rows),
        "stages": [(label, stages.get(value, 0)) for value, label in Stage.choices],
        "years": [year - 1, year + 1],
    })


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    year = board_year(request)
    title = _("%(year)d年度老旧小区改造台账") % {"year": year}
    data = ledger_workbook(_year_rows(request, year), title=title)
    return xlsx_response(data, f"{title}.xlsx", f"renewal-ledger-{year}.xlsx")
