"""Household import from and export to .xlsx, with real workbooks written by openpyxl."""

import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from gongzhi.areas import excel
from gongzhi.areas.actions import ImportSummary, import_households
from gongzhi.areas.excel import (
    CellError,
    HouseholdImportError,
    households_workbook,
    parse_floor,
    parse_floor_area,
    parse_id_number,
    parse_phone,
    read_households,
)
from gongzhi.areas.models import AreaKind, AreaNode, Household, Resident, Tenure
from gongzhi.core.models import AuditEvent
from gongzhi.core.permissions import Perm, can
from gongzhi.core.tree import subtree_q

HEADER = ["小区", "网格", "楼栋", "单元", "房号", "楼层", "建筑面积(㎡)", "户主", "联系电话",
          "人数"]
VALID_ID = "430102198001011233"


def write_xlsx(path, rows, *, header=HEADER, title="活龙社区住户花名册", merges=()):
    """Title and note rows above the header, as community staff make them."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append(["填表说明：每户一行"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def db_state():
    """Everything an import may touch, to prove a failed one changed nothing."""
    return (
        list(Household.objects.order_by("pk").values_list(
            "pk", "building_id", "unit", "room", "floor", "floor_area", "member_count", "tenure")),
        list(Resident.objects.order_by("pk").values_list("pk", "name", "phone", "id_number")),
        list(AreaNode.objects.order_by("pk").values_list("pk", "path", "code", "name")),
        AuditEvent.objects.count(),
    )


def households_of(node):
    return Household.objects.filter(subtree_q(node.path, "area_path"))


# --- reading ---------------------------------------------------------------------------


def test_header_found_below_title_with_synonyms_and_messy_spelling(tmp_path):
    header = [" 小区名称 ", "楼号", "单元号", "门牌号", "所在\n楼层", "建筑面积（m²）", "户主姓名",
              "手机号", "家庭人数", "身份证号码", "居住性质"]
    path = write_xlsx(tmp_path / "a.xlsx", header=header, rows=[
        ["新村", "1栋", "1单元", 101, "3层", 88.5, "王芳", 13812341234.0, 3, VALID_ID, "自住"],
        ["新村", "1栋", 1, "102室", "3F", "92.456", "李强", "+86 139-0000-1111", "2", None, "出租"],
        ["新村", 2, None, "201", 2, 70, "赵六", "(0731)8888-6666", None, None, "公房"],
    ])
    sheet = read_households(path)
    assert sheet.errors == []
    assert sheet.file_name == "a.xlsx"
    assert sheet.labels["phone"] == "手机号"
    assert sheet.labels["floor"] == "所在楼层"
    first, second, third = sheet.rows
    assert (first.row, second.row, third.row) == (4, 5, 6)
    assert (first.compound, first.building, first.unit, first.room) == ("新村", "1栋", "1", "101")
    assert (first.floor, first.floor_area, first.phone) == (3, Decimal("88.50"), "13812341234")
    assert (first.member_count, first.id_number, first.tenure) == (3, VALID_ID, Tenure.OWNER)
    assert (second.unit, second.room, second.floor) == ("1", "102", 3)
    assert (second.floor_area, second.phone, second.tenure) == (
        Decimal("92.46"), "13900001111", Tenure.TENANT)
    assert (third.building, third.unit, third.member_count) == ("2", "", None)
    assert (third.phone, third.tenure, third.floor_area) == ("0731-88886666", Tenure.PUBLIC,
                                                            Decimal("70.00"))


@pytest.mark.parametrize(("value", "expected"), [
    (13812341234, "13812341234"),
    (13812341234.0, "13812341234"),
    ("138 1234 1234", "13812341234"),
    ("+86 138-1234-1234", "13812341234"),
    ("13812341234.0", "13812341234"),
    ("0731-88886666", "0731-88886666"),
    ("（010）88886666", "010-88886666"),
    (73188886666, "0731-88886666"),  # a landline typed as a number loses its 0
])
def test_phone_numbers_as_numbers_or_text(value, expected):
    assert parse_phone(value) == expected


@pytest.mark.parametrize("value", ["1381234", "12812341234", "88886666", 1.5, "138123412345"])
def test_invalid_phone_numbers(value):
    with pytest.raises(CellError):
        parse_phone(value)


def test_phone_error_message_in_chinese_and_english():
    with pytest.raises(CellError) as caught:
        parse_phone("1381234")
    assert caught.value.message == "联系电话“1381234”不是有效的手机号或座机号"
    assert caught.value.message_en == (
        "phone number '1381234' is not a valid mobile or landline number")
    with pytest.raises(CellError) as caught:
        parse_phone("138****1234")
    assert "脱敏" in caught.value.message


@pytest.mark.parametrize(("value", "expected"), [
    (88.5, "88.50"), (0.1 + 0.2, "0.30"), (100.005, "100.01"), (70, "70.00"),
    ("1,234.5㎡", "1234.50"), ("56.7 平方米", "56.70"), (Decimal("9999.99"), "9999.99"),
])
def test_floor_area_is_exact_decimal(value, expected):
    area = parse_floor_area(value)
    assert isinstance(area, Decimal)
    assert str(area) == expected


@pytest.mark.parametrize("value", [0, -5, 10000, "abc", True, 0.001, float("nan")])
def test_invalid_floor_area(value):
    with pytest.raises(CellError):
        parse_floor_area(value)


@pytest.mark.parametrize(("value", "expected"), [
    (3, 3), (3.0, 3), ("3层", 3), ("3F", 3), ("12f", 12), ("-1", -1), ("B1", -1),
    ("地下2层", -2), (None, None),
])
def test_floor(value, expected):
    assert parse_floor(value) == expected


@pytest.mark.parametrize("value", [3.5, 201, -6, "三楼", "3-4"])
def test_invalid_floor(value):
    with pytest.raises(CellError):
        parse_floor(value)


def test_id_numbers():
    assert parse_id_number(VALID_ID) == VALID_ID
    assert parse_id_number("11010519491231002x") == "11010519491231002X"
    assert parse_id_number("110105491231002") == "110105491231002"
    with pytest.raises(CellError) as caught:
        parse_id_number("430102198001011234")  # wrong check digit
    assert "430102198001011234" not in caught.value.message  # shown masked
    with pytest.raises(CellError) as caught:
        parse_id_number(4.30102198001011e17)
    assert "数字" in caught.value.message


def test_merged_compound_and_building_cells_apply_to_every_row(street, tmp_path):
    path = write_xlsx(tmp_path / "merged.xlsx", rows=[
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2],
        [None, None, None, 1, 102, 1, 60, "乙", 13800000002, 2],
        [None, None, None, 1, 201, 2, 60, "丙", 13800000003, 2],
        [None, None, "2栋", 1, 101, 1, 60, "丁", 13800000004, 2],
    ], merges=["A4:A7", "C4:C6"])
    summary = import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert (summary.created, summary.compounds_created, summary.buildings_created) == (4, 1, 2)
    compound = AreaNode.objects.get(kind=AreaKind.COMPOUND, name="新村小区")
    rooms = {(h.building.name, h.room) for h in households_of(compound).select_related("building")}
    assert rooms == {("1栋", "101"), ("1栋", "102"), ("1栋", "201"), ("2栋", "101")}


def test_two_row_header_on_the_second_sheet(tmp_path):
    wb = Workbook()
    wb.active.append(["填表说明：请在“住户”表中填写"])
    ws = wb.create_sheet("住户")
    ws.append(["花名册"])
    ws.append(["小区", "楼栋", "房号", "户主信息", None])
    ws.append([None, None, None, "姓名", "电话"])
    ws.append(["新村", "1栋", "101", "甲", "13800000001"])
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:E2"):
        ws.merge_cells(cells)
    wb.save(tmp_path / "two.xlsx")
    sheet = read_households(tmp_path / "two.xlsx")
    assert sheet.errors == []
    [row] = sheet.rows
    assert (row.row, row.compound, row.room, row.head_name, row.phone) == (
        4, "新村", "101", "甲", "13800000001")


def test_a_room_excel_turned_into_a_date_is_a_row_error(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", rows=[
        ["新村", None, "1栋", None, datetime(2025, 1, 2), 1, 60, "甲", None, 1]])
    sheet = read_households(path)
    [error] = sheet.errors
    assert (error.row, error.column, sheet.rows) == (4, "房号", [])
    assert "日期" in error.message


def test_blank_total_and_footer_rows_are_skipped(street, tmp_path):
    path = write_xlsx(tmp_path / "footer.xlsx", rows=[
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2],
        [None] * 10,
        ["新村小区", None, "1栋", 1, 102, 1, 60, "乙", 13800000002, 3],
        ["合计", None, None, None, None, None, 120, None, None, 5],
        ["制表人：张三", None, None, None, None, None, None, None, "13000000000", None],
    ])
    summary = import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert (summary.rows, summary.created) == (2, 2)


# --- importing -------------------------------------------------------------------------


def test_good_import_creates_exactly_the_households_areas_and_one_audit_event(street, tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", rows=[
        ["铁路小区", "第一网格", "1栋", 1, 301, 3, 88.5, "周一", 13811112222, 3],
        ["新村小区", "第二网格", "1栋", 1, 101, 1, "75.25", "吴二", "139-1111-2222", 2],
        ["新村小区", "CA-G2", "1栋", 2, 101, 1, 75, "郑三", None, None],
        ["新村小区", "第二网格", "2号楼", None, 101, 1, 75, None, None, 0],
        ["老街小区", None, "3栋", None, 5, 1, 40, "冯四", "0731-88886666", 1],
    ])
    before_households = Household.objects.count()
    before_residents = Resident.objects.count()
    before_events = AuditEvent.objects.count()
    summary = import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert isinstance(summary, ImportSummary)
    assert (summary.rows, summary.created, summary.updated) == (5, 5, 0)
    assert (summary.compounds_created, summary.buildings_created) == (2, 3)
    assert summary.residents_created == 4
    assert Household.objects.count() == before_households + 5
    assert Resident.objects.count() == before_residents + 4
    assert AuditEvent.objects.count() == before_events + 1

    h = Household.objects.get(building=street.b1, room="301")
    assert (h.unit, h.floor, h.floor_area, h.member_count, h.area_path) == (
        "1", 3, Decimal("88.50"), 3, street.b1.path)
    head = h.residents.get()
    assert (head.name, head.phone, head.is_head) == ("周一", "13811112222", True)

    xincun = AreaNode.objects.get(name="新村小区")
    assert (xincun.parent, xincun.kind, xincun.depth) == (street.grid_a2, AreaKind.COMPOUND, 6)
    assert xincun.path.startswith(street.grid_a2.path)
    buildings = {b.name: b for b in xincun.children.all()}
    assert set(buildings) == {"1栋", "2号楼"}
    assert households_of(buildings["1栋"]).count() == 2
    vacant = Household.objects.get(building=buildings["2号楼"])
    assert (vacant.member_count, vacant.residents.count()) == (0, 0)
    laojie = AreaNode.objects.get(name="老街小区")
    assert laojie.parent == street.comm_a
    assert Resident.objects.get(name="冯四").phone == "0731-88886666"
    new_nodes = AreaNode.objects.filter(name__in=["新村小区", "老街小区", "2号楼", "3栋"])
    assert len({n.code for n in new_nodes}) == 4
    assert len({n.path for n in AreaNode.objects.all()}) == AreaNode.objects.count()

    event = AuditEvent.objects.get(action="areas.import_households")
    assert event.actor == street.staff_a
    assert event.area_path == street.comm_a.path
    assert event.after["file"] == "good.xlsx"
    assert (event.after["created"], event.after["rows"]) == (5, 5)
    logged = json.dumps([event.before, event.after, event.object_repr])
    assert "13811112222" not in logged and "88886666" not in logged


def test_several_bad_rows_are_all_reported_and_nothing_is_written(street, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", rows=[
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2],        # 4 ok
        ["新村小区", None, "1栋", 1, 102, 1, 60, "乙", "1381234", 2],          # 5 phone
        ["新村小区", None, "1栋", 1, 103, 300, -3, "丙", 13800000003, 2],      # 6 floor, area
        ["新村小区", None, "1栋", 1, 101, 1, 60, "丁", "139", 2],              # 7 phone, dup of 4
        ["新村小区", "第九网格", "1栋", 1, 104, 1, 60, "戊", 13800000005, 2],  # 8 grid
        ["新村小区", None, "1栋", 1, None, 1, 60, "己", 13800000006, 2],       # 9 no room
        [None, None, "1栋", 1, 105, 1, 60, "庚", 13800000007, 2],              # 10 which 1栋?
        ["新村小区", None, "1栋", 1, 106, 1, 60, None, 13800000008, 2],        # 11 phone, no head
        ["新村小区", None, "1栋", 1, 107, 1, 60, "辛", 13800000009, "两"],     # 12 count
        ["新村小区", None, "1栋", 1, 108, 1, 60, "壬", 13800000010, 2],        # 13 ok
    ])
    before = db_state()
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [
        (5, "联系电话"), (6, "楼层"), (6, "建筑面积(㎡)"), (7, "联系电话"), (7, "房号"),
        (8, "网格"), (9, "房号"), (10, "楼栋"), (11, "户主"), (12, "人数"),
    ]
    by_row = {(e.row, e.column): e for e in caught.value.errors}
    assert "第 4 行" in by_row[7, "房号"].message and "row 4" in by_row[7, "房号"].message_en
    assert "第九网格" in by_row[8, "网格"].message
    assert all(e.message and e.message_en for e in caught.value.errors)
    assert db_state() == before


def test_ambiguous_building_name_is_an_error_unless_the_row_says_where(street, tmp_path):
    # Community A has a "1栋" in 铁路小区 and another in 机务小区.
    path = write_xlsx(tmp_path / "amb.xlsx", rows=[
        [None, None, "1栋", None, 901, 9, 50, "甲", None, 1],
    ])
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    [error] = caught.value.errors
    assert (error.row, error.column) == (4, "楼栋")
    assert "多个" in error.message
    path = write_xlsx(tmp_path / "grid.xlsx", rows=[
        [None, "第二网格", "1", None, 301, 3, 71, None, None, 2],  # "1" is 机务小区's "1栋"
    ])
    summary = import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert (summary.created, summary.updated, summary.changed) == (0, 1, 1)
    street.h3.refresh_from_db()
    assert (street.h3.floor_area, street.h3.member_count) == (Decimal("71.00"), 2)


def test_reimport_updates_rather_than_duplicates(street, tmp_path):
    rows = [
        ["铁路小区", "第一网格", "1栋", 1, 101, 1, 88.5, "王秀英", 13812341234, 1],
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2],
    ]
    import_households(community=street.comm_a, file=write_xlsx(tmp_path / "1.xlsx", rows=rows),
                      acting_user=street.staff_a)
    counts = (Household.objects.count(), Resident.objects.count(), AreaNode.objects.count())
    rows[0][6:10] = [90, "王秀英", "139 8888 7777", 2]
    rows[1][7] = "甲乙"
    summary = import_households(community=street.comm_a,
                                file=write_xlsx(tmp_path / "2.xlsx", rows=rows),
                                acting_user=street.staff_a)
    assert (summary.created, summary.updated, summary.changed) == (0, 2, 2)
    assert (summary.residents_created, summary.residents_updated) == (0, 2)
    assert (Household.objects.count(), Resident.objects.count(),
            AreaNode.objects.count()) == counts
    street.h1.refresh_from_db()
    assert (street.h1.floor_area, street.h1.member_count) == (Decimal("90.00"), 2)
    street.r1.refresh_from_db()
    assert street.r1.phone == "13988887777"
    assert street.r1.id_number == "110105194901011235"  # blank cell keeps what is stored
    assert Resident.objects.filter(name="甲乙", is_head=True).count() == 1


def test_import_requires_manage_households_on_the_community(street, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", rows=[
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2]])
    before = db_state()
    for user in (street.street_staff, street.staff_b, street.worker_a1):
        with pytest.raises(PermissionDenied):
            import_households(community=street.comm_a, file=path, acting_user=user)
    assert db_state() == before


def test_a_failure_while_writing_leaves_nothing_behind(street, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "w.xlsx", rows=[
        ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2]])
    before = db_state()

    def clash(*args, **kwargs):
        raise IntegrityError("household_unique_room")

    # Households, buildings and the compound are inserted before the residents fail.
    monkeypatch.setattr(Resident.objects, "bulk_create", clash)
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert caught.value.errors[0].row == 0 and "重新导入" in caught.value.errors[0].message
    assert db_state() == before


def test_only_a_community_takes_an_import(street, tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", rows=[["新村小区", None, "1栋", 1, 101]])
    with pytest.raises(ValidationError):
        import_households(community=street.grid_a1, file=path, acting_user=None)


def text_file(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("小区,楼栋,房号\n铁路小区,1栋,101\n", encoding="utf-8")
    return path


def old_xls(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return path


def empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    return path


def missing_columns(tmp_path):
    return write_xlsx(tmp_path / "cols.xlsx", header=["小区", "单元", "户主", "联系电话"],
                      rows=[["新村小区", 1, "甲", 13800000001]])


def truncated(tmp_path):
    good = write_xlsx(tmp_path / "full.xlsx", rows=[["新村小区", None, "1栋", 1, 101]])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:400])
    return path


@pytest.mark.parametrize(("make", "words"), [
    (text_file, "不是有效的 .xlsx"),
    (old_xls, ".xls"),
    (empty_workbook, "没有任何内容"),
    (missing_columns, "缺少必填列：楼栋、房号"),
    (truncated, "不是有效的 .xlsx"),
])
def test_unreadable_files_get_one_file_level_error(street, tmp_path, make, words):
    path = make(tmp_path)
    before = db_state()
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    [error] = caught.value.errors
    assert (error.row, error.column) == (0, "")
    assert words in error.message and error.message_en
    assert db_state() == before


def test_size_and_row_limits(street, tmp_path, monkeypatch):
    rows = [["新村小区", None, "1栋", 1, 100 + i, 1, 60, "甲", None, 1] for i in range(5)]
    path = write_xlsx(tmp_path / "big.xlsx", rows=rows)
    monkeypatch.setattr(excel, "MAX_ROWS", 4)
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    assert "超过 4 行" in caught.value.errors[0].message
    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    monkeypatch.setattr(excel, "MAX_BYTES", 1000)
    with path.open("rb") as handle, pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=handle, acting_user=street.staff_a)
    assert "MB" in caught.value.errors[0].message
    monkeypatch.setattr(excel, "MAX_BYTES", 20 * 1024 * 1024)
    with path.open("rb") as handle:
        summary = import_households(community=street.comm_a, file=handle,
                                    acting_user=street.staff_a)
    assert (summary.created, summary.file_name) == (5, "big.xlsx")


def test_queries_do_not_grow_with_the_number_of_rows(street, tmp_path):
    def run(name, n):
        rows = [[name, None, f"{i % 7 + 1}栋", i % 3 + 1, 100 + i, 1, 60, f"户主{i}",
                 13800000000 + i, 2] for i in range(n)]
        path = write_xlsx(tmp_path / f"{name}.xlsx", rows=rows)
        with CaptureQueriesContext(connection) as ctx:
            summary = import_households(community=street.comm_a, file=path,
                                        acting_user=street.staff_a)
        assert summary.created == n
        return len(ctx.captured_queries)

    small, big = run("小村", 20), run("大村", 600)
    # Bulk writes: only the database's batch size adds queries (SQLite: ~120 rows a batch).
    assert big - small <= 12


# --- exporting -------------------------------------------------------------------------


def sheet_rows(data: bytes):
    ws = load_workbook(io.BytesIO(data)).active
    return ws, [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]


def test_export_layout_and_masking_per_viewer(street):
    qs = households_of(street.comm_a).prefetch_related("residents")
    clear = households_workbook(qs, title="活龙社区住户", viewer=street.staff_a)
    ws, rows = sheet_rows(clear)
    assert ws["A1"].value == "活龙社区住户"
    assert [c.value for c in ws[3]] == list(excel.EXPORT_HEADERS.values())
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["I"].width == excel.EXPORT_WIDTHS["phone"]
    first = rows[0]
    assert first[:8] == ["铁路小区", "第一网格", "1栋", "1", "101", 1, 88.5, "王秀英"]
    assert first[8:] == ["13812341234", "110105194901011235", 1, "自有"]
    assert len(rows) == 3

    assert "脱敏" not in ws["A2"].value
    ws, masked = sheet_rows(households_workbook(qs, title="t", viewer=street.street_staff))
    assert "脱敏" in ws["A2"].value
    assert masked[0][8:10] == ["138****1234", "110105********1235"]
    assert {r[8] for r in masked} == {"138****1234", "139****1111", "137****2222"}

    _ws, system = sheet_rows(households_workbook(qs, title="t", viewer=None))
    assert system[0][8] == "13812341234"
    # A grid worker sees the phones of their own grid only.
    _ws, worker = sheet_rows(households_workbook(qs, title="t", viewer=street.worker_a1))
    assert [r[8] for r in worker] == ["13812341234", "13900001111", "137****2222"]


def test_export_queries_do_not_grow_with_households(street, tmp_path):
    rows = [["新村小区", None, f"{i % 4 + 1}栋", 1, 100 + i, 1, 60, f"户主{i}",
             13800000000 + i, 2] for i in range(40)]
    import_households(community=street.comm_a, file=write_xlsx(tmp_path / "x.xlsx", rows=rows),
                      acting_user=None)
    viewer = street.staff_a
    assert can(viewer, Perm.VIEW_PERSONAL_DATA, street.comm_a)  # loads the grants once

    def count(node):
        with CaptureQueriesContext(connection) as ctx:
            households_workbook(households_of(node), title="t", viewer=viewer)
        return len(ctx.captured_queries)

    assert count(street.grid_a1) == count(street.comm_a)


def test_export_then_import_round_trips(street, tmp_path):
    path = write_xlsx(tmp_path / "extra.xlsx", rows=[
        ["新村小区", None, "1栋", 2, "1202", -1, "123.45", "吴二", "0731-88886666", 0],
    ])
    import_households(community=street.comm_a, file=path, acting_user=street.staff_a)
    Household.objects.filter(room="1202").update(tenure=Tenure.VACANT)
    before = db_state()
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(households_workbook(
        households_of(street.comm_a).prefetch_related("residents"), title="活龙社区",
        viewer=street.staff_a))

    sheet = read_households(exported)
    assert sheet.errors == []
    parsed = {(r.building, r.unit, r.room): r for r in sheet.rows}
    for household in households_of(street.comm_a).select_related("building"):
        row = parsed[(household.building.name, household.unit, household.room)]
        head = household.head
        assert (row.floor, row.floor_area, row.member_count, row.tenure) == (
            household.floor, household.floor_area, household.member_count, household.tenure)
        assert (row.head_name, row.phone, row.id_number) == (head.name, head.phone,
                                                             head.id_number)

    summary = import_households(community=street.comm_a, file=exported,
                                acting_user=street.staff_a)
    assert (summary.rows, summary.created, summary.updated, summary.changed) == (4, 0, 4, 0)
    households, residents, areas, events = db_state()
    assert (households, residents, areas, events) == (*before[:3], before[3] + 1)


def test_a_masked_export_cannot_be_imported_back(street, tmp_path):
    exported = tmp_path / "masked.xlsx"
    exported.write_bytes(households_workbook(households_of(street.comm_a),
                                             title="t", viewer=street.street_staff))
    before = db_state()
    with pytest.raises(HouseholdImportError) as caught:
        import_households(community=street.comm_a, file=exported, acting_user=street.staff_a)
    assert {e.column for e in caught.value.errors} == {"联系电话", "身份证号"}
    assert {e.row for e in caught.value.errors} == {4, 5, 6}
    assert db_state() == before
