"""Area pages: tree browser, grid map, households, Excel in and out, building QR codes.

A node outside the user's view scope answers 404 (its existence is not revealed); a node in
scope that the user may not act on answers 403.
"""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.areas import actions, qr, selectors, svg
from gongzhi.areas.columns import household_columns
from gongzhi.areas.excel import (
    EXPORT_HEADERS,
    HouseholdImportError,
)
from gongzhi.areas.forms import HouseholdFilterForm, HouseholdImportForm
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.core.permissions import Perm, can, is_staff_user

PAGE_SIZE = 50


def _visible_node(request: HttpRequest, code: str) -> AreaNode:
    node = selectors.area_by_code(request.user, code)
    if node is None:
        raise Http404(_("未找到该区域"))
    return node


def _node_url(node: AreaNode) -> str:
    return reverse("areas:node", kwargs={"code": node.code})


@login_required
@require_GET
def browser(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.root_nodes(request.user))
    if len(roots) == 1:
        return redirect(_node_url(roots[0]))
    return render(request, "areas/browser.html", {"roots": roots})


# --- node page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    node: AreaNode
    url: str
    households: int
    residents: int


@dataclass(frozen=True)
class HouseholdRow:
    household: Household
    place: str  # compound and building, on lists wider than one building
    head: selectors.ResidentCard | None
    tags: list[str]
    extra: list[tuple[str, Any]]  # (template, value) of each registered column


def _household_row(user, household: Household, with_place: bool,
                   extra: list[tuple[str, Any]]) -> HouseholdRow:
    residents = list(household.residents.all())
    head = next((r for r in residents if r.is_head), None)
    tags = list(dict.fromkeys(label for r in residents for label in r.tag_labels()))
    place = ""
    if with_place:
        building = household.building
        parent = building.parent
        prefix = f"{parent.name} " if parent and parent.kind == AreaKind.COMPOUND else ""
        place = prefix + building.name
    return HouseholdRow(household, place, selectors.resident_card(user, head) if head else None,
                        tags, extra)


def _households(request: HttpRequest, node: AreaNode) -> dict:
    """One keyset page of the households under ``node`` the user may see."""
    form = HouseholdFilterForm(request.GET)
    q, after = form.values()
    cursor = selectors.household_cursor(request.user, node, after) if after else None
    page = selectors.household_page(request.user, node, after=cursor, q=q)
    rows = list(page.select_related("building__parent")[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    with_place = node.kind != AreaKind.BUILDING
    base = {"q": q} if q else {}
    columns = household_columns()
    values = [column.values([h.pk for h in rows]) for column in columns]
    return {
        "form": form,
        "q": q,
        "columns": columns,
        "rows": [_household_row(request.user, h, with_place,
                                [(c.template, v.get(h.pk)) for c, v in zip(columns, values,
                                                                             strict=True)])
                 for h in rows],
        "with_place": with_place,
        "is_later_page": cursor is not None,
        "first_url": "?" + urlencode(base) if base else "?",
        "next_url": "?" + urlencode({**base, "after": rows[-1].pk}) if has_next else "",
    }


def _map(node: AreaNode, children: list[ChildRow], by_households: bool) -> str:
    shapes_of = [c for c in children if c.node.boundary]
    if not shapes_of:
        return ""
    kinds = dict(AreaKind.choices)
    if by_households:
        classes = svg.count_classes(max(c.households for c in shapes_of))
        legend = [svg.LegendEntry(_("0 户"), svg.EMPTY_FILL)] + [
            svg.LegendEntry(
                _("%(low)d–%(high)d 户") % {"low": low, "high": high} if low != high
                else _("%(n)d 户") % {"n": low},
                svg.COUNT_FILLS[i])
            for i, (low, high) in enumerate(classes)]
    else:
        seen = dict.fromkeys(c.node.kind for c in shapes_of)
        legend = [svg.LegendEntry(str(kinds.get(k, k)), svg.KIND_FILLS.get(k, svg.DEFAULT_FILL))
                  for k in seen]
    shapes = []
    for child in shapes_of:
        if by_households:
            fill = svg.count_fill(child.households, classes)
            tip = _("%(name)s：%(n)d 户，%(r)d 人") % {
                "name": child.node.name, "n": child.households, "r": child.residents}
        else:
            fill = svg.KIND_FILLS.get(child.node.kind, svg.DEFAULT_FILL)
            tip = f"{child.node.name}（{kinds.get(child.node.kind, child.node.kind)}）"
        shapes.append(svg.Shape(child.node.name, child.url, child.node.boundary, fill, tip))
    title = _("%(name)s下级区域图") % {"name": node.name}
    return svg.render_map(shapes, legend=legend, outline=node.boundary, title=title)


@login_required
@require_GET
def node(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area = _visible_node(request, code)
    crumbs = [{"name": a.name, "url": _node_url(a) if can(user, Perm.VIEW_AREA, a) else ""}
              for a in selectors.ancestors_of(area)]
    sees_households = can(user, Perm.VIEW_HOUSEHOLDS, area)
    counts = selectors.subtree_counts(area) if sees_households else {}
    children = [
        ChildRow(child, _node_url(child), *counts.get(child.path, (0, 0)))
        for child in area.children.order_by("path")
    ]
    map_mode = request.GET.get("map")
    by_households = sees_households and map_mode != "kind"
    households = None
    if sees_households or getattr(user, "resident_id", None):
        households = _households(request, area)
        if not sees_households and not households["rows"]:
            households = None  # a resident whose home is elsewhere: nothing to list
    context = {
        "node": area,
        "crumbs": crumbs,
        "children": children,
        "sees_households": sees_households,
        "totals": tuple(map(sum, zip(*counts.values(), strict=True))) if counts else (0, 0),
        "map_svg": _map(area, children, by_households),
        "map_mode": "households" if by_households else "kind",
        "households": households,
        "can_import": area.kind == AreaKind.COMMUNITY
        and can(user, Perm.MANAGE_HOUSEHOLDS, area),
        "can_print_qr": area.kind == AreaKind.BUILDING and is_staff_user(user),
    }
    return render(request, "areas/node.html", context)


# --- Excel in and out ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_households(request: HttpRequest, code: str) -> HttpResponse:
    community = _visible_node(request, code)
    if community.kind != AreaKind.COMMUNITY:
        raise Http404(_("只能按社区导入住户"))
    if not can(request.user, Perm.MANAGE_HOUSEHOLDS, community):
        raise PermissionDenied(_("您无权管理该社区的住户"))
    errors = None
    bound = request.method == "POST"
    form = HouseholdImportForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        try:
            summary = actions.import_households(
                community=community, file=form.cleaned_data["file"], acting_user=request.user)
        except HouseholdImportError as exc:
            errors = exc.errors
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("导入完成：共 %(rows)d 行，新增 %(created)d 户，"
                                        "更新 %(updated)d 户。") % {
                "rows": summary.rows, "created": summary.created, "updated": summary.updated})
            return redirect(_node_url(community))
    return render(request, "areas/import.html",
                  {"node": community, "form": form, "errors": errors,
                   "columns": list(EXPORT_HEADERS.values())})


def _attachment(name: str, fallback: str) -> str:
    """Content-Disposition with an ASCII name for old clients and the Chinese one (RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_GET
def export_households(request: HttpRequest, code: str) -> HttpResponse:
    area = _visible_node(request, code)
    if not can(request.user, Perm.VIEW_HOUSEHOLDS, area):
        raise PermissionDenied(_("您无权查看该区域的住户"))
    try:
        data, _count = actions.export_households(node=area, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_node_url(area))
    title = _("%(name)s住户信息表") % {"name": area.name}
    day = timezone.localdate().strftime("%Y%m%d")
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "_", area.code)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _attachment(
        f"{title}-{day}.xlsx", f"households-{safe_code}-{day}.xlsx")
    response["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response


# --- building QR codes ----------------------------------------


def _door_building(request: HttpRequest, code: str) -> AreaNode:
    building = _visible_node(request, code)
    if building.kind != AreaKind.BUILDING:
        raise Http404(_("只有楼栋有二维码"))
    if not is_staff_user(request.user):
        raise PermissionDenied(_("只有工作人员可以打印楼栋二维码"))
    return building


@login_required
@require_GET
def qr_png(request: HttpRequest, code: str) -> HttpResponse:
    building = _door_building(request, code)
    return HttpResponse(qr.png(qr.landing_url(request, building)), content_type="image/png")


@login_required
@require_GET
def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    building = _door_building(request, code)
    return HttpResponse(qr.svg(qr.landing_url(request, building)), content_type="image/svg+xml")


@login_required
@require_GET
def qr_sheet(request: HttpRequest, code: str) -> HttpResponse:
    building = _door_building(request, code)
    return render(request, "areas/qr_sheet.html", {
        "node": building,
        "place": " · ".join(selectors.place_names(building)),
        "landing_url": qr.landing_url(request, building),
    })
