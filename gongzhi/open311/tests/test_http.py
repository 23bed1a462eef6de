"""A real HTTP round trip: an outside client posts a request and reads it back over TCP."""

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

from gongzhi.cases.models import Case, Source
from gongzhi.open311.tests.helpers import BASE


def _post(url: str, data: dict):
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    return urllib.request.urlopen(request, timeout=20)


def test_post_and_read_back_over_http(transactional_db, live_server, o311):
    base = live_server.url + BASE
    with urllib.request.urlopen(base + "services.json", timeout=20) as response:
        codes = [s["service_code"] for s in json.load(response)]
    assert "road" in codes

    data = {"api_key": o311.key, "service_code": "road", "lat": "26.004", "long": "111.003",
            "description": "井盖缺失，夜里有人踩空", "phone": "13712345678"}
    with _post(base + "requests.json", data) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        [answer] = json.load(response)
    case = Case.objects.get(pk=int(answer["service_request_id"]))
    assert case.source == Source.OPEN311 and case.area == o311.grid_a1

    with urllib.request.urlopen(f"{base}requests/{case.pk}.xml", timeout=20) as response:
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        body = response.read()
    root = ET.fromstring(body)
    request = root.find("request")
    assert request.findtext("service_request_id") == str(case.pk)
    assert request.findtext("status") == "open"
    assert request.findtext("description") == "井盖缺失，夜里有人踩空"
    assert b"13712345678" not in body

    try:
        _post(base + "requests.xml", {**data, "api_key": "wrong"})
        raise AssertionError("a wrong api_key was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 403
        errors = ET.fromstring(error.read())
    assert errors.tag == "errors" and errors.findtext("error/code") == "403"
    assert Case.objects.count() == 1
