"""Households in and out of .xlsx, in the layout community staff keep them.

``read_households`` turns a workbook into checked rows, or raises ``HouseholdImportError``
for a file it cannot read; it touches no database. ``actions.import_households`` resolves
the rows against the area tree and writes them; ``households_workbook`` writes the same
layout back out, so an export can be edited and imported again.
"""

import contextlib
import io
import os
import re
import unicodedata
import warnings
import zipfile
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode, Household, Tenure
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import ancestor_paths

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
# A 20 MB zip can inflate to gigabytes; real sheets of 50,000 rows stay far below this.
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
HEADER_SCAN_ROWS = 20
MAX_SCAN_COLUMNS = 100

# The sheet layout is a data format shared with other offices, so headers stay Chinese
# whatever the UI language. First name of each column is the one the export writes.
COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("compound", ("小区", "小区名称", "小区名", "院落", "院落名称")),
    ("grid", ("网格", "网格名称", "所属网格", "网格编码", "网格编号")),
    ("building", ("楼栋", "楼号", "栋号", "楼栋号", "楼栋名称", "栋")),
    ("unit", ("单元", "单元号")),
    ("room", ("房号", "门牌号", "室号", "房间号", "房屋号")),
    ("floor", ("楼层", "所在楼层", "层")),
    ("floor_area", ("建筑面积", "面积", "房屋面积", "住房面积")),
    ("head_name", ("户主", "户主姓名", "姓名")),
    ("phone", ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码")),
    ("id_number", ("身份证号", "身份证号码", "户主身份证号", "公民身份号码", "证件号码")),
    ("member_count", ("人数", "家庭人数", "居住人数", "常住人数")),
    ("tenure", ("居住性质", "居住类型", "房屋性质")),
]
REQUIRED = ("building", "room")
_LOCATION = ("compound", "grid", "building", "unit", "room")
EXPORT_HEADERS = {
    "compound": "小区", "grid": "网格", "building": "楼栋", "unit": "单元", "room": "房号",
    "floor": "楼层", "floor_area": "建筑面积(㎡)", "head_name": "户主", "phone": "联系电话",
    "id_number": "身份证号", "member_count": "人数", "tenure": "居住性质",
}
EXPORT_WIDTHS = {
    "compound": 18, "grid": 12, "building": 10, "unit": 7, "room": 9, "floor": 7,
    "floor_area": 13, "head_name": 10, "phone": 16, "id_number": 21, "member_count": 7,
    "tenure": 10,
}
TENURE_EXPORT = {Tenure.OWNER: "自有", Tenure.TENANT: "租住", Tenure.PUBLIC: "公房",
                 Tenure.VACANT: "空置"}
TENURE_WORDS = {
    Tenure.OWNER: ("自有", "自住", "自有住房", "业主自住", "自购", "owner"),
    Tenure.TENANT: ("租住", "出租", "租赁", "租户", "承租", "tenant"),
    Tenure.PUBLIC: ("公房", "公租房", "廉租房", "public"),
    Tenure.VACANT: ("空置", "空房", "闲置", "vacant"),
}
_TENURES = {word: tenure for tenure, words in TENURE_WORDS.items() for word in words}
_FOOTER_WORDS = ("合计", "总计", "小计")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class RowError:
    """One problem: Excel row number as the user sees it (0: the whole file)."""

    row: int
    column: str
    message: str
    message_en: str


class HouseholdImportError(Exception):
    """The file was not imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: e.row)
        super().__init__("; ".join(f"{e.row}:{e.column}:{e.message_en}" for e in self.errors[:5]))


@dataclass
class ImportSummary:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0  # existing households the file named (rows = created + updated)
    changed: int = 0  # of those, how many actually differed
    compounds_created: int = 0
    buildings_created: int = 0
    residents_created: int = 0
    residents_updated: int = 0


@dataclass
class ParsedRow:
    """One household row; empty text / None means "not given" (keeps the stored value)."""

    row: int
    building: str
    room: str
    compound: str = ""
    grid: str = ""
    unit: str = ""
    floor: int | None = None
    floor_area: Decimal | None = None
    head_name: str = ""
    phone: str = ""
    id_number: str = ""
    member_count: int | None = None
    tenure: str | None = None
    invalid: tuple[str, ...] = ()  # columns whose cell was rejected (left at the default)


@dataclass
class HouseholdSheet:
    file_name: str
    rows: list[ParsedRow]
    errors: list[RowError]
    labels: dict[str, str] = field(default_factory=dict)  # column key → header as written


class CellError(ValueError):
    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


def file_error(message: str, message_en: str) -> HouseholdImportError:
    return HouseholdImportError([RowError(0, "", message, message_en)])


# --- headers -------------------------------------------------------------------------


def normalize_header(value: Any) -> str:
    """'建筑面积（㎡）', ' 联系\\n电话 ', '*房号' → '建筑面积', '联系电话', '房号'."""
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[(\[【<].*?[)\]】>]", "", text)
    text = re.sub(r"(m2|平方米|平米)$", "", text, flags=re.IGNORECASE)
    return text.strip("*:：").lower()


_SYNONYMS = {normalize_header(name): key for key, names in COLUMNS for name in names}


def _header_map(values: list[Any]) -> dict[str, int]:
    """Column key → 0-based index for one candidate header row (first match wins)."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        key = _SYNONYMS.get(normalize_header(value))
        if key and key not in found:
            found[key] = index
    return found


# --- cell values -----------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:40]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any, *, label: str, max_length: int) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, datetime | date | time):
        raise CellError(
            _("%(label)s被 Excel 识别成了日期，请把该列设为文本后重新填写") % {"label": label},
            f"{label} was turned into a date by Excel; format the column as text and re-enter",
        )
    text = " ".join(unicodedata.normalize("NFKC", _show(value) if not isinstance(value, str)
                                          else value).split())
    if len(text) > max_length:
        raise CellError(
            _("%(label)s“%(value)s”超过 %(max)d 个字") % {
                "label": label, "value": text[:20], "max": max_length},
            f"{label} '{text[:20]}' is longer than {max_length} characters",
        )
    return text


def parse_phone(value: Any) -> str:
    """A mainland mobile (11 digits) or a landline with area code ('0731-88886666')."""
    if _is_blank(value):
        return ""
    shown = _show(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    numeric = isinstance(value, int) and not isinstance(value, bool)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)
    digits = re.sub(r"[\s\-–—()]", "", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    # Typed as a number, a landline loses its leading 0 (731 88886666).
    candidates = [digits, "0" + digits] if numeric else [digits]
    for candidate in candidates:
        if re.fullmatch(r"0\d{9,11}", candidate):
            area_len = 3 if candidate[1] in "12" else 4
            area, local = candidate[:area_len], candidate[area_len:]
            if re.fullmatch(r"[2-9]\d{6,7}", local):
                return f"{area}-{local}"
    if "*" in shown:
        raise CellError(
            _("联系电话“%(value)s”是脱敏后的号码，不能导入") % {"value": shown},
            f"phone number '{shown}' is masked and cannot be imported",
        )
    raise CellError(
        _("联系电话“%(value)s”不是有效的手机号或座机号") % {"value": shown},
        f"phone number '{shown}' is not a valid mobile or landline number",
    )


def _integer(value: Any, pattern: str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
        match = re.fullmatch(pattern, text)
        if match:
            return int(match.group("n")) * (-1 if match.group("neg") else 1)
    return None


def parse_floor(value: Any) -> int | None:
    """3, 3.0, '3层', '3F', '-1', 'B1', '地下1层'; -5 … 200."""
    if _is_blank(value):
        return None
    floor = _integer(value, r"(?P<neg>-|B|负|地下)?(?P<n>\d+)(层|F|楼)?")
    if floor is None or not -5 <= floor <= 200:
        shown = _show(value)
        raise CellError(
            _("楼层“%(value)s”应为 -5 到 200 之间的整数") % {"value": shown},
            f"floor '{shown}' must be a whole number from -5 to 200",
        )
    return floor


def parse_member_count(value: Any) -> int | None:
    if _is_blank(value):
        return None
    count = _integer(value, r"(?P<neg>-)?(?P<n>\d+)人?")
    if count is None or not 0 <= count <= 999:
        shown = _show(value)
        raise CellError(
            _("人数“%(value)s”应为 0 到 999 之间的整数") % {"value": shown},
            f"household size '{shown}' must be a whole number from 0 to 999",
        )
    return count


def parse_floor_area(value: Any) -> Decimal | None:
    """Square metres, 0 < area < 10000, exactly two places (no float artefacts)."""
    if _is_blank(value):
        return None
    shown = _show(value)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int | Decimal):
            area = Decimal(value)
        elif isinstance(value, float):
            area = Decimal(str(value))
        else:
            text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
            text = re.sub(r"(m2|平方米|平米|平方)$", "", text, flags=re.IGNORECASE)
            area = Decimal(text.replace(",", ""))
        if not area.is_finite():
            raise InvalidOperation
        area = area.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        area = None
    if area is None or not Decimal(0) < area < Decimal(10000):
        raise CellError(
            _("建筑面积“%(value)s”应为大于 0、小于 10000 的数（平方米）") % {"value": shown},
            f"floor area '{shown}' must be a number of square metres above 0 and below 10000",
        )
    return area


def _id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def parse_id_number(value: Any) -> str:
    """18 characters with a valid check digit, or a legacy 15-digit number."""
    if _is_blank(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) > 15:
            raise CellError(
                _("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新填写"),
                "the ID number was stored as a number and lost its last digits; "
                "format the column as text and re-enter it",
            )
        value = digits
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()
    if re.fullmatch(r"\d{15}", text) or (
        re.fullmatch(r"\d{17}[\dX]", text) and _id_checksum_ok(text)
    ):
        return text
    shown = text if "*" in text else mask_id_number(text)
    raise CellError(
        _("身份证号“%(value)s”无效（应为 18 位且校验位正确）") % {"value": shown},
        f"ID number '{shown}' is not valid (18 characters with a correct check digit)",
    )


def parse_tenure(value: Any) -> str | None:
    if _is_blank(value):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()
    if text in _TENURES:
        return _TENURES[text]
    shown = _show(value)
    raise CellError(
        _("居住性质“%(value)s”无法识别（可填：自有、租住、公房、空置）") % {"value": shown},
        f"tenure '{shown}' is not recognised (use 自有, 租住, 公房 or 空置)",
    )


def _room_text(value: Any, label: str) -> str:
    text = parse_text(value, label=label, max_length=16)
    return re.sub(r"(?<=\d)室$", "", text)


def _unit_text(value: Any, label: str) -> str:
    text = parse_text(value, label=label, max_length=20)
    text = re.sub(r"单元$", "", text).strip()
    if len(text) > 16:
        raise CellError(_("%(label)s“%(value)s”超过 16 个字") % {"label": label, "value": text},
                        f"{label} '{text}' is longer than 16 characters")
    return text


PARSERS = {
    "compound": lambda v, label: parse_text(v, label=label, max_length=100),
    "grid": lambda v, label: parse_text(v, label=label, max_length=100),
    "building": lambda v, label: parse_text(v, label=label, max_length=100),
    "unit": _unit_text,
    "room": _room_text,
    "floor": lambda v, label: parse_floor(v),
    "floor_area": lambda v, label: parse_floor_area(v),
    "head_name": lambda v, label: parse_text(v, label=label, max_length=50),
    "phone": lambda v, label: parse_phone(v),
    "id_number": lambda v, label: parse_id_number(v),
    "member_count": lambda v, label: parse_member_count(v),
    "tenure": lambda v, label: parse_tenure(v),
}


# --- workbook --------------------------------------------------------------------------


class _Merged:
    """Values of merged ranges: every cell of a range reads its top-left value."""

    def __init__(self, ws):
        spans: dict[int, list[tuple[int, int, Any]]] = {}
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            if _is_blank(value):
                continue
            for col in range(rng.min_col, min(rng.max_col, MAX_SCAN_COLUMNS) + 1):
                spans.setdefault(col, []).append((rng.min_row, rng.max_row, value))
        self._spans = {col: sorted(items) for col, items in spans.items()}
        self._starts = {col: [s[0] for s in items] for col, items in self._spans.items()}

    def get(self, row: int, col: int) -> Any:
        """Value for an empty cell at 1-based (row, col), None when it is not merged."""
        spans = self._spans.get(col)
        if not spans:
            return None
        i = bisect_right(self._starts[col], row) - 1
        if i >= 0 and spans[i][1] >= row:
            return spans[i][2]
        return None


def _read_bytes(file) -> tuple[bytes, str]:
    if isinstance(file, str | os.PathLike):
        name = os.path.basename(os.fspath(file))
        try:
            if os.path.getsize(file) > MAX_BYTES:
                raise _too_big()
            with open(file, "rb") as handle:
                return handle.read(), name
        except OSError as exc:
            raise file_error(_("无法读取文件“%(name)s”") % {"name": name},
                             f"cannot read the file '{name}'") from exc
    name = os.path.basename(getattr(file, "name", "") or "")
    with contextlib.suppress(AttributeError, OSError, ValueError):
        file.seek(0)  # an upload may have been read once already (type sniffing)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big()
    if not isinstance(data, bytes):
        raise file_error(_("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件）"),
                         "the file is not a valid .xlsx workbook (corrupt or not Excel)")
    return data, name


def _too_big() -> HouseholdImportError:
    return file_error(_("文件超过 %(mb)d MB，请拆分后分批导入") % {"mb": MAX_BYTES // 2**20},
                      f"the file is larger than {MAX_BYTES // 2**20} MB; split it")


def _open_workbook(data: bytes):
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_("这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"),
                         "this is an old .xls file; save it as .xlsx in Excel and try again")
    not_xlsx = file_error(_("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件）"),
                          "the file is not a valid .xlsx workbook (corrupt or not Excel)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise not_xlsx from exc
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise not_xlsx
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise _too_big()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            return load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise not_xlsx from exc


def _find_header(ws, merged: _Merged) -> tuple[int, dict[str, int]]:
    best_row, best = 0, {}
    rows = ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, max_col=MAX_SCAN_COLUMNS,
                        values_only=True)
    for row_no, values in enumerate(rows, start=1):
        filled = [v if v is not None else merged.get(row_no, c + 1) for c, v in enumerate(values)]
        found = _header_map(filled)
        if len(found) > len(best):
            best_row, best = row_no, found
    return best_row, best


def read_households(file) -> HouseholdSheet:
    """Parse a household sheet: a path or binary file object → rows and row errors."""
    data, name = _read_bytes(file)
    if not data:
        raise file_error(_("文件是空的"), "the file is empty")
    workbook = _open_workbook(data)
    if not any(ws.max_row > 1 or ws.max_column > 1 or ws.cell(1, 1).value is not None
               for ws in workbook.worksheets):
        raise file_error(_("表格中没有任何内容"), "the workbook has no content")
    candidates = []
    for ws in workbook.worksheets:
        merged = _Merged(ws)
        header_row, columns = _find_header(ws, merged)
        candidates.append((ws, merged, header_row, columns))
        if all(key in columns for key in REQUIRED):
            break
    ws, merged, header_row, columns = max(
        candidates, key=lambda c: (all(k in c[3] for k in REQUIRED), len(c[3])))
    if len(columns) < 2:
        raise file_error(
            _("在前 %(n)d 行中没有找到表头（应包含“楼栋”“房号”等列）") % {"n": HEADER_SCAN_ROWS},
            f"no header row found in the first {HEADER_SCAN_ROWS} rows "
            "(expected columns such as 楼栋 and 房号)",
        )
    missing = [EXPORT_HEADERS[key] for key in REQUIRED if key not in columns]
    if missing:
        names = "、".join(missing)
        raise file_error(_("缺少必填列：%(names)s") % {"names": names},
                         f"required columns are missing: {names}")
    header_values = next(ws.iter_rows(min_row=header_row, max_row=header_row,
                                      max_col=MAX_SCAN_COLUMNS, values_only=True))
    labels = {}
    for key, index in columns.items():
        raw = header_values[index]
        if raw is None:
            raw = merged.get(header_row, index + 1)
        labels[key] = "".join(str(raw).split())
    return _read_rows(ws, merged, header_row, columns, labels, name)


def _read_rows(ws, merged, header_row, columns, labels, name) -> HouseholdSheet:
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    pending: list[RowError] = []  # room missing: an error only if data rows follow
    width = max(columns.values()) + 1
    room_headers = {k for k, v in _SYNONYMS.items() if v == "room"}
    data_rows = 0
    for row_no, values in enumerate(
        ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True),
        start=header_row + 1,
    ):
        own = {key: values[i] for key, i in columns.items()
               if i < len(values) and not _is_blank(values[i])}
        cells = {key: own.get(key, merged.get(row_no, i + 1)) for key, i in columns.items()}
        if _is_blank(cells["room"]):
            text = "".join(str(v) for v in values if v is not None)
            if own and not any(word in text for word in _FOOTER_WORDS):
                pending.append(RowError(row_no, labels["room"], _("房号未填写"),
                                        "the room number is missing"))
            continue
        if normalize_header(cells["room"]) in room_headers:
            continue  # the header repeated (printed pages)
        errors += pending
        pending = []
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise file_error(_("超过 %(n)d 行，请拆分后分批导入") % {"n": MAX_ROWS},
                             f"more than {MAX_ROWS} rows; split the file")
        values_ok: dict[str, Any] = {}
        for key in columns:
            try:
                values_ok[key] = PARSERS[key](cells[key], labels[key])
            except CellError as exc:
                errors.append(RowError(row_no, labels[key], exc.message, exc.message_en))
        if values_ok.get("building") == "":
            errors.append(RowError(row_no, labels["building"], _("楼栋未填写"),
                                   "the building is missing"))
        elif all(key in values_ok for key in _LOCATION if key in columns):
            # Kept even with a bad phone or area (left at its default), so the import can
            # still report an unknown grid or a duplicate room here; errors stop any write.
            invalid = tuple(key for key in columns if key not in values_ok)
            rows.append(ParsedRow(row=row_no, invalid=invalid, **values_ok))
    return HouseholdSheet(file_name=name, rows=rows, errors=errors, labels=labels)


# --- export ----------------------------------------------------------------------------


def _areas_above(households: list[Household]) -> dict[str, AreaNode]:
    paths = {p for h in households for p in ancestor_paths(h.area_path)}
    return {n.path: n for n in AreaNode.objects.filter(path__in=paths).only("path", "name", "kind")}


def households_workbook(households: Iterable[Household], *, title: str, viewer) -> bytes:
    """The households as .xlsx in the importer's layout; personal data masked per viewer."""
    items = list(households)
    prefetch_related_objects(items, "residents")  # no-op when the caller prefetched
    nodes = _areas_above(items)
    masked = [viewer is not None and not can(viewer, Perm.VIEW_PERSONAL_DATA, h) for h in items]
    keys = [key for key, _names in COLUMNS]
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_("住户"))
    for index, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(index)].width = EXPORT_WIDTHS[key]
    ws.freeze_panes = "A4"

    def cell(value, **style) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        for name, attr in style.items():
            setattr(c, name, attr)
        return c

    ws.append([cell(title, font=Font(bold=True, size=14))])
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    note = _("导出时间：%(time)s；共 %(n)d 户") % {"time": stamp, "n": len(items)}
    if any(masked):
        note += _("；联系电话和身份证号已按权限脱敏")
    ws.append([cell(note, font=Font(color="666666"))])
    head_style = {"font": Font(bold=True), "alignment": Alignment(horizontal="center"),
                  "fill": PatternFill("solid", fgColor="DDEBF7")}
    ws.append([cell(EXPORT_HEADERS[key], **head_style) for key in keys])
    for household, hide in zip(items, masked, strict=True):
        ws.append(_export_row(ws, household, nodes, hide))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_row(ws, household: Household, nodes: dict[str, AreaNode], hide: bool) -> list:
    path = household.area_path
    building = nodes.get(path)
    compound = nodes.get(path[:-6])
    grids = [nodes[p] for p in ancestor_paths(path) if p in nodes and nodes[p].kind in GRID_KINDS]
    head = household.head
    phone = head.phone if head else ""
    id_number = head.id_number if head else ""
    if hide:
        phone, id_number = mask_phone(phone), mask_id_number(id_number)

    def text(value: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value or None)
        c.number_format = "@"  # stays text when staff edit it (no 1.38E+10)
        return c

    area = WriteOnlyCell(ws, value=household.floor_area)
    area.number_format = "0.00"
    is_compound = compound is not None and compound.kind == AreaKind.COMPOUND
    return [
        compound.name if is_compound else None,
        grids[-1].name if grids else None,
        building.name if building else None,
        text(household.unit),
        text(household.room),
        household.floor,
        area,
        head.name if head else None,
        text(phone),
        text(id_number),
        household.member_count,
        TENURE_EXPORT.get(household.tenure, household.tenure),
    ]
