"""GET requests and GET a request: filters, status mapping, representation, privacy, XML."""

import io
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.cases import actions
from gongzhi.cases.models import Source
from gongzhi.open311 import selectors
from gongzhi.open311.tests.helpers import BASE, errors_of, fields, xml

REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]
W3 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
OPEN = ["submitted", "accepted", "dispatched", "in_progress", "escalated"]
CLOSED = ["resolved", "archived", "rejected"]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def by_status(o311):
    """One case in each status (merging also leaves its survivor, a submitted case)."""
    return {status: o311.new_case(status) for status in OPEN + CLOSED + ["merged"]}


def test_status_maps_to_open_and_closed(client, by_status):
    listed = {r["service_request_id"]: r["status"] for r in client.get(
        BASE + "requests.json").json()}
    for status, case in by_status.items():
        assert listed[str(case.pk)] == ("open" if status in OPEN else "closed"), status


def test_status_filter(client, by_status):
    open_ids = {str(c.pk) for s, c in by_status.items() if s in OPEN}
    closed_ids = {str(c.pk) for s, c in by_status.items() if s not in OPEN}
    survivor = str(by_status["merged"].merged_into_id)
    assert set(ids(client.get(BASE + "requests.json", {"status": "open"}))) == open_ids | {
        survivor}
    assert set(ids(client.get(BASE + "requests.json", {"status": "closed"}))) == closed_ids
    both = set(ids(client.get(BASE + "requests.json", {"status": "open,closed"})))
    assert both == open_ids | closed_ids | {survivor}
    # Declared several times, like comma delimited.
    again = client.get(BASE + "requests.json?status=closed&status=open")
    assert set(ids(again)) == both
    # An empty optional argument is the same as none.
    assert set(ids(client.get(BASE + "requests.json", {"status": ""}))) == both


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_status_is_400(client, o311, fmt):
    response = client.get(f"{BASE}requests.{fmt}", {"status": "pending"})
    assert response.status_code == 400
    [(status, description)] = errors_of(response, fmt)
    assert status == 400 and "status" in description


def test_service_code_filter(client, o311):
    road = o311.new_case("accepted", category=o311.road)
    light = o311.new_case("accepted", category=o311.light)
    garbage = o311.new_case("accepted", category=o311.garbage)
    o311.new_case("submitted")  # not yet classified: no service code
    assert ids(client.get(BASE + "requests.json", {"service_code": "road"})) == [str(road.pk)]
    both = ids(client.get(BASE + "requests.json", {"service_code": "street_light,garbage"}))
    assert set(both) == {str(light.pk), str(garbage.pk)}
    assert ids(client.get(BASE + "requests.json", {"service_code": "unknown"})) == []


def test_default_window_is_the_last_90_days(client, o311):
    now = timezone.now()
    recent = o311.new_case(created_at=now - timedelta(days=10))
    old = o311.new_case(created_at=now - timedelta(days=100))
    assert ids(client.get(BASE + "requests.json")) == [str(recent.pk)]
    window = {"start_date": (now - timedelta(days=120)).isoformat(),
              "end_date": (now - timedelta(days=40)).isoformat()}
    assert ids(client.get(BASE + "requests.json", window)) == [str(old.pk)]
    # Only a start: 90 days from it.
    start_only = {"start_date": (now - timedelta(days=101)).isoformat()}
    assert ids(client.get(BASE + "requests.json", start_only)) == [str(old.pk)]
    # Only an end: 90 days up to it.
    end_only = {"end_date": (now - timedelta(days=5)).isoformat()}
    assert ids(client.get(BASE + "requests.json", end_only)) == [str(recent.pk)]


def test_w3_dates_utc_offsets_and_whole_days(client, o311):
    moment = datetime.fromisoformat("2026-03-10T12:00:00+08:00")
    case = o311.new_case(created_at=moment)
    inside = [
        {"start_date": "2026-03-10T03:59:00Z", "end_date": "2026-03-10T04:01:00Z"},
        {"start_date": "2026-03-10T11:59:00+08:00", "end_date": "2026-03-10T12:00:00+08:00"},
        {"start_date": "2026-03-10", "end_date": "2026-03-10"},
        {"start_date": "2026-03-10T11:59:59.5+08:00", "end_date": "2026-03-11T00:00+08:00"},
    ]
    for window in inside:
        assert ids(client.get(BASE + "requests.json", window)) == [str(case.pk)], window
    outside = {"start_date": "2026-03-10T04:00:01Z", "end_date": "2026-03-11T00:00:00Z"}
    assert ids(client.get(BASE + "requests.json", outside)) == []
    # A "+" left unencoded in a query string arrives as a space.
    raw = "start_date=2026-03-10T11:00:00+08:00&end_date=2026-03-10T13:00:00+08:00"
    assert ids(client.get(BASE + "requests.json?" + raw)) == [str(case.pk)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("window", [
    {"start_date": "yesterday"},
    {"start_date": "2026-03-10T12:00:00"},  # no time zone
    {"end_date": "2026-02-30T00:00:00Z"},
    {"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},  # > 90 days
])
def test_bad_dates_are_400(client, o311, fmt, window):
    response = client.get(f"{BASE}requests.{fmt}", window)
    assert response.status_code == 400
    [(status, description)] = errors_of(response, fmt)
    assert status == 400 and description


def test_service_request_id_overrides_every_other_argument(client, o311):
    old = o311.new_case("rejected", created_at=timezone.now() - timedelta(days=200))
    recent = o311.new_case("submitted")
    query = {"service_request_id": f"{recent.pk},{old.pk},999999,abc", "status": "open",
             "service_code": "garbage"}
    assert ids(client.get(BASE + "requests.json", query)) == [str(recent.pk), str(old.pk)]


def test_newest_first_and_at_most_the_limit(client, o311, monkeypatch):
    assert selectors.MAX_REQUESTS == 1000  # the spec's default query limit
    now = timezone.now()
    cases = [o311.new_case(created_at=now - timedelta(hours=h)) for h in range(5)]
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 3)
    assert ids(client.get(BASE + "requests.json")) == [str(c.pk) for c in cases[:3]]


def test_single_request_json_is_an_array_of_one(client, o311):
    case = o311.new_case("dispatched", category=o311.road)
    case = actions.resolve_case(case=case, result="已修复路面", acting_user=o311.dept_member,
                                photos=[jpeg()])
    response = client.get(f"{BASE}requests/{case.pk}.json")
    assert response.status_code == 200
    [item] = response.json()
    assert list(item) == REQUEST_FIELDS
    case.refresh_from_db()
    assert item["service_request_id"] == str(case.pk)
    assert item["status"] == "closed"
    assert item["status_notes"] == "已修复路面"
    assert (item["service_code"], item["service_name"]) == ("road", "道路破损")
    assert item["agency_responsible"] == "城管执法中队"
    assert item["address_id"] == "CA-G1-X1-B1"
    assert item["address"] == "1栋, 铁路小区, 活龙社区, 幸福街道, 示范区, 示范市"
    assert item["zipcode"] is None
    for name, moment in (("requested_datetime", case.created_at),
                         ("updated_datetime", case.resolved_at),
                         ("expected_datetime", case.resolution_due)):
        assert W3.match(item[name]), item[name]
        assert datetime.fromisoformat(item[name]) == moment.replace(microsecond=0), name
    photo = case.photos.get()
    assert item["media_url"] == f"http://testserver/cases/photos/{photo.pk}/"


def test_media_url_shows_the_photo_only_to_those_who_may_see_the_case(client, o311):
    case = actions.submit_case(
        title="井盖缺失", description="井盖缺失", area=o311.b1, source=Source.RESIDENT_PAGE,
        acting_user=o311.resident, photos=[jpeg()],
    )
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    path = item["media_url"].removeprefix("http://testserver")
    assert client.get(path).status_code == 404  # the public reader
    client.force_login(o311.staff_a)
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == case.photos.get().image.read()


def test_single_request_xml(client, o311):
    case = o311.new_case("in_progress", category=o311.garbage, to_org=o311.property_co)
    root = xml(client.get(f"{BASE}requests/{case.pk}.xml"))
    assert root.tag == "service_requests"
    [element] = root
    assert element.tag == "request"
    assert [child.tag for child in element] == REQUEST_FIELDS
    item = fields(element)
    assert (item.service_request_id, item.status, item.service_code) == (str(case.pk), "open",
                                                                         "garbage")
    assert item.agency_responsible == "铁路物业"
    assert item.status_notes == "办理中"
    assert case.reference in item.service_notice
    assert item.lat is None and item.media_url is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("request_id", ["999999", "abc", "12345678901234567890"])
def test_unknown_request_is_404(client, o311, fmt, request_id):
    response = client.get(f"{BASE}requests/{request_id}.{fmt}")
    assert response.status_code == 404
    [(status, description)] = errors_of(response, fmt)
    assert status == 404 and "service_request_id" in description


def test_rejected_and_merged_explain_why(client, by_status):
    notes = {r["service_request_id"]: r["status_notes"]
             for r in client.get(BASE + "requests.json").json()}
    assert "不属于受理范围" in notes[str(by_status["rejected"].pk)]
    merged = by_status["merged"]
    assert str(merged.merged_into_id) in notes[str(merged.pk)]


def test_no_personal_data_in_any_output(client, o311):
    hotline = actions.submit_case(
        title="楼道灯坏了", source=Source.HOTLINE, acting_user=o311.staff_a, area=o311.b1,
        description="王秀英来电：楼道灯坏了，电话13812341234，身份证110105194901011235",
        reporter_name="王秀英", reporter_phone="13812341234", category=o311.light,
    )
    resident = o311.new_case("resolved")  # by 李建国, phone 13900001111
    secrets = ["王秀英", "13812341234", "110105194901011235", "李建国", "13900001111",
               hotline.access_token, resident.access_token]
    urls = [f"requests/{hotline.pk}", f"requests/{resident.pk}", "requests"]
    for url in urls:
        for fmt in ("json", "xml"):
            body = client.get(f"{BASE}{url}.{fmt}").content.decode()
            assert str(hotline.pk) in body or str(resident.pk) in body
            for secret in secrets:
                assert secret not in body, (url, fmt, secret)
    [item] = client.get(f"{BASE}requests/{hotline.pk}.json").json()
    assert "138****1234" in item["description"]
    assert "110105********1235" in item["description"]
    assert item["description"].startswith("王*英来电")


def test_xml_escapes_markup_and_drops_characters_xml_cannot_hold(client, o311):
    case = actions.submit_case(
        title="<b>坏了</b>", description='路灯 <script>alert("x")</script> & 井盖\x01没了',
        area=o311.b1, source=Source.RESIDENT_PAGE, acting_user=o311.resident,
    )
    root = xml(client.get(f"{BASE}requests/{case.pk}.xml"))
    assert root.find("request").findtext("description") == (
        '路灯 <script>alert("x")</script> & 井盖没了')
    assert b"<script>" not in client.get(f"{BASE}requests/{case.pk}.xml").content


def test_every_address_names_its_places_once_whatever_else_is_in_the_list(client, o311):
    building = o311.new_case(area=o311.b1)
    compound = o311.new_case(area=o311.compound)
    grid = o311.new_case(area=o311.grid_a1)
    community = o311.new_case(area=o311.comm_a)
    other = o311.new_case(area=o311.b3)
    items = {i["service_request_id"]: i["address"]
             for i in client.get(f"{BASE}requests.json").json()}
    assert items[str(building.pk)] == "1栋, 铁路小区, 活龙社区, 幸福街道, 示范区, 示范市"
    assert items[str(compound.pk)] == "铁路小区, 活龙社区, 幸福街道, 示范区, 示范市"
    assert items[str(grid.pk)] == "活龙社区, 幸福街道, 示范区, 示范市"  # no grid names
    assert items[str(community.pk)] == "活龙社区, 幸福街道, 示范区, 示范市"
    assert items[str(other.pk)] == "1栋, 德鑫小区, 德鑫社区, 幸福街道, 示范区, 示范市"
