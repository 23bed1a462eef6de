"""POST requests: the spec's form arguments turned into ``submit_case`` arguments.

Reads only; bad input raises ``Open311Error`` before anything is written. Location: a
building code (``address_id``) wins, then lat/long located to the smallest grid, then a
bare ``address_string`` filed at the top of the tree for staff there to place.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import public_building, smallest_grid_at
from gongzhi.cases.models import Category
from gongzhi.open311 import selectors
from gongzhi.open311.params import Open311Error, coordinates, first

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_ADDRESS = 200
MAX_MEDIA_URL = 900
TITLE_LENGTH = 30
_CJK = re.compile(r"[\u3400-\u9fff]")


def _category(data: QueryDict) -> Category:
    code = first(data, "service_code")
    if not code:
        raise Open311Error(400, _("缺少 service_code / service_code was not provided"))
    category = selectors.service(code)
    if category is None:
        raise Open311Error(404, _("未找到 service_code：%(code)s / service_code not found: "
                                  "%(code)s") % {"code": code})
    return category


def _area(data: QueryDict, point: tuple[float, float] | None, address: str) -> AreaNode:
    address_id = first(data, "address_id")
    if address_id:
        building = public_building(address_id)
        if building is None:
            raise Open311Error(400, _("address_id 不是已登记的楼栋编码：%(id)s / address_id is "
                                      "not a known building code: %(id)s") % {"id": address_id})
        return building
    if point is not None:
        grid = smallest_grid_at(point[1], point[0])
        if grid is None:
            raise Open311Error(400, _("该位置不在任何网格内 / the location (lat, long) is "
                                      "outside every grid of this jurisdiction"))
        return grid
    if address:
        root = selectors.jurisdiction_root()
        if root is not None:
            return root
        raise Open311Error(400, _("无法仅凭 address_string 定位，请提供 lat 与 long 或 "
                                  "address_id / address_string alone cannot be located; send "
                                  "lat and long or address_id"))
    raise Open311Error(400, _("缺少位置：请提供 lat 与 long、address_string 或 address_id / "
                              "a location is required: lat and long, address_string or "
                              "address_id"))


def _name(data: QueryDict) -> str:
    given, family = first(data, "first_name"), first(data, "last_name")
    if _CJK.search(given + family):
        return family + given  # 姓在前
    return f"{given} {family}".strip()


def _title(description: str, fallback: str) -> str:
    line = next((x.strip() for x in description.splitlines() if x.strip()), "")
    if not line:
        return fallback
    return line if len(line) <= TITLE_LENGTH else line[:TITLE_LENGTH - 1] + "…"


def _media_note(data: QueryDict) -> str:
    url = first(data, "media_url")
    if not url:
        return ""
    try:
        if len(url) > MAX_MEDIA_URL:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise Open311Error(400, _("media_url 不是有效的 http(s) 链接 / media_url is not a "
                                  "valid http(s) URL")) from error
    # Not fetched (no requests to arbitrary hosts from inside the network): kept as a link.
    return "\n\n" + _("图片链接：%(url)s") % {"url": url}


def case_fields(data: QueryDict, files: MultiValueDict) -> dict:
    """``submit_case`` keyword arguments for a POSTed request (without source and actor)."""
    category = _category(data)
    point = coordinates(data)
    address = first(data, "address_string")
    if len(address) > MAX_ADDRESS:
        raise Open311Error(400, _("address_string 不能超过 %(n)d 个字 / address_string is "
                                  "longer than %(n)d characters") % {"n": MAX_ADDRESS})
    area = _area(data, point, address)
    description = first(data, "description")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 4000 个字 / description is longer "
                                  "than 4,000 characters"))
    title = _title(description, category.name)
    return {
        "title": title,
        "description": (description or title) + _media_note(data),
        "category": category,
        "area": area,
        "address": address,
        "lat": point[0] if point else None,
        "lng": point[1] if point else None,
        "reporter_name": _name(data),
        "reporter_phone": first(data, "phone"),
        # Multipart posts may carry the photos themselves (checked by content on submit).
        "photos": files.getlist("media"),
    }
