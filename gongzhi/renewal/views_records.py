"""Compound records (一院一档) at the staff console: the list of compounds in scope with
their records, one record with its photos, and the records sheet in and out of Excel.

Pages parse, check access and call one action. A user without MANAGE_RENEWAL anywhere
gets 403; a compound outside their scope 404 (its existence is not revealed).
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.pages import page_of, run_form, upload_response
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.renewal import actions
from gongzhi.renewal.actions.records_import import import_compound_records
from gongzhi.renewal.excel import (
    COLUMNS,
    IMPORTED,
    XLSX,
    RecordImportError,
    RecordLine,
    read_records,
    records_workbook,
)
from gongzhi.renewal.forms_records import RecordFilterForm, RecordForm, RecordImportForm
from gongzhi.renewal.models import Photo, Project, built_before
from gongzhi.renewal.views_staff_common import T, require_manager_somewhere

CHUNK = 2000


def attachment(name: str, fallback: str) -> str:
    """Content-Disposition with an ASCII name for old clients and the Chinese one (RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def xlsx_response(data: bytes, name: str, fallback: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = attachment(name, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def project_page(project_id: int) -> str:
    return reverse("renewal_staff:project", kwargs={"pk": project_id})


def compounds_in_scope(user) -> QuerySet[AreaNode]:
    return AreaNode.objects.filter(scope_q(user, Perm.MANAGE_RENEWAL, "path"),
                                   kind=AreaKind.COMPOUND)


def _compound(request: HttpRequest, code: str) -> AreaNode:
    require_manager_somewhere(request.user)
    node = (compounds_in_scope(request.user).filter(code=code)
            .select_related("renewal_record__manager").first())
    if node is None:
        raise Http404(_("未找到该小区"))
    return node


def record_of(node: AreaNode):
    return getattr(node, "renewal_record", None)


# --- the list --------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[RecordFilterForm, QuerySet[AreaNode], dict]:
    user = request.user
    filters = RecordFilterForm(request.GET or None, user=user)
    chosen = filters.chosen()
    rows = compounds_in_scope(user).select_related("renewal_record__manager")
    if chosen.get("community"):
        rows = rows.filter(subtree_q(chosen["community"].path))
    old = Q(renewal_record__built_year__lt=built_before())
    if chosen.get("eligible") == "yes":
        rows = rows.filter(old)
    elif chosen.get("eligible") == "no":
        rows = rows.exclude(old)
    if chosen.get("record"):
        rows = rows.filter(renewal_record__isnull=chosen["record"] == "none")
    query = {k: getattr(v, "pk", v) for k, v in chosen.items()}
    return filters, rows.order_by("path"), query


def tree_counts(compound_ids: list[int]) -> dict[int, tuple[int, int]]:
    """compound id → (buildings, households), counted live from the area tree (buildings
    hang right below their compound): one query per 2,000 compounds."""
    counts: dict[int, tuple[int, int]] = {}
    for start in range(0, len(compound_ids), CHUNK):
        rows = (AreaNode.objects.filter(parent_id__in=compound_ids[start:start + CHUNK],
                                        kind=AreaKind.BUILDING)
                .values("parent_id").annotate(b=Count("pk", distinct=True),
                                              h=Count("households"))
                .values_list("parent_id", "b", "h"))
        counts.update({pk: (b, h) for pk, b, h in rows})
    return counts


def community_names(nodes: list[AreaNode]) -> dict[str, str]:
    """path of each node → the name of the community it lies in (one query)."""
    above = {p for n in nodes for p in ancestor_paths(n.path)}
    names = dict(AreaNode.objects.filter(path__in=above, kind=AreaKind.COMMUNITY)
                 .values_list("path", "name"))
    return {n.path: next((names[p] for p in ancestor_paths(n.path) if p in names), "")
            for n in nodes}


def record_lines(compounds: list[AreaNode]) -> list[RecordLine]:
    counts = tree_counts([c.pk for c in compounds])
    communities = community_names(compounds)
    return [RecordLine(c.code, c.name, communities[c.path], record_of(c),
                       *counts.get(c.pk, (0, 0))) for c in compounds]


@dataclass(frozen=True)
class ListedRecord:
    line: RecordLine
    eligible: bool
    has_project: bool


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    filters, rows, query = _filtered(request)
    page = page_of(request, rows)
    compounds = list(page.object_list)
    with_project = set(Project.compounds.through.objects.filter(
        areanode_id__in=[c.pk for c in compounds]).values_list("areanode_id", flat=True))
    listed = [ListedRecord(line, bool(line.record and line.record.eligible),
                           compound.pk in with_project)
              for compound, line in zip(compounds, record_lines(compounds), strict=True)]
    return render(request, T + "records.html", {
        "filters": filters, "page": page, "rows": listed, "extra": urlencode(query),
        "built_before": built_before()})


# --- one record ------------------------------------------------------------------------------


def _initial(record) -> dict:
    if record is None:
        return {}
    return {"built_year": record.built_year or "", "floor_area": record.floor_area or "",
            "management": record.management, "manager": record.manager_id,
            "facilities": record.facilities, "problems": record.problems}


def _save(request: HttpRequest, compound: AreaNode, form: RecordForm) -> bool:
    def call(d: dict) -> None:
        try:
            actions.save_compound_record(
                compound=compound, acting_user=request.user, photos=d["photos"],
                built_year=d["built_year"], floor_area=d["floor_area"],
                management=d["management"], manager=d["manager"],
                facilities=d["facilities"], problems=d["problems"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"photos": exc.messages}) from exc  # the photo checks

    return run_form(form, call)


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, code: str) -> HttpResponse:
    compound = _compound(request, code)
    current = record_of(compound)
    if request.method == "POST":
        form = RecordForm(request.POST, request.FILES, compound=compound)
        if _save(request, compound, form):
            messages.success(request, _("小区档案已保存"))
            return redirect("renewal_staff:record", code=compound.code)
    else:
        form = RecordForm(initial=_initial(current), compound=compound)
    [line] = record_lines([compound])
    projects = [(p, project_page(p.pk)) for p in
                Project.objects.filter(compounds=compound).order_by("-created_at")]
    return render(request, T + "record.html", {
        "compound": compound, "line": line, "form": form, "projects": projects,
        "photos": list(Photo.objects.filter(record=current)) if current else [],
        "built_before": built_before(),
    }, status=400 if form.is_bound else 200)


@login_required
@require_GET
def record_photo(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    compound = _compound(request, code)
    photo = Photo.objects.filter(pk=pk, record__compound=compound).first()
    if photo is None:
        raise Http404(_("没有找到这张照片"))
    return upload_response(photo, _("没有找到这张照片"))


# --- Excel in and out ------------------------------------------------------------------------


def _scope_title(user) -> str:
    roots = scope_paths(user, Perm.MANAGE_RENEWAL)
    if len(roots) == 1:
        node = AreaNode.objects.filter(path=roots[0]).only("name").first()
        if node:
            return node.name
    return ""


@login_required
@require_GET
def records_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    _filters, rows, query = _filtered(request)
    title = _("%(area)s小区档案表") % {"area": _scope_title(user)}
    data = records_workbook(record_lines(list(rows)), title=title)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(data, f"{title}-{day}.xlsx", f"compound-records-{day}.xlsx")


def _import(request: HttpRequest, form: RecordImportForm, dry_run: bool):
    """(summary, errors): the action's answer to the uploaded sheet."""
    try:
        sheet = read_records(form.cleaned_data["file"])
        summary = import_compound_records(rows=sheet.rows, acting_user=request.user,
                                          file_name=sheet.file_name, dry_run=dry_run)
    except RecordImportError as exc:
        return None, exc.errors
    return summary, None


@login_required
@require_http_methods(["GET", "POST"])
def records_import(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    bound = request.method == "POST"
    form = RecordImportForm(request.POST if bound else None, request.FILES if bound else None)
    summary = errors = None
    dry_run = "check" in request.POST
    if bound and form.is_valid():
        summary, errors = _import(request, form, dry_run)
        if summary is not None and not dry_run:
            messages.success(request, _(
                "导入完成：共 %(rows)d 行，新建档案 %(created)d 份，更新 %(updated)d 份，"
                "%(unchanged)d 行没有变化。") % {
                "rows": summary.rows, "created": summary.created, "updated": summary.updated,
                "unchanged": summary.unchanged})
            return redirect("renewal_staff:records")
    headers = {key: header for key, header, _names in COLUMNS}
    return render(request, T + "records_import.html", {
        "form": form, "errors": errors, "preview": summary if dry_run else None,
        "columns": list(headers.values()), "imported": [headers[k] for k in IMPORTED],
    })

