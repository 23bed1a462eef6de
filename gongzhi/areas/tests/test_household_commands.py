"""gongzhi import-households / export-households."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.cli import main as gongzhi_cli
from gongzhi.core.models import AuditEvent

HEADER = ["小区", "网格", "楼栋", "单元", "房号", "楼层", "建筑面积", "户主", "联系电话", "人数"]


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["活龙社区住户表"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


def db_state():
    return (
        list(Household.objects.order_by("pk").values_list("pk", "floor", "floor_area")),
        list(Resident.objects.order_by("pk").values_list("pk", "name", "phone")),
        AreaNode.objects.count(),
        AuditEvent.objects.count(),
    )


GOOD = [
    ["新村小区", "第二网格", "1栋", 1, 101, 1, 60.5, "甲", 13800000001, 2],
    ["新村小区", "第二网格", "1栋", 1, 102, 1, 60.5, "乙", "138-0000-0002", 3],
]
BAD = [
    ["新村小区", None, "1栋", 1, 101, 1, 60, "甲", 13800000001, 2],
    ["新村小区", None, "1栋", 1, 102, 1, 60, "乙", "1381234", 2],
    ["新村小区", None, "1栋", 1, 103, "顶楼", 60, "丙", 13800000003, 2],
    ["新村小区", None, "1栋", 1, 101, 1, 60, "丁", 13800000004, 2],
]


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_acts_as_the_user(street, tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD)
    out, _err = run("import_households", path, "--community", "CA", "--user", "staff_a")
    assert "新增 2 户" in out and "good.xlsx" in out
    compound = AreaNode.objects.get(name="新村小区")
    assert compound.parent == street.grid_a2
    assert Household.objects.filter(building__parent=compound).count() == 2
    event = AuditEvent.objects.get(action="areas.import_households")
    assert event.actor == street.staff_a


def test_import_without_user_acts_as_the_system(street, tmp_path):
    rows = [[*row[:1], None, *row[2:]] for row in GOOD]  # community B has no grids
    run("import_households", write_xlsx(tmp_path / "good.xlsx", rows), community="CB")
    event = AuditEvent.objects.get(action="areas.import_households")
    assert event.actor is None and event.area_path == street.comm_b.path
    assert event.after["created"] == 2
    assert AreaNode.objects.get(name="新村小区").parent == street.comm_b


def test_import_errors_print_every_bad_row_and_change_nothing(street, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", BAD)
    before = db_state()
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_households", path, community="CA", stderr=err)
    assert caught.value.returncode == 1
    assert "3 处问题" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert lines[0].split() == ["行", "列", "问题"]
    table = {tuple(line.split()[:2]) for line in lines[1:]}
    assert table == {("4", "联系电话"), ("5", "楼层"), ("6", "房号")}
    assert "联系电话“1381234”不是有效的手机号或座机号" in err.getvalue()
    assert "第 3 行" in err.getvalue()
    assert db_state() == before


def test_cli_exits_with_status_1_on_errors(street, tmp_path, capsys, monkeypatch):
    path = write_xlsx(tmp_path / "bad.xlsx", BAD)
    # run_from_argv closes connections on the way out: that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    before = db_state()
    with pytest.raises(SystemExit) as caught:
        gongzhi_cli(["gongzhi", "import-households", path, "--community", "CA"])
    assert caught.value.code == 1
    assert "联系电话" in capsys.readouterr().err
    assert db_state() == before


def test_file_level_error_is_reported_without_a_traceback(street, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("just text", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_households", str(path), community="CA", stderr=err)
    assert "不是有效的 .xlsx" in err.getvalue()
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize(("args", "words"), [
    (["--community", "NOPE"], "NOPE"),
    (["--community", "S"], "“S”的社区"),  # a street is not a community
    (["--community", "CA", "--user", "ghost"], "ghost"),
    (["--community", "CA", "--user", "street"], "无权"),
    (["--community", "CA", "--user", "staff_b"], "无权"),
])
def test_import_refuses_unknown_community_or_user_and_missing_rights(street, tmp_path, args,
                                                                     words):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD)
    before = db_state()
    with pytest.raises(CommandError) as caught:
        run("import_households", path, *args)
    assert words in str(caught.value)
    assert db_state() == before


def test_import_of_a_missing_file(street, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("import_households", str(tmp_path / "nope.xlsx"), community="CA")
    assert "文件不存在" in str(caught.value)


def test_export_default_file_name_and_content(street, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, _err = run("export_households", community="CA")
    path = tmp_path / f"households-CA-{timezone.localdate():%Y%m%d}.xlsx"
    assert path.name in out
    ws = load_workbook(path).active
    assert ws["A1"].value == "活龙社区住户信息表"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [(r[2], r[4], r[7], r[8]) for r in rows] == [
        ("1栋", "101", "王秀英", "13812341234"),
        ("1栋", "201", "李建国", "13900001111"),
        ("1栋", "301", "张伟", "13700002222"),
    ]


def test_export_as_street_staff_masks_and_as_community_staff_does_not(street, tmp_path):
    masked, clear = tmp_path / "street.xlsx", tmp_path / "staff.xlsx"
    run("export_households", community="CA", output=str(masked), user="street")
    run("export_households", "-o", str(clear), community="CA", user="staff_a")
    masked_phones = [r[8] for r in load_workbook(masked).active.iter_rows(min_row=4,
                                                                        values_only=True)]
    clear_phones = [r[8] for r in load_workbook(clear).active.iter_rows(min_row=4,
                                                                      values_only=True)]
    assert masked_phones == ["138****1234", "139****1111", "137****2222"]
    assert clear_phones == ["13812341234", "13900001111", "13700002222"]


def test_export_refuses_a_user_without_access(street, tmp_path):
    target = tmp_path / "x.xlsx"
    with pytest.raises(CommandError) as caught:
        run("export_households", community="CA", user="staff_b", output=str(target))
    assert "无权" in str(caught.value)
    assert not target.exists()


def test_export_then_import_through_the_commands(street, tmp_path):
    Resident.objects.filter(pk=street.r1.pk).update(id_number="430102198001011233")
    exported = tmp_path / "ca.xlsx"
    run("export_households", community="CA", user="staff_a", output=str(exported))
    before = db_state()
    out, _err = run("import_households", str(exported), community="CA", user="staff_a")
    assert "新增 0 户、更新 3 户（其中 0 户有变化）" in out
    after = db_state()
    assert after[:3] == before[:3] and after[3] == before[3] + 1
