"""POST requests: the api_key, the case it files (area, category, source) and every error."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from PIL import Image

from gongzhi.cases.models import Case, CasePhoto, Source, Status
from gongzhi.core.models import AuditEvent
from gongzhi.open311.actions import revoke_client
from gongzhi.open311.tests.helpers import BASE, errors_of, fields, xml

IN_GRID_A1 = {"lat": "26.004", "long": "111.003"}  # grid A1 is [111.00, 111.01] × [26.00, 26.01]


def form(o311, **extra) -> dict:
    data = {"api_key": o311.key, "service_code": "road", **IN_GRID_A1,
            "description": "小区门口路面塌陷\n车辆无法通行", "first_name": "三", "last_name": "张",
            "phone": "13712345678", "email": "zhangsan@example.cn", "device_id": "abc"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_post_json_files_one_case_in_the_smallest_grid(client, o311):
    response = client.post(BASE + "requests.json", form(o311))
    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    case = Case.objects.get()
    assert answer["service_request_id"] == str(case.pk)
    assert answer["account_id"] is None
    assert case.reference in answer["service_notice"]
    assert case.area == o311.grid_a1
    assert case.handling_area == o311.comm_a
    assert case.category == o311.road
    assert case.source == Source.OPEN311
    assert case.status == Status.SUBMITTED
    assert (case.lat, case.lng) == (26.004, 111.003)
    assert case.title == "小区门口路面塌陷"
    assert case.description == "小区门口路面塌陷\n车辆无法通行"
    assert (case.reporter_name, case.reporter_phone) == ("张三", "13712345678")
    assert case.reporter_id is None and case.entered_by_id is None


def test_the_client_is_recorded_in_the_audit_log(client, o311):
    client.post(BASE + "requests.json", form(o311))
    case = Case.objects.get()
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert sorted(e.action for e in events) == ["cases.submit_case", "open311.file_request"]
    filed = events.get(action="open311.file_request")
    assert filed.actor is None
    assert filed.after["client"] == o311.client_obj.pk
    assert filed.after["client_name"] == "市民热线 App"
    assert o311.key not in str(filed.after)


def test_post_xml_answer(client, o311):
    response = client.post(BASE + "requests.xml", form(o311))
    root = xml(response)
    assert root.tag == "service_requests"
    [element] = root
    assert element.tag == "request"
    assert [child.tag for child in element] == ["service_request_id", "service_notice",
                                                "account_id"]
    answer = fields(element)
    assert answer.service_request_id == str(Case.objects.get().pk)
    assert answer.account_id is None


def test_address_id_is_a_building_code(client, o311):
    response = client.post(BASE + "requests.json", form(
        o311, lat=None, long=None, address_id="CA-G1-X1-B1", address_string="1栋2单元门口"))
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.area == o311.b1 and case.address == "1栋2单元门口"
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["address_id"] == "CA-G1-X1-B1"
    assert item["address"] == "1栋2单元门口"


def test_address_string_alone_goes_to_the_top_of_the_tree(client, o311):
    response = client.post(BASE + "requests.json", form(
        o311, lat=None, long=None, address_string="幸福路与和平路交叉口"))
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.area == o311.city and case.address == "幸福路与和平路交叉口"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "o311_not-a-real-key"])
def test_missing_or_invalid_key_is_403(client, o311, fmt, key):
    response = client.post(f"{BASE}requests.{fmt}", form(o311, api_key=key))
    assert response.status_code == 403
    [(status, description)] = errors_of(response, fmt)
    assert status == 403 and "api_key" in description
    assert not Case.objects.exists()


def test_revoked_key_is_403(client, o311):
    revoke_client(client=o311.client_obj, acting_user=None)
    response = client.post(BASE + "requests.json", form(o311))
    assert response.status_code == 403
    assert errors_of(response, "json")[0][0] == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("extra", "status", "word"), [
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "nothing"}, 404, "service_code"),
    ({"service_code": "municipal"}, 404, "service_code"),  # a group, not a service
    ({"lat": "26.5", "long": "111.5"}, 400, "grid"),  # outside every grid
    ({"lat": None, "long": None}, 400, "location"),
    ({"long": None}, 400, "lat"),
    ({"lat": "north", "long": "111.003"}, 400, "lat"),
    ({"lat": "95", "long": "111.003"}, 400, "lat"),
    ({"lat": "nan", "long": "111.003"}, 400, "lat"),
    ({"lat": None, "long": None, "address_id": "NOPE"}, 400, "address_id"),
    ({"description": "坑" * 4001}, 400, "description"),
    ({"address_string": "路" * 201}, 400, "address_string"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"phone": "call me"}, 400, "电话"),
])
def test_bad_requests_create_nothing(client, o311, fmt, extra, status, word):
    response = client.post(f"{BASE}requests.{fmt}", form(o311, **extra))
    assert response.status_code == status, response.content
    errors = errors_of(response, fmt)
    assert errors and all(code == status for code, _ in errors)
    assert any(word in description for _, description in errors), errors
    assert not Case.objects.exists()


def test_wrong_jurisdiction_on_post_is_404(client, o311, settings):
    settings.GONGZHI_OPEN311_JURISDICTION = "xingfu.example.cn"
    response = client.post(BASE + "requests.json", form(o311, jurisdiction_id="other.example"))
    assert response.status_code == 404
    assert not Case.objects.exists()
    response = client.post(BASE + "requests.json",
                           form(o311, jurisdiction_id="xingfu.example.cn"))
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_post_needs_no_csrf_token(o311):
    api = HttpClient(enforce_csrf_checks=True)
    response = api.post(BASE + "requests.json", form(o311))
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_description_is_optional(client, o311):
    response = client.post(BASE + "requests.json", form(o311, description=None))
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.title == "道路破损" and case.description == "道路破损"


def test_media_url_is_kept_as_a_link_not_fetched(client, o311):
    url = "https://img.example.cn/a.jpg"
    client.post(BASE + "requests.json", form(o311, media_url=url))
    case = Case.objects.get()
    assert url in case.description
    assert not CasePhoto.objects.exists()


def test_multipart_media_becomes_a_checked_photo(client, o311):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "blue").save(buffer, "PNG")
    photo = SimpleUploadedFile("hole.png", buffer.getvalue(), content_type="image/png")
    response = client.post(BASE + "requests.json", {**form(o311), "media": photo})
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    stored = case.photos.get()
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["media_url"] == f"http://testserver/cases/photos/{stored.pk}/"


def test_a_fake_photo_is_refused(client, o311):
    fake = SimpleUploadedFile("hole.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(BASE + "requests.json", {**form(o311), "media": fake})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_filed_request_is_readable_without_personal_data(client, o311):
    client.post(BASE + "requests.json", form(o311))
    case = Case.objects.get()
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests/{case.pk}.{fmt}").content.decode()
        assert "小区门口路面塌陷" in body
        for secret in ("张三", "13712345678", "zhangsan@example.cn", case.access_token):
            assert secret not in body
