"""Excel export of the ledger: the layout handed upward, filters, masking, the row cap."""

import io

from openpyxl import load_workbook

from gongzhi.cases import actions, ledger_export
from gongzhi.cases.models import Source

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAYOUT = ["序号", "受理编号", "上报时间", "来源", "分类", "位置", "问题描述", "承办单位", "状态",
          "办结时限", "办结时间", "评价"]


def export(client, user, query=""):
    client.force_login(user)
    return client.get("/cases/export.xlsx" + query)


def rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def by_reference(table) -> dict[str, dict]:
    head = table[1]
    return {r[1]: dict(zip(head, r, strict=True)) for r in table[2:]}


def test_layout_and_values(client, ledger):
    n = ledger
    case = n.new_case("resolved", title="路面坑洼", to_org=n.dept)
    table = rows(export(client, n.staff_a))
    assert "问题台账" in table[0][0]
    assert table[1][:12] == LAYOUT and table[1][12:] == ["反映人", "联系电话"]
    row = by_reference(table)[case.reference]
    assert row["序号"] == 1
    assert row["来源"] == "居民上报" and row["分类"] == "市政设施 › 道路破损"
    assert row["位置"] == "铁路小区 1栋"
    assert row["问题描述"].startswith("路面坑洼：小区门口道路破损")
    assert row["承办单位"] == "城管执法中队" and row["状态"] == "已办结"
    assert row["办结时限"] and row["办结时间"]
    assert "attachment;" in export(client, n.staff_a)["Content-Disposition"]


def test_export_follows_the_filters_and_the_scope(client, ledger):
    n = ledger
    open_a = n.new_case("dispatched", title="在办的")
    done_a = n.new_case("resolved", title="办完的")
    in_b = actions.submit_case(title="德鑫", description="德鑫社区的问题", area=n.b3,
                               source=Source.HOTLINE, acting_user=n.staff_b)
    refs = set(by_reference(rows(export(client, n.staff_a, "?status=open"))))
    assert refs == {open_a.reference}
    refs = set(by_reference(rows(export(client, n.staff_a))))
    assert refs == {open_a.reference, done_a.reference}  # community B is not staff_a's
    assert in_b.reference in set(by_reference(rows(export(client, n.street_staff))))


def test_phone_masked_unless_entitled_on_the_case_area(client, ledger):
    n = ledger
    in_a = actions.submit_case(title="热线", description="热线来电反映问题", area=n.b1,
                               source=Source.HOTLINE, acting_user=n.staff_a,
                               reporter_name="孙先生", reporter_phone="13812345678")
    in_b = actions.submit_case(title="热线B", description="热线来电反映问题", area=n.b3,
                               source=Source.HOTLINE, acting_user=n.staff_b,
                               reporter_name="周女士", reporter_phone="13787654321")
    # Community staff see phones in their community.
    assert by_reference(rows(export(client, n.staff_a)))[in_a.reference]["联系电话"] == \
        "13812345678"
    # Street staff oversee without personal data: every phone masked.
    street = by_reference(rows(export(client, n.street_staff)))
    assert street[in_a.reference]["联系电话"] == "138****5678"
    assert street[in_b.reference]["联系电话"] == "137****4321"
    assert street[in_a.reference]["反映人"] == "孙先生"
    # One viewer, two areas: entitled in one only.
    from gongzhi.accounts.actions import grant_role
    from gongzhi.core.permissions import Role

    grant_role(user=n.street_staff, role=Role.COMMUNITY_STAFF, area=n.comm_b, acting_user=None)
    n.street_staff._gongzhi_grants = None
    mixed = by_reference(rows(export(client, n.street_staff)))
    assert mixed[in_b.reference]["联系电话"] == "13787654321"
    assert mixed[in_a.reference]["联系电话"] == "138****5678"


def test_row_cap_refuses_with_a_clear_message(client, ledger, monkeypatch):
    n = ledger
    for i in range(4):
        n.new_case(title=f"问题{i}")
    monkeypatch.setattr(ledger_export, "MAX_ROWS", 3)
    response = export(client, n.staff_a, "?status=submitted")
    assert response.status_code == 302
    assert response["Location"] == "/cases/?status=submitted"
    page = client.get(response["Location"]).content.decode()
    assert "超过 3 件，请缩小筛选范围" in page
    monkeypatch.setattr(ledger_export, "MAX_ROWS", 4)
    assert len(rows(export(client, n.staff_a))) == 2 + 4


def test_chunks_walk_every_row_once(ledger, monkeypatch):
    n = ledger
    made = [n.new_case(title=f"问题{i}").reference for i in range(7)]
    monkeypatch.setattr(ledger_export, "CHUNK", 3)
    from gongzhi.cases.selectors import cases_visible_to

    data = ledger_export.workbook(cases_visible_to(n.staff_a), viewer=n.staff_a)
    table = [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert [r[1] for r in table[2:]] == list(reversed(made))
    assert [r[0] for r in table[2:]] == list(range(1, 8))
