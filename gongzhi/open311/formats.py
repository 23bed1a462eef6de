"""Open311 output: one value tree rendered as JSON or as XML (the Spark convention).

The spec defines XML and maps JSON onto it: a list is an element holding one child per
item (``services`` › ``service``), ``None`` is an empty element, booleans are ``true`` /
``false``. Both formats are UTF-8.
"""

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = ("xml", "json")
DEFAULT_FORMAT = "xml"  # the spec requires XML; JSON is optional
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of one item in each list of the spec.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` under the element ``root``, with the declaration the spec asks for."""
    element = ET.Element(root)
    _fill(element, value)
    ET.indent(element)  # whitespace between elements only; texts stay as they are
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """The response in ``fmt``; ``root`` names the XML root (JSON has none)."""
    if fmt == "json":
        body = to_json(value)
    else:
        fmt = "xml"
        body = to_xml(root, value)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error array: one ``{code, description}`` per problem."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt if fmt in FORMATS else DEFAULT_FORMAT, "errors", errors, status=status)
