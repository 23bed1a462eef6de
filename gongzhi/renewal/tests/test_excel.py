"""Compound records in and out of .xlsx, with real workbooks written by openpyxl, and the
import action: all rows or none, every bad row reported."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from gongzhi.areas.models import AreaNode
from gongzhi.core.models import AuditEvent
from gongzhi.renewal import excel
from gongzhi.renewal.actions.records_import import import_compound_records
from gongzhi.renewal.excel import RecordImportError, read_records, records_workbook
from gongzhi.renewal.models import CompoundRecord, Management
from gongzhi.renewal.views_records import compounds_in_scope, record_lines

HEADER = [h for _k, h, _n in excel.COLUMNS]


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str = "小区档案.xlsx"):
        super().__init__(data)
        self.name = name


def sheet(rows, *, header=HEADER, title=True) -> Upload:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["幸福街道小区档案表"])
        ws.append(["说明"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return Upload(buffer.getvalue())


def state():
    """Everything an import may touch, to prove a failed one changed nothing."""
    return (list(CompoundRecord.objects.order_by("pk").values_list(
        "pk", "compound_id", "built_year", "floor_area", "management", "manager_id",
        "facilities", "problems", "updated_at")), AuditEvent.objects.count())


def run(upload, user, **kwargs):
    parsed = read_records(upload)
    return import_compound_records(rows=parsed.rows, acting_user=user,
                                   file_name=parsed.file_name, **kwargs)


def export(user) -> bytes:
    compounds = list(compounds_in_scope(user).select_related("renewal_record__manager")
                     .order_by("path"))
    return records_workbook(record_lines(compounds), title="小区档案表")


def errors_of(caught) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in caught.value.errors]


# --- export and round trip -------------------------------------------------------------------


def test_export_layout_counts_from_the_tree_and_records(renewal):
    ws = load_workbook(io.BytesIO(export(renewal.street_staff))).active
    assert [c.value for c in ws[3]] == HEADER
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"CA-G1-X1", "CA-G2-X1", "CB-X1"}
    code, name, community, year, buildings, households, area, management, *_rest, problems = \
        rows["CA-G1-X1"]
    assert (name, community, year, buildings, households) == ("铁路小区", "活龙社区", 1992, 1, 2)
    assert (Decimal(str(area)), management, problems) == (Decimal("3600.50"), "无人管理",
                                                           "雨污混流，楼道破损")
    assert rows["CB-X1"][1:7] == ("德鑫小区", "德鑫社区", None, 1, 1, None)
    staff_rows = load_workbook(io.BytesIO(export(renewal.staff_a))).active
    assert {r[0] for r in staff_rows.iter_rows(min_row=4, values_only=True)} == {
        "CA-G1-X1", "CA-G2-X1"}


def test_export_then_reimport_changes_exactly_what_was_edited(renewal):
    n = renewal
    wb = load_workbook(io.BytesIO(export(n.staff_a)))
    ws = wb.active
    by_code = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    ws.cell(by_code["CA-G1-X1"], 4).value = 1990                # built year
    ws.cell(by_code["CA-G1-X1"], 6).value = 999                 # households: ignored
    ws.cell(by_code["CA-G1-X1"], 8).value = "物业服务企业"
    ws.cell(by_code["CA-G1-X1"], 9).value = "铁路物业"          # serves the compound
    ws.cell(by_code["CA-G2-X1"], 4).value = "1985年"
    ws.cell(by_code["CA-G2-X1"], 11).value = "=屋面漏水"         # text, not a formula
    ws.cell(by_code["CA-G2-X1"], 11).data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    before = AuditEvent.objects.count()
    summary = run(Upload(buffer.getvalue()), n.staff_a)
    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (2, 1, 1, 0)
    n.record.refresh_from_db()
    assert (n.record.built_year, n.record.management, n.record.manager) == (
        1990, Management.PROPERTY, n.property_co)
    assert (n.record.floor_area, n.record.problems) == (Decimal("3600.50"), "雨污混流，楼道破损")
    second = CompoundRecord.objects.get(compound__code="CA-G2-X1")
    assert (second.built_year, second.problems, second.management) == (1985, "=屋面漏水",
                                                                        Management.NONE)
    [event] = AuditEvent.objects.filter(action="renewal.import_compound_records")
    assert AuditEvent.objects.count() == before + 1
    assert event.area_path == n.comm_a.path and event.after["updated"] == 1
    # The new export writes the text back as text, and importing it again changes nothing.
    again = run(Upload(export(n.staff_a)), n.staff_a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    ws = load_workbook(io.BytesIO(export(n.staff_a))).active
    assert {c.data_type for row in ws.iter_rows(min_row=4) for c in row} <= {"s", "n"}


def test_blank_rows_of_compounds_without_a_record_write_nothing(renewal):
    before = CompoundRecord.objects.count()
    summary = run(Upload(export(renewal.street_staff)), renewal.street_staff)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert CompoundRecord.objects.count() == before


def test_dry_run_checks_and_writes_nothing(renewal):
    before = state()
    summary = run(sheet([["CA-G2-X1", None, None, 1980]]), renewal.staff_a, dry_run=True)
    assert summary.created == 1 and summary.changes[0][0] == "CA-G2-X1"
    assert state() == before


# --- bad rows: all reported, nothing written -------------------------------------------------


def test_bad_rows_are_all_reported_and_nothing_is_written(renewal):
    before = state()
    upload = sheet([
        ["CA-G2-X1", "机务小区", None, 1988],                          # row 4: fine
        ["CA-G1-X1", "铁路小区", None, 2999],                          # row 5: future year
        ["CA-G1-X1", "铁路小区", None, 1990],                          # row 6: repeated code
        ["NOPE-1", "无名小区", None, 1990],                            # row 7: unknown code
        ["CB-X1", "德鑫小区", None, 1990],                             # row 8: other community
        ["CA-G2-X1-B1", "1栋", None, 1990],                            # row 9: not a compound
    ] + [[None] * 7 + ["大家管"]])                                      # row 10: no code
    with pytest.raises(RecordImportError) as caught:
        run(upload, renewal.staff_a)
    assert errors_of(caught) == [(5, "建成年份"), (6, "小区编码"), (7, "小区编码"),
                                 (8, "小区编码"), (9, "小区编码"), (10, "小区编码")]
    messages = [e.message for e in caught.value.errors]
    assert "1800" in messages[0] and "重复" in messages[1]
    assert "不在您管理的范围内" in messages[2] and messages[2].replace("NOPE-1", "CB-X1") \
        == messages[3]  # out of scope reads exactly like unknown
    assert state() == before


def test_unknown_management_manager_and_bad_cells(renewal):
    before = state()
    upload = sheet([
        ["CA-G1-X1", None, None, "一九九二", None, None, "-5", "大家管"],
        ["CA-G2-X1", None, None, None, None, None, "abc", None, "不存在的物业", "x" * 2001],
        ["CB-X1", None, None, "=1990+1"],
    ])
    with pytest.raises(RecordImportError) as caught:
        run(upload, renewal.street_staff)
    assert errors_of(caught) == [(4, "建成年份"), (4, "管理方式"), (5, "总建筑面积(m²)"),
                                 (5, "现有设施"), (6, "建成年份")]
    text = " ".join(e.message for e in caught.value.errors)
    assert "四位数字" in text and "无法识别" in text and "超过 2000 个字" in text
    assert "公式" in text
    assert state() == before
    with pytest.raises(RecordImportError) as caught:
        run(sheet([["CA-G1-X1", None, None, None, None, None, "-5"],
                   ["CA-G2-X1", None, None, None, None, None, None, None, "无名物业"]]),
            renewal.street_staff)
    assert errors_of(caught) == [(4, "总建筑面积(m²)"), (5, "管理单位")]
    assert "大于零" in caught.value.errors[0].message
    assert state() == before


def not_a_zip(_n) -> Upload:
    return Upload("小区编码,建成年份\nCA-G1-X1,1990\n".encode(), "a.xlsx")


def old_xls(_n) -> Upload:
    return Upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xlsx")


def no_code_column(_n) -> Upload:
    return sheet([["铁路小区", 1990]], header=["小区名称", "建成年份"])


def nothing_to_import(_n) -> Upload:
    return sheet([["CA-G1-X1", "铁路小区"]], header=["小区编码", "小区名称"])


def no_rows(_n) -> Upload:
    return sheet([])


@pytest.mark.parametrize(("make", "words"), [
    (not_a_zip, "不是有效的 .xlsx"), (old_xls, ".xls"), (no_code_column, "小区编码"),
    (nothing_to_import, "没有可导入的列"), (no_rows, "没有数据行"),
])
def test_unreadable_files_get_one_file_level_error(renewal, make, words):
    before = state()
    with pytest.raises(RecordImportError) as caught:
        run(make(renewal), renewal.staff_a)
    [error] = caught.value.errors
    assert error.row == 0 and words in error.message
    assert state() == before


def test_size_and_row_limits(renewal, monkeypatch):
    upload = sheet([["CA-G1-X1", None, None, 1990], ["CA-G2-X1", None, None, 1991]])
    monkeypatch.setattr(excel, "MAX_ROWS", 1)
    with pytest.raises(RecordImportError) as caught:
        read_records(upload)
    assert "超过 1 行" in caught.value.errors[0].message
    monkeypatch.setattr(excel, "MAX_BYTES", 100)
    with pytest.raises(RecordImportError) as caught:
        read_records(upload)
    assert "MB" in caught.value.errors[0].message


def test_totals_rows_are_skipped_and_headers_may_be_spelled_differently(renewal):
    upload = sheet([["CA-G2-X1", "机务小区", " 1991 ", 1200.5], ["合计", None, None, None]],
                   header=["编码", "小区", "建成年代", "建筑面积（平方米）"], title=False)
    summary = run(upload, renewal.staff_a)
    assert summary.created == 1
    record = CompoundRecord.objects.get(compound__code="CA-G2-X1")
    assert (record.built_year, record.floor_area) == (1991, Decimal("1200.50"))


def test_import_needs_manage_renewal(renewal):
    with pytest.raises(PermissionDenied):
        run(sheet([["CA-G1-X1", None, None, 1990]]), renewal.worker_a1)
    assert AreaNode.objects.filter(code="CA-G1-X1").exists()
