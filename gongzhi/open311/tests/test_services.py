"""GET services and service definitions, formats, jurisdiction and methods, per the spec."""

import pytest

from gongzhi.cases.actions import save_category
from gongzhi.cases.models import Category
from gongzhi.open311.tests.helpers import BASE, errors_of, fields, xml

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]


def test_services_json_lists_active_leaf_categories(client, o311):
    response = client.get(BASE + "services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    # Groups (市政设施, 环境卫生) hold categories; they are not services themselves.
    assert [s["service_code"] for s in services] == ["road", "street_light", "garbage"]
    road = services[0]
    assert list(road) == SERVICE_FIELDS
    assert road["service_name"] == "道路破损"
    assert road["metadata"] is False
    assert road["type"] == "realtime"
    assert road["keywords"] == "道路, 路面, 坑洼, 破损"
    assert road["group"] == "市政设施"
    assert "7" in road["description"]  # the resolution limit in working days


def test_inactive_categories_and_groups_are_not_services(client, o311):
    o311.light.is_active = False
    save_category(category=o311.light, acting_user=None)
    o311.sanitation.is_active = False
    save_category(category=o311.sanitation, acting_user=None)
    codes = [s["service_code"] for s in client.get(BASE + "services.json").json()]
    assert codes == ["road"]


def test_a_category_without_group_is_a_service_with_empty_group(client, o311):
    save_category(category=Category(code="misc", name="其他", order=9), acting_user=None)
    services = {s["service_code"]: s for s in client.get(BASE + "services.json").json()}
    assert services["misc"]["group"] == ""


def test_services_xml(client, o311):
    root = xml(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    assert [child.tag for child in root] == ["service"] * 3
    first = root[0]
    assert [child.tag for child in first] == SERVICE_FIELDS
    road = fields(first)
    assert (road.service_code, road.service_name, road.group) == ("road", "道路破损", "市政设施")
    assert (road.metadata, road.type) == ("false", "realtime")


def test_service_definition_json_and_xml(client, o311):
    response = client.get(BASE + "services/garbage.json")
    assert response.status_code == 200
    assert response.json() == {"service_code": "garbage", "attributes": []}
    root = xml(client.get(BASE + "services/garbage.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "garbage"
    attributes = root.find("attributes")
    assert attributes is not None and len(attributes) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["nothing", "municipal"])
def test_unknown_service_code_is_404(client, o311, fmt, code):
    response = client.get(f"{BASE}services/{code}.{fmt}")
    assert response.status_code == 404
    [(status, description)] = errors_of(response, fmt)
    assert status == 404
    assert "service_code" in description and code in description


@pytest.mark.parametrize("url", ["services.csv", "services/road.html", "requests.yaml"])
def test_unknown_format_is_a_404_error_in_xml(client, o311, url):
    response = client.get(BASE + url)
    assert response.status_code == 404
    [(status, description)] = errors_of(response, "xml")
    assert status == 404 and "xml" in description and "json" in description


def test_format_is_case_insensitive(client, o311):
    assert client.get(BASE + "services.JSON").json()[0]["service_code"] == "road"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_jurisdiction_is_404_right_or_missing_is_fine(client, o311, settings, fmt):
    settings.GONGZHI_OPEN311_JURISDICTION = "xingfu.example.cn"
    wrong = client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "other.example.cn"})
    assert wrong.status_code == 404
    [(status, description)] = errors_of(wrong, fmt)
    assert status == 404 and "jurisdiction_id" in description
    right = client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "xingfu.example.cn"})
    assert right.status_code == 200
    assert client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": ""}).status_code == 200
    assert client.get(f"{BASE}services.{fmt}").status_code == 200
    assert client.get(f"{BASE}requests.{fmt}", {"jurisdiction_id": "x"}).status_code == 404
    assert client.get(f"{BASE}services/road.{fmt}", {"jurisdiction_id": "x"}).status_code == 404


def test_jurisdiction_is_ignored_when_not_configured(client, o311, settings):
    settings.GONGZHI_OPEN311_JURISDICTION = None
    response = client.get(BASE + "services.json", {"jurisdiction_id": "anything.example"})
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("url", ["services.json", "services/road.json", "requests/1.json",
                                 "discovery.json"])
def test_read_only_endpoints_reject_other_methods(client, o311, method, url):
    response = getattr(client, method)(BASE + url, {"api_key": o311.key})
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "POST" not in response["Allow"]
    [(status, _description)] = errors_of(response, "json")
    assert status == 405


def test_requests_rejects_put_but_allows_get_and_post(client, o311):
    response = client.put(BASE + "requests.xml")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert errors_of(response, "xml")[0][0] == 405


def test_discovery_names_the_endpoint_and_both_formats(client, o311):
    data = client.get(BASE + "discovery.json").json()
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(BASE + "discovery.xml"))
    formats = root.find("endpoints/endpoint/formats")
    assert [f.text for f in formats] == ["text/xml", "application/json"]
    assert root.findtext("key_service")
