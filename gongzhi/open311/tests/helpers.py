"""Reading Open311 responses in tests: XML parsed with ElementTree, errors in both formats."""

from types import SimpleNamespace
from xml.etree import ElementTree as ET

BASE = "/open311/v2/"


def xml(response) -> ET.Element:
    """The parsed XML body, after checking the declaration and the content type."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def errors_of(response, fmt: str) -> list[tuple[int, str]]:
    """The spec's error array as (code, description) pairs, from JSON or XML."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return [(e["code"], e["description"]) for e in response.json()]
    root = xml(response)
    assert root.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in root]


def fields(element: ET.Element) -> SimpleNamespace:
    """An XML item's child elements as attributes (empty elements read as None)."""
    return SimpleNamespace(**{child.tag: child.text for child in element})
