"""The ledger as .xlsx, in the layout communities hand upward to the street.

Columns follow the usual 问题台账 sheet; the reporter and their phone come last. Phones are
masked row by row unless the viewer may see personal data where the case is.
"""

import io
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from gongzhi.cases.models import Case
from gongzhi.core.masking import mask_phone
from gongzhi.core.permissions import Perm, can

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000
CHUNK = 2000


class TooManyRows(Exception):
    pass


def headers() -> list[str]:
    return [_("序号"), _("受理编号"), _("上报时间"), _("来源"), _("分类"), _("位置"),
            _("问题描述"), _("承办单位"), _("状态"), _("办结时限"), _("办结时间"), _("评价"),
            _("反映人"), _("联系电话")]


WIDTHS = [6, 16, 17, 10, 14, 22, 48, 18, 10, 17, 17, 10, 10, 14]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _category(case: Case) -> str:
    if not case.category_id:
        return ""
    cat = case.category
    return f"{cat.parent.name} › {cat.name}" if cat.parent_id else cat.name


def _place(case: Case) -> str:
    area = case.area
    compound = area.parent.name if area.kind == "building" and area.parent_id else ""
    return " ".join(p for p in (compound, area.name, case.address) if p)


def _handler(case: Case) -> str:
    if case.assignee_org_id:
        return case.assignee_org.name
    if case.assignee_id:
        return case.assignee.display_name
    return ""


def row_values(number: int, case: Case, viewer) -> list:
    """One sheet row; the phone masked unless ``viewer`` may see personal data there."""
    phone = case.reporter_phone
    if phone and not can(viewer, Perm.VIEW_PERSONAL_DATA, case):
        phone = mask_phone(phone)
    reporter = _("匿名") if case.is_anonymous else case.reporter_name
    return [number, case.reference, _when(case.created_at), case.get_source_display(),
            _category(case), _place(case), f"{case.title}：{case.description}",
            _handler(case), case.get_status_display(), _when(case.resolution_due),
            _when(case.resolved_at), case.get_rating_display() if case.rating else "",
            reporter, phone]


def _rows(cases: QuerySet[Case]) -> Iterable[Case]:
    # Keyset over (-created_at, -id) in chunks: no OFFSET, bounded memory.
    cases = cases.select_related("area__parent", "category__parent", "assignee",
                                 "assignee_org").order_by("-created_at", "-id")
    last = None
    while True:
        page = cases
        if last is not None:
            page = page.filter(created_at__lte=last.created_at).exclude(
                created_at=last.created_at, pk__gte=last.pk)
        chunk = list(page[:CHUNK])
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]


def workbook(cases: QuerySet[Case], *, viewer, limit: int | None = None) -> bytes:
    """The filtered ledger as .xlsx bytes; TooManyRows past ``limit`` (nothing half-exported)."""
    limit = MAX_ROWS if limit is None else limit
    if cases.order_by()[limit:limit + 1].exists():
        raise TooManyRows(_("符合条件的诉求件超过 %(n)d 件，请缩小筛选范围（如日期或区域）"
                            "后再导出。") % {"n": limit})
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("问题台账"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    title = WriteOnlyCell(sheet, value=_("问题台账（导出时间 %(when)s）") % {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    head = []
    for label in headers():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        head.append(cell)
    sheet.append(head)
    for number, case in enumerate(_rows(cases), start=1):
        sheet.append(row_values(number, case, viewer))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
