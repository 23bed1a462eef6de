"""Compound records and the annual ledger in and out of .xlsx.

``read_records`` turns an upload into checked rows, or raises ``RecordImportError`` for a
file it cannot read; it touches no database (``actions.records_import`` resolves the codes
and writes). ``records_workbook`` writes the same layout back out, so an export can be
edited and imported again; ``ledger_workbook`` writes the street's annual ledger
(年度老旧小区改造台账).

The records sheet is a data format, so its headers and the management labels stay Chinese
whatever the UI language (as the households sheet of ``areas.excel``).
"""

import contextlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongzhi.areas.excel import CellError, RowError, normalize_header
from gongzhi.renewal.models import CompoundRecord, Management

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 20
MAX_SCAN_COLUMNS = 60
TEXT_LIMIT = 2000  # facilities and problems, as the action allows

# key, header the export writes, other names a header may have
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("code", "小区编码", ("编码", "小区代码")),
    ("name", "小区名称", ("小区", "小区名")),
    ("community", "所属社区", ("社区",)),
    ("built_year", "建成年份", ("建成年代", "建成时间", "竣工年份")),
    ("buildings", "楼栋数", ("楼栋数量", "栋数")),
    ("households", "户数", ("住户数", "总户数")),
    ("floor_area", "总建筑面积(m²)", ("建筑面积", "总面积")),
    ("management", "管理方式", ("管理模式",)),
    ("manager", "管理单位", ("物业服务企业", "物业公司", "物业单位")),
    ("facilities", "现有设施", ("设施", "配套设施")),
    ("problems", "存在问题", ("主要问题", "问题")),
]
HEADERS = {key: header for key, header, _names in COLUMNS}
# Written on export, ignored on import: they come from the area tree.
READ_ONLY = ("name", "community", "buildings", "households")
IMPORTED = ("built_year", "floor_area", "management", "manager", "facilities", "problems")
WIDTHS = {"code": 16, "name": 18, "community": 14, "built_year": 9, "buildings": 8,
          "households": 8, "floor_area": 14, "management": 13, "manager": 20,
          "facilities": 30, "problems": 40}
MANAGEMENT_LABELS = {Management.PROPERTY: "物业服务企业", Management.EMPLOYER: "原产权单位",
                     Management.SELF: "居民自管", Management.NONE: "无人管理"}
MANAGEMENT_WORDS = {
    Management.PROPERTY: ("物业服务企业", "物业", "物业管理", "物业公司"),
    Management.EMPLOYER: ("原产权单位", "产权单位", "单位管理"),
    Management.SELF: ("居民自管", "自管", "业主自管"),
    Management.NONE: ("无人管理", "无", "无管理"),
}
_MANAGEMENT = {word: value for value, words in MANAGEMENT_WORDS.items() for word in words}
_SYNONYMS = {normalize_header(name): key for key, header, names in COLUMNS
             for name in (header, *names)}
_FOOTER_WORDS = ("合计", "总计", "小计")


class RecordImportError(Exception):
    """The file was not imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: e.row)
        super().__init__("; ".join(f"{e.row}:{e.column}:{e.message_en}" for e in self.errors[:5]))


@dataclass
class RecordRow:
    """One compound's row: ``fields`` holds the cells that were filled in (a blank cell keeps
    the stored value); ``manager`` is the name as written; ``errors`` the rejected cells."""

    row: int
    code: str
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class RecordSheet:
    file_name: str
    rows: list[RecordRow]
    labels: dict[str, str] = field(default_factory=dict)  # column key → header as written


def file_error(message: str, message_en: str) -> RecordImportError:
    return RecordImportError([RowError(0, "", message, message_en)])


# --- opening the file ------------------------------------------------------------------------


def _not_xlsx() -> RecordImportError:
    return file_error(_("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件）"),
                      "the file is not a valid .xlsx workbook (corrupt or not Excel)")


def _too_big() -> RecordImportError:
    return file_error(_("文件超过 %(mb)d MB，请拆分后分批导入") % {"mb": MAX_BYTES // 2**20},
                      f"the file is larger than {MAX_BYTES // 2**20} MB; split it")


def _read_upload(upload) -> tuple[bytes, str]:
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big()
    if not data:
        raise file_error(_("文件是空的"), "the file is empty")
    if not isinstance(data, bytes):
        raise _not_xlsx()
    return data, name


def open_workbook(upload):
    """The workbook of an upload, formulas kept as formulas (so they can be refused)."""
    data, name = _read_upload(upload)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_("这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"),
                         "this is an old .xls file; save it as .xlsx in Excel and try again")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _not_xlsx() from exc
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise _not_xlsx()
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise _too_big()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            return load_workbook(io.BytesIO(data), data_only=False), name
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _not_xlsx() from exc


# --- cells -----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:30]


def _text(value: Any, label: str, limit: int, *, lines: bool = False) -> str:
    if isinstance(value, datetime | date | time):
        raise CellError(_("%(label)s被 Excel 识别成了日期，请把该列设为文本后重新填写")
                        % {"label": label}, f"{label} was turned into a date by Excel")
    # Not NFKC: it would turn the full-width punctuation of Chinese text into ASCII.
    text = _shown(value) if not isinstance(value, str) else value
    # Multi-line text as typed (Windows line ends too); one-line text with single spaces.
    text = "\n".join(text.strip().splitlines()) if lines else " ".join(text.split())
    if len(text) > limit:
        raise CellError(_("%(label)s超过 %(n)d 个字（本格 %(len)d 个字）")
                        % {"label": label, "n": limit, "len": len(text)},
                        f"{label} is longer than {limit} characters ({len(text)})")
    return text


def parse_year(value: Any, label: str) -> int:
    """1992, 1992.0, '1992', '1992年'; the range is the action's (1800 … this year)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4})年?", re.sub(r"\s+", "", unicodedata.normalize(
            "NFKC", value)))
        if match:
            return int(match.group(1))
    shown = _shown(value)
    raise CellError(_("%(label)s“%(value)s”应为四位数字的年份，如 1992")
                    % {"label": label, "value": shown},
                    f"{label} '{shown}' must be a four-digit year such as 1992")


def parse_area(value: Any, label: str) -> Decimal:
    """Square metres as an exact Decimal; positivity and two places are the action's."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, float):
            area = Decimal(str(value))
        elif isinstance(value, int | Decimal):
            area = Decimal(value)
        else:
            text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
            text = re.sub(r"(m2|m²|㎡|平方米|平米)$", "", text, flags=re.IGNORECASE)
            area = Decimal(text.replace(",", ""))
        if area.is_finite():
            return area
    except (InvalidOperation, ValueError):
        pass
    shown = _shown(value)
    raise CellError(_("%(label)s“%(value)s”应为数字（平方米）") % {"label": label, "value": shown},
                    f"{label} '{shown}' must be a number of square metres")


def parse_management(value: Any, label: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if text in _MANAGEMENT:
        return _MANAGEMENT[text]
    if text in Management.values:
        return text
    shown = _shown(value)
    words = "、".join(MANAGEMENT_LABELS.values())
    raise CellError(_("%(label)s“%(value)s”无法识别（可填：%(words)s）")
                    % {"label": label, "value": shown, "words": words},
                    f"{label} '{shown}' is not recognised (use one of {words})")


PARSERS = {
    "code": lambda v, label: _text(v, label, 64),
    "built_year": parse_year,
    "floor_area": parse_area,
    "management": parse_management,
    "manager": lambda v, label: _text(v, label, 100),
    "facilities": lambda v, label: _text(v, label, TEXT_LIMIT, lines=True),
    "problems": lambda v, label: _text(v, label, TEXT_LIMIT, lines=True),
}


# --- reading ---------------------------------------------------------------------------------


def _header(ws) -> tuple[int, dict[str, int]]:
    best_row, best = 0, {}
    rows = ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, max_col=MAX_SCAN_COLUMNS,
                        values_only=True)
    for row_no, values in enumerate(rows, start=1):
        found: dict[str, int] = {}
        for index, value in enumerate(values):
            key = _SYNONYMS.get(normalize_header(value)) if value is not None else None
            if key and key not in found:
                found[key] = index
        if len(found) > len(best):
            best_row, best = row_no, found
    return best_row, best


def read_records(upload) -> RecordSheet:
    """Parse an uploaded records sheet into rows (each with its own cell errors)."""
    workbook, name = open_workbook(upload)
    sheets = [(ws, *_header(ws)) for ws in workbook.worksheets]
    ws, header_row, columns = max(sheets, key=lambda s: ("code" in s[2], len(s[2])))
    if "code" not in columns:
        raise file_error(
            _("在前 %(n)d 行中没有找到表头：缺少“小区编码”列（请使用导出的表格填写）")
            % {"n": HEADER_SCAN_ROWS},
            f"no header with a 小区编码 column in the first {HEADER_SCAN_ROWS} rows "
            "(fill in the exported sheet)")
    if not any(key in columns for key in IMPORTED):
        names = "、".join(HEADERS[k] for k in IMPORTED)
        raise file_error(_("表格中没有可导入的列（可导入：%(names)s）") % {"names": names},
                         f"the sheet has no column that can be imported ({names})")
    head = next(ws.iter_rows(min_row=header_row, max_row=header_row, max_col=MAX_SCAN_COLUMNS,
                             values_only=True))
    labels = {key: "".join(str(head[i]).split()) for key, i in columns.items()}
    rows = _read_rows(ws, header_row, columns, labels)
    return RecordSheet(file_name=name, rows=rows, labels=labels)


def _read_rows(ws, header_row: int, columns: dict[str, int], labels: dict[str, str]
               ) -> list[RecordRow]:
    wanted = {k: i for k, i in columns.items() if k in PARSERS}
    rows: list[RecordRow] = []
    for row_no, cells in enumerate(ws.iter_rows(min_row=header_row + 1,
                                                max_col=max(columns.values()) + 1),
                                   start=header_row + 1):
        values = {k: cells[i] for k, i in wanted.items() if i < len(cells)
                  and not _blank(cells[i].value)}
        code = values.get("code")
        if code is not None and re.sub(r"\s+", "", str(code.value)) in _FOOTER_WORDS:
            continue  # a totals row under the compounds
        if "code" not in values:
            text = "".join(str(c.value) for c in cells if c.value is not None)
            if values and not any(word in text for word in _FOOTER_WORDS):
                rows.append(RecordRow(row_no, "", errors=[RowError(
                    row_no, labels["code"], _("小区编码未填写"), "the compound code is missing")]))
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(_("超过 %(n)d 行，请拆分后分批导入") % {"n": MAX_ROWS},
                             f"more than {MAX_ROWS} rows; split the file")
        rows.append(_parse_row(row_no, values, labels))
    return rows


def _parse_row(row_no: int, cells: dict, labels: dict[str, str]) -> RecordRow:
    row = RecordRow(row_no, "")
    for key, cell in cells.items():
        label = labels[key]
        if cell.data_type == "f":
            row.errors.append(RowError(
                row_no, label, _("单元格是公式，请复制后“选择性粘贴为数值”再导入"),
                "the cell holds a formula; paste it as a value and import again"))
            continue
        try:
            value = PARSERS[key](cell.value, label)
        except CellError as exc:
            row.errors.append(RowError(row_no, label, exc.message, exc.message_en))
            continue
        if key == "code":
            row.code = value
        elif value != "":
            row.fields[key] = value
    return row


# --- writing ---------------------------------------------------------------------------------


@dataclass
class RecordLine:
    """One compound as the records page and the export show it."""

    code: str
    name: str
    community: str
    record: CompoundRecord | None
    buildings: int
    households: int


def _cell(ws, value, *, number_format: str = "", **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    if number_format:
        cell.number_format = number_format
    for name, attr in style.items():
        setattr(cell, name, attr)
    return cell


_HEAD = {"font": Font(bold=True), "alignment": Alignment(horizontal="center", wrap_text=True),
         "fill": PatternFill("solid", fgColor="DDEBF7")}


def _sheet(workbook: Workbook, name: str, title: str, note: str, headers: list[str],
           widths: list[int]):
    ws = workbook.create_sheet(title=name)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A4"
    ws.append([_cell(ws, title, font=Font(bold=True, size=14))])
    ws.append([_cell(ws, note, font=Font(color="666666"))])
    ws.append([_cell(ws, h, **_HEAD) for h in headers])
    return ws


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stamp() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def records_workbook(lines: Iterable[RecordLine], *, title: str) -> bytes:
    """The compounds and their records in the importer's layout."""
    lines = list(lines)
    workbook = Workbook(write_only=True)
    note = _("导出时间：%(time)s；共 %(n)d 个小区。楼栋数、户数取自区域信息，导入时不读取；"
             "留空的格子导入时保持原值") % {"time": _stamp(), "n": len(lines)}
    keys = [key for key, _h, _n in COLUMNS]
    ws = _sheet(workbook, _("小区档案"), title, note, [HEADERS[k] for k in keys],
                [WIDTHS[k] for k in keys])
    for line in lines:
        r = line.record
        management = MANAGEMENT_LABELS.get(r.management, r.management) if r else None
        ws.append([
            _cell(ws, line.code, number_format="@"), line.name, line.community,
            r.built_year if r else None, line.buildings, line.households,
            _cell(ws, r.floor_area if r else None, number_format="0.00"),
            management, r.manager.name if r and r.manager_id else None,
            _cell(ws, (r.facilities if r else "") or None),
            _cell(ws, (r.problems if r else "") or None),
        ])
    return _saved(workbook)


@dataclass
class LedgerRow:
    """One project of the year, every figure the board and the ledger show."""

    project_id: int
    name: str
    district: str
    street: str
    community: str
    compounds: str
    built_years: str
    buildings: int
    households: int
    floor_area: Decimal | None
    contents: dict[str, str]  # category → item names joined
    budget: Decimal
    raised: Decimal
    spent: Decimal
    sources: dict[str, Decimal]  # source kind → amount
    residents_spent: Decimal
    residents_share: str
    planned_start: date | None
    planned_end: date | None
    started_on: date | None
    accepted_on: date | None
    stage: str
    stage_label: str
    progress: int


LEDGER_SOURCES = ["central", "provincial", "local", "residents", "repair_fund", "enterprise",
                  "donation"]
LEDGER_CATEGORIES = ["basic", "improvement", "enhancement"]
_MONEY = "#,##0.00"


def ledger_headers() -> list[str]:
    return [_("序号"), _("区"), _("街道"), _("社区"), _("小区名称"), _("建成年份"), _("楼栋数"),
            _("户数"), _("建筑面积（m²）"), _("基础类内容"), _("完善类内容"), _("提升类内容"),
            _("总投资（元）"), _("中央补助"), _("省级补助"), _("市县财政"), _("居民出资"),
            _("维修资金"), _("企业投入"), _("社会捐赠"), _("计划开工"), _("实际开工"),
            _("验收时间"), _("阶段"), _("进度（%）")]


LEDGER_WIDTHS = [6, 10, 12, 12, 20, 10, 8, 8, 12, 30, 30, 30, 14, 13, 13, 13, 13, 13, 13, 13,
                 12, 12, 12, 9, 8]


def ledger_workbook(rows: list[LedgerRow], *, title: str) -> bytes:
    """年度老旧小区改造台账: one row a project, a totals row under them."""
    workbook = Workbook(write_only=True)
    note = _("导出时间：%(time)s；共 %(n)d 个项目；金额单位：元") % {"time": _stamp(),
                                                                "n": len(rows)}
    ws = _sheet(workbook, _("改造台账"), title, note, ledger_headers(), LEDGER_WIDTHS)
    money = lambda v: _cell(ws, v, number_format=_MONEY)  # noqa: E731
    day = lambda v: _cell(ws, v, number_format="yyyy-mm-dd")  # noqa: E731
    for number, r in enumerate(rows, start=1):
        ws.append([
            number, r.district, r.street, r.community, r.compounds, r.built_years or None,
            r.buildings, r.households, _cell(ws, r.floor_area, number_format="0.00"),
            *[_cell(ws, r.contents.get(c) or None) for c in LEDGER_CATEGORIES],
            money(r.budget), *[money(r.sources.get(k)) for k in LEDGER_SOURCES],
            day(r.planned_start), day(r.started_on), day(r.accepted_on), r.stage_label,
            r.progress,
        ])
    bold = Font(bold=True)
    areas = [r.floor_area for r in rows if r.floor_area is not None]
    ws.append([
        _cell(ws, _("合计"), font=bold), None, None, None, None, None,
        sum(r.buildings for r in rows), sum(r.households for r in rows),
        _cell(ws, sum(areas, Decimal(0)) if areas else None, number_format="0.00"),
        None, None, None,
        _cell(ws, sum((r.budget for r in rows), Decimal(0)), number_format=_MONEY, font=bold),
        *[_cell(ws, sum((r.sources.get(k, Decimal(0)) for r in rows), Decimal(0)),
                number_format=_MONEY, font=bold) for k in LEDGER_SOURCES],
    ])
    return _saved(workbook)
