"""Compound records pages: who gets in, the list with live counts and filters, one record
with photos, and the records sheet out of and back into the console."""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from PIL import Image

from gongzhi.areas.actions import create_area
from gongzhi.areas.models import AreaKind
from gongzhi.core.models import AuditEvent
from gongzhi.renewal.excel import XLSX
from gongzhi.renewal.models import CompoundRecord, Photo
from gongzhi.renewal.tests.pages import html
from gongzhi.renewal.tests.test_excel import sheet, state

M = "/renewal/manage"
C1 = "CA-G1-X1"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(data: bytes, name: str = "档案.xlsx", kind: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


# --- who gets in -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [f"{M}/compounds/", f"{M}/compounds/{C1}/",
                                 f"{M}/compounds/export.xlsx", f"{M}/compounds/import/"])
def test_anonymous_goes_to_the_login(client, renewal, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(("who", "url", "status"), [
    ("resident", "compounds/", 403), ("worker_a1", "compounds/", 403),
    ("head_b1", "compounds/import/", 403), ("resident", f"compounds/{C1}/", 403),
    ("worker_a1", f"compounds/{C1}/", 403), ("staff_b", f"compounds/{C1}/", 404),
    ("staff_a", "compounds/CB-X1/", 404), ("staff_a", "compounds/NOPE/", 404),
    ("staff_a", "compounds/CA-G1-X1-B1/", 404),  # a building is no compound
    ("street_staff", f"compounds/{C1}/", 200), ("staff_a", f"compounds/{C1}/", 200),
    ("resident", "compounds/export.xlsx", 403),
])
def test_access(client, renewal, who, url, status):
    assert get(client, getattr(renewal, who), f"{M}/{url}").status_code == status


# --- the list --------------------------------------------------------------------------------


def test_list_shows_records_counts_and_projects_in_scope(client, renewal):
    response = get(client, renewal.staff_a, f"{M}/compounds/")
    rows = {r.line.code: r for r in response.context["rows"]}
    assert set(rows) == {C1, "CA-G2-X1"}
    first = rows[C1]
    assert (first.line.buildings, first.line.households, first.line.community) == (1, 2, "活龙社区")
    assert first.eligible and first.has_project and first.line.record.built_year == 1992
    assert rows["CA-G2-X1"].line.record is None and not rows["CA-G2-X1"].has_project
    page = html(response)
    assert "铁路小区" in page and "3600.50" in page and "已立项" in page and "未建档" in page
    street = get(client, renewal.street_staff, f"{M}/compounds/")
    assert {r.line.community for r in street.context["rows"]} == {"活龙社区", "德鑫社区"}


def test_filters_stay_in_the_url(client, renewal):
    def codes(query):
        response = get(client, renewal.street_staff, f"{M}/compounds/?{query}")
        return {r.line.code for r in response.context["rows"]}, html(response)

    assert codes("eligible=yes")[0] == {C1}
    assert codes("eligible=no")[0] == {"CA-G2-X1", "CB-X1"}
    assert codes("record=none")[0] == {"CA-G2-X1", "CB-X1"}
    assert codes("record=has")[0] == {C1}
    found, page = codes(f"community={renewal.comm_b.pk}")
    assert found == {"CB-X1"}
    assert f"export.xlsx?community={renewal.comm_b.pk}" in page
    assert codes("community=abc&eligible=maybe")[0] == {C1, "CA-G2-X1", "CB-X1"}


def test_list_queries_do_not_grow_with_compounds(client, renewal):
    client.force_login(renewal.street_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{M}/compounds/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(6):
        compound = create_area(kind=AreaKind.COMPOUND, code=f"CB-N{i}", name=f"新{i}小区",
                               parent=renewal.comm_b, acting_user=None)
        create_area(kind=AreaKind.BUILDING, code=f"CB-N{i}-B1", name="1栋", parent=compound,
                    acting_user=None)
    assert count() == small


# --- one record ------------------------------------------------------------------------------


def test_edit_a_record_with_photos(client, renewal):
    client.force_login(renewal.staff_a)
    before = AuditEvent.objects.count()
    response = client.post(f"{M}/compounds/{C1}/", {
        "built_year": "1988", "floor_area": "4000", "management": "property",
        "manager": renewal.property_co.pk, "facilities": "自行车棚", "problems": "管网老化",
        "photos": [SimpleUploadedFile("a.png", png(), content_type="image/png")]})
    assert response.status_code == 302 and response["Location"] == f"{M}/compounds/{C1}/"
    renewal.record.refresh_from_db()
    assert (renewal.record.built_year, str(renewal.record.floor_area),
            renewal.record.manager) == (1988, "4000.00", renewal.property_co)
    assert AuditEvent.objects.count() == before + 1
    [photo] = Photo.objects.filter(record=renewal.record)
    page = html(client.get(f"{M}/compounds/{C1}/"))
    assert "管网老化" in page and f"{M}/compounds/{C1}/photos/{photo.pk}/" in page
    image = client.get(f"{M}/compounds/{C1}/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    client.force_login(renewal.staff_b)
    assert client.get(f"{M}/compounds/{C1}/photos/{photo.pk}/").status_code == 404


def test_bad_input_is_shown_next_to_the_field_and_nothing_changes(client, renewal):
    client.force_login(renewal.staff_a)
    before = state()
    response = client.post(f"{M}/compounds/{C1}/", {"built_year": "2999",
                                                     "management": "none"})
    assert response.status_code == 400
    errors = " ".join(response.context["form"]["built_year"].errors)
    assert "建成年份须是 1800 年到今年之间" in errors
    response = client.post(f"{M}/compounds/{C1}/", {
        "built_year": "1990", "management": "none",
        "photos": [SimpleUploadedFile("a.png", b"not an image", content_type="image/png")]})
    assert response.status_code == 400
    assert "不是 JPEG、PNG 或 WebP 图片" in " ".join(response.context["form"]["photos"].errors)
    assert state() == before and not Photo.objects.exists()


# --- Excel out and back in -------------------------------------------------------------------


def test_export_download_holds_the_compounds_in_scope(client, renewal):
    response = get(client, renewal.staff_a, f"{M}/compounds/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "filename*=UTF-8''" + quote("活龙社区小区档案表-") in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert {r[0] for r in ws.iter_rows(min_row=4, values_only=True)} == {C1, "CA-G2-X1"}


def test_export_edit_and_upload_round_trip(client, renewal):
    client.force_login(renewal.staff_a)
    wb = load_workbook(io.BytesIO(client.get(f"{M}/compounds/export.xlsx").content))
    ws = wb.active
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "CA-G2-X1")
    ws.cell(row, 4).value, ws.cell(row, 8).value = 1979, "居民自管"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    before = state()
    check = client.post(f"{M}/compounds/import/", {"file": upload(data), "check": "1"})
    assert check.status_code == 200 and "检查通过，尚未导入" in html(check)
    assert state() == before
    response = client.post(f"{M}/compounds/import/", {"file": upload(data), "import": "1"})
    assert response.status_code == 302 and response["Location"] == f"{M}/compounds/"
    record = CompoundRecord.objects.get(compound__code="CA-G2-X1")
    assert (record.built_year, record.management) == (1979, "self")
    assert "新建档案 1 份" in html(client.get(f"{M}/compounds/"))


def test_bad_upload_lists_every_row_and_writes_nothing(client, renewal):
    client.force_login(renewal.staff_a)
    before = state()
    data = sheet([["CA-G2-X1", None, None, 2999], ["CB-X1", None, None, 1990]]).getvalue()
    response = client.post(f"{M}/compounds/import/", {"file": upload(data)})
    assert [(e.row, e.column) for e in response.context["errors"]] == [
        (4, "建成年份"), (5, "小区编码")]
    page = html(response)
    assert "没有导入任何数据" in page and "不在您管理的范围内" in page
    assert state() == before


def test_other_files_are_refused_and_nothing_is_written(client, renewal):
    client.force_login(renewal.staff_a)
    before = state()
    old = client.post(f"{M}/compounds/import/", {"file": upload(b"\xd0\xcf\x11\xe0", "a.xls")})
    assert "只能导入 .xlsx 文件" in html(old)
    fake = client.post(f"{M}/compounds/import/", {"file": upload(b"%PDF-1.4 not excel")})
    assert [e.row for e in fake.context["errors"]] == [0]
    assert "整个文件" in html(fake) and "不是有效的 .xlsx" in html(fake)
    assert "请选择要导入的 .xlsx 文件" in html(client.post(f"{M}/compounds/import/", {}))
    assert state() == before
