"""Area pages: who sees which node, households and masking, query counts, Excel in and out."""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from gongzhi.accounts.actions import grant_role
from gongzhi.areas.actions import create_area
from gongzhi.areas.models import AreaKind, AreaNode, Household, Resident
from gongzhi.areas.selectors import resident_card
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent
from gongzhi.core.permissions import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
B1, B2, B3 = "CA-G1-X1-B1", "CA-G2-X1-B1", "CB-X1-B1"
PHONE, MASKED = "13812341234", "138****1234"
ID_NUMBER, MASKED_ID = "110105194901011235", "110105********1235"


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


# --- who may open which page ---------------------------------------------------------------


def test_anonymous_is_sent_to_login_for_every_staff_page(client, street):
    for url in ["/areas/", "/areas/CA/", "/areas/CA/import/", "/areas/CA/export.xlsx",
                f"/areas/{B1}/qr/", f"/areas/{B1}/qr.png", f"/areas/{B1}/qr.svg"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_browser_redirects_a_single_root_and_lists_several(client, street):
    assert get(client, street.staff_a, "/areas/")["Location"] == "/areas/CA/"
    assert get(client, street.worker_a1, "/areas/")["Location"] == "/areas/CA-G1/"
    both = make_user("two_communities")
    for area in (street.comm_a, street.comm_b):
        grant_role(user=both, role=Role.COMMUNITY_STAFF, area=area, acting_user=None)
    response = get(client, both, "/areas/")
    assert response.status_code == 200
    assert [r.code for r in response.context["roots"]] == ["CA", "CB"]
    assert 'href="/areas/CA/"' in html(response) and 'href="/areas/CB/"' in html(response)


def test_browser_for_a_user_without_any_area(client, street):
    response = get(client, make_user("nobody"), "/areas/")
    assert response.status_code == 200
    assert "还没有分配辖区" in html(response)


@pytest.mark.parametrize(("who", "code", "status"), [
    ("staff_a", "CA", 200), ("staff_a", B1, 200), ("staff_a", "CB", 404), ("staff_a", "S", 404),
    ("staff_b", "CA", 404), ("staff_b", B3, 200),
    ("worker_a1", "CA-G1", 200), ("worker_a1", B1, 200), ("worker_a1", "CA-G2", 404),
    ("worker_a1", "CA", 404), ("worker_a1", "CB", 404),
    ("street_staff", "S", 200), ("street_staff", "CB", 200), ("street_staff", "D", 404),
    ("resident", B1, 200), ("resident", "CA-G1-X1", 404),
    ("property_member", "CA-G1-X1", 200), ("property_member", B2, 404),
    ("admin", "C", 200), ("staff_a", "NO-SUCH-CODE", 404),
])
def test_node_page_only_inside_the_view_scope(client, street, who, code, status):
    assert get(client, getattr(street, who), f"/areas/{code}/").status_code == status


def test_out_of_scope_looks_exactly_like_a_missing_node(client, street):
    hidden = get(client, street.worker_a1, "/areas/CB/")
    missing = get(client, street.worker_a1, "/areas/NO-SUCH-CODE/")
    assert hidden.status_code == missing.status_code == 404
    assert "德鑫社区" not in html(hidden)
    assert main(hidden) == main(missing)


def test_node_page_children_counts_and_facts(client, street):
    response = get(client, street.staff_a, "/areas/CA/")
    rows = [(c.node.name, c.households, c.residents) for c in response.context["children"]]
    assert rows == [("第一网格", 2, 2), ("第二网格", 1, 1)]
    assert response.context["totals"] == (3, 3)
    page = html(response)
    assert '<a href="/areas/CA-G1/">第一网格</a>' in page
    assert 'href="/areas/CA/export.xlsx"' in page and 'href="/areas/CA/import/"' in page


def test_breadcrumb_links_only_what_the_user_may_open(client, street):
    page = html(get(client, street.worker_a1, f"/areas/{B1}/"))
    crumbs = page[page.index('class="breadcrumbs"'):page.index("</nav>", page.index("breadcrumbs"))]
    for name in ["示范市", "示范区", "幸福街道", "活龙社区", "第一网格", "铁路小区"]:
        assert name in crumbs
    assert 'href="/areas/CA/"' not in crumbs and 'href="/areas/S/"' not in crumbs
    assert '<a href="/areas/CA-G1/">第一网格</a>' in crumbs


def test_households_and_counts_need_view_households(client, street):
    # The property company's member sees the compound but not who lives there.
    response = get(client, street.property_member, f"/areas/{B1}/")
    assert response.status_code == 200
    assert response.context["households"] is None
    assert "王秀英" not in html(response) and "138" not in html(response)
    assert 'export.xlsx' not in html(response)
    compound = get(client, street.property_member, "/areas/CA-G1-X1/")
    assert compound.context["sees_households"] is False
    assert "住户数" not in html(compound)


def test_a_resident_sees_only_their_own_household(client, street):
    response = get(client, street.resident, f"/areas/{B1}/")
    rows = response.context["households"]["rows"]
    assert [row.household.pk for row in rows] == [street.h2.pk]
    page = html(response)
    assert "13900001111" in page  # their own phone, in clear
    assert "王秀英" not in page and PHONE not in page and MASKED not in page
    # Were a neighbour's card ever shown to them, it would be masked.
    card = resident_card(street.resident, street.r1)
    assert (card.phone, card.id_number, card.masked) == (MASKED, MASKED_ID, True)


@pytest.mark.parametrize(("who", "shown", "hidden"), [
    ("worker_a1", PHONE, MASKED), ("staff_a", PHONE, MASKED), ("head_b1", PHONE, MASKED),
    ("street_staff", MASKED, PHONE), ("district_staff", MASKED, PHONE),
])
def test_phone_and_id_masked_unless_entitled(client, street, who, shown, hidden):
    page = html(get(client, getattr(street, who), f"/areas/{B1}/"))
    assert "王秀英" in page and "独居老人" in page and "88.50" in page
    assert shown in page and hidden not in page
    id_shown, id_hidden = (ID_NUMBER, MASKED_ID) if shown == PHONE else (MASKED_ID, ID_NUMBER)
    assert id_shown in page and id_hidden not in page


def test_community_page_lists_households_of_the_whole_subtree(client, street):
    page = html(get(client, street.staff_a, "/areas/CA/"))
    for text in ["铁路小区 1栋", "机务小区 1栋", "王秀英", "张伟", PHONE, "13700002222"]:
        assert text in page
    assert "刘芳" not in page  # community B


# --- performance ---------------------------------------------------------------------------


def bulk_households(building: AreaNode, count: int, start: int = 1000) -> None:
    households = Household.objects.bulk_create([
        Household(building=building, area_path=building.path, unit="9", room=str(start + i),
                  floor=1 + i % 30)
        for i in range(count)
    ], batch_size=1000)
    Resident.objects.bulk_create([
        Resident(household=h, name=f"住户{h.room}", phone=f"139{int(h.room):08d}", is_head=True)
        for h in households
    ], batch_size=1000)


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_street_page_with_5000_households_stays_a_handful_of_queries(
        client, street, django_assert_max_num_queries):
    client.force_login(street.street_staff)
    small = query_count(client, "/areas/S/")
    bulk_households(street.b1, 3000)
    bulk_households(street.b3, 2000)
    with django_assert_max_num_queries(20):
        response = client.get("/areas/S/")
    assert query_count(client, "/areas/S/") == small
    rows = [(c.node.code, c.households, c.residents) for c in response.context["children"]]
    assert rows == [("CA", 3003, 3003), ("CB", 2001, 2001)]
    assert response.context["totals"] == (5004, 5004)
    assert len(response.context["households"]["rows"]) == 50


def test_households_list_pages_by_keyset_without_gaps_or_repeats(
        client, street, django_assert_max_num_queries):
    bulk_households(street.b1, 118)  # 120 in the building
    client.force_login(street.staff_a)
    url, seen, pages = f"/areas/{B1}/", [], 0
    while url:
        with django_assert_max_num_queries(20):
            response = client.get(url)
        households = response.context["households"]
        seen += [row.household.pk for row in households["rows"]]
        pages += 1
        url = f"/areas/{B1}/{households['next_url']}" if households["next_url"] else ""
    expected = list(Household.objects.filter(building=street.b1)
                    .order_by("area_path", "unit", "room", "id").values_list("pk", flat=True))
    assert pages == 3 and seen == expected


def test_households_search_by_room_or_head_name(client, street):
    client.force_login(street.staff_a)
    by_name = client.get("/areas/CA/", {"q": "王秀英"}).context["households"]["rows"]
    by_room = client.get("/areas/CA/", {"q": "201"}).context["households"]["rows"]
    nothing = client.get("/areas/CA/", {"q": "刘芳"})  # lives in community B
    assert [r.household.pk for r in by_name] == [street.h1.pk]
    assert [r.household.pk for r in by_room] == [street.h2.pk]
    assert nothing.context["households"]["rows"] == []
    assert "没有符合条件的住户" in html(nothing)


def test_a_bad_or_foreign_cursor_starts_from_the_first_page(client, street):
    client.force_login(street.staff_a)
    for after in ["abc", "-3", str(street.h4.pk)]:  # h4 is in community B
        response = client.get("/areas/CA/", {"after": after})
        assert response.status_code == 200
        assert [r.household.pk for r in response.context["households"]["rows"]] == [
            street.h1.pk, street.h2.pk, street.h3.pk]


# --- import --------------------------------------------------------------------------------


def workbook(rows, header=("小区", "楼栋", "单元", "房号", "楼层", "户主", "联系电话")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "住户.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def state():
    return (list(Household.objects.order_by("pk").values_list("pk", "room", "floor")),
            list(Resident.objects.order_by("pk").values_list("pk", "name", "phone")),
            AuditEvent.objects.count())


@pytest.mark.parametrize(("who", "code", "status"), [
    ("staff_a", "CA", 200), ("admin", "CA", 200),
    ("street_staff", "CA", 403), ("worker_a1", "CA-G1", 404), ("worker_a1", "CA", 404),
    ("staff_b", "CA", 404), ("staff_a", B1, 404), ("staff_a", "CA-G1", 404),
])
def test_import_page_needs_manage_households_on_a_community(client, street, who, code, status):
    assert get(client, getattr(street, who), f"/areas/{code}/import/").status_code == status


def test_import_with_bad_rows_lists_every_one_and_changes_nothing(client, street):
    before = state()
    data = workbook([
        ["铁路小区", "1栋", "1", "301", 3, "赵敏", "13800000001"],   # row 2: fine
        ["铁路小区", "1栋", "1", "", 4, "孙丽", "13800000003"],       # row 3: no room
        ["铁路小区", "1栋", "1", "302", "三十", "钱多", "1380"],     # row 4: floor and phone
    ])
    client.force_login(street.staff_a)
    response = client.post("/areas/CA/import/", {"file": upload(data)})
    assert response.status_code == 200
    found = [(e.row, e.column) for e in response.context["errors"]]
    assert found == [(3, "房号"), (4, "楼层"), (4, "联系电话")]
    page = html(response)
    assert "没有导入任何数据" in page and "Nothing was imported" in page
    for error in response.context["errors"]:
        assert escape(error.message) in page and escape(error.message_en) in page
    assert state() == before


def test_import_refuses_other_file_types_and_changes_nothing(client, street):
    before = state()
    client.force_login(street.staff_a)
    old = client.post("/areas/CA/import/", {"file": upload(b"\xd0\xcf\x11\xe0rest", "a.xls")})
    assert "只能导入 .xlsx 文件" in html(old)
    fake = client.post("/areas/CA/import/", {"file": upload(b"not a zip at all")})
    assert [e.row for e in fake.context["errors"]] == [0]
    assert "整个文件" in html(fake) and "不是有效的 .xlsx" in html(fake)
    missing = client.post("/areas/CA/import/", {})
    assert "请选择要导入的 .xlsx 文件" in html(missing)
    assert state() == before


def test_import_size_limit(client, street, monkeypatch):
    monkeypatch.setattr("gongzhi.areas.forms.MAX_BYTES", 100)
    client.force_login(street.staff_a)
    response = client.post("/areas/CA/import/", {"file": upload(b"x" * 101)})
    assert "文件超过" in html(response)
    assert response.context["errors"] is None


def test_good_import_creates_and_updates_then_redirects_with_counts(client, street):
    data = workbook([
        ["铁路小区", "1栋", "1", "301", 3, "赵敏", "13800000001"],
        ["铁路小区", "1栋", "1", "101", 1, "王秀英", "13812341234"],  # exists: updated
    ])
    client.force_login(street.staff_a)
    response = client.post("/areas/CA/import/", {"file": upload(data)})
    assert response.status_code == 302 and response["Location"] == "/areas/CA/"
    new = Household.objects.get(building=street.b1, unit="1", room="301")
    assert (new.floor, new.residents.get().phone) == (3, "13800000001")
    assert AuditEvent.objects.filter(action="areas.import_households").count() == 1
    page = html(client.get("/areas/CA/"))
    assert "新增 1 户" in page and "更新 1 户" in page and "赵敏" in page


def test_import_post_needs_the_csrf_token(street):
    client = Client(enforce_csrf_checks=True)
    client.force_login(street.staff_a)
    before = state()
    data = workbook([["铁路小区", "1栋", "1", "301", 3, "赵敏", "13800000001"]])
    response = client.post("/areas/CA/import/", {"file": upload(data)})
    assert response.status_code == 403
    assert state() == before


# --- export --------------------------------------------------------------------------------


def export_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_export_download_with_chinese_file_name(client, street):
    response = get(client, street.staff_a, "/areas/CA/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="households-CA-')
    assert "filename*=UTF-8''" + quote("活龙社区住户信息表-") in disposition
    rows = export_rows(response)
    assert sorted(r[4] for r in rows) == ["101", "201", "301"]
    assert PHONE in [r[8] for r in rows]


def test_export_masks_for_viewers_without_personal_data(client, street):
    rows = export_rows(get(client, street.street_staff, "/areas/CA/export.xlsx"))
    phones = [r[8] for r in rows]
    assert MASKED in phones and PHONE not in phones


@pytest.mark.parametrize(("who", "code", "status"), [
    ("worker_a1", "CA-G1", 200), ("worker_a1", "CA", 404), ("staff_b", "CA", 404),
    ("property_member", "CA-G1-X1", 403), ("resident", B1, 403),
])
def test_export_needs_view_households(client, street, who, code, status):
    assert get(client, getattr(street, who), f"/areas/{code}/export.xlsx").status_code == status


# --- QR codes ---------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    ("staff_a", 200), ("worker_a1", 200), ("head_b1", 200), ("street_staff", 200),
    ("worker_a2", 404), ("staff_b", 404), ("resident", 403), ("property_member", 403),
])
def test_qr_only_for_staff_who_see_the_building(client, street, who, status):
    client.force_login(getattr(street, who))
    for suffix in ["qr.png", "qr.svg", "qr/"]:
        assert client.get(f"/areas/{B1}/{suffix}").status_code == status, suffix


def test_qr_only_for_buildings(client, street):
    client.force_login(street.staff_a)
    for suffix in ["qr.png", "qr.svg", "qr/"]:
        assert client.get(f"/areas/CA-G1-X1/{suffix}").status_code == 404


def test_qr_sheet_names_the_building_in_full(client, street):
    page = html(get(client, street.staff_a, f"/areas/{B1}/qr/"))
    assert "活龙社区 · 铁路小区 · 1栋" in page
    assert f'src="/areas/{B1}/qr.svg"' in page
    assert f"http://testserver/r/{B1}/" in page


# --- the map on the node page --------------------------------------------------------------


def test_map_draws_children_with_boundaries_only(client, street):
    create_area(kind=AreaKind.GRID_SMALL, code="CA-G3", name="第三网格", parent=street.comm_a,
                acting_user=None)
    response = get(client, street.staff_a, "/areas/CA/")
    assert len(response.context["children"]) == 3
    svg = str(response.context["map_svg"])
    assert svg.count('<a href="/areas/CA-G1/"') == 1 and svg.count('<a href="/areas/CA-G2/"') == 1
    assert "CA-G3" not in svg and "第三网格" not in svg
    assert "第一网格：2 户，2 人" in svg  # tooltip, coloured by households


def test_map_by_kind_and_no_map_without_boundaries(client, street):
    client.force_login(street.staff_a)
    by_kind = str(client.get("/areas/CA/", {"map": "kind"}).context["map_svg"])
    assert "大网格" in by_kind and "第一网格（大网格）" in by_kind
    assert client.get(f"/areas/{B1}/").context["map_svg"] == ""

