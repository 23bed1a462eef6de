"""Parsing of Open311 query and form arguments; bad input raises ``Open311Error``.

"Optional" in the spec means an empty argument is the same as a missing one.
"""

import math
import re
from datetime import datetime, time, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.open311.selectors import RequestQuery

MAX_SPAN = timedelta(days=90)
# The w3 note's complete date, or date and time with seconds optional, fraction optional,
# and the time zone required (Z or ±hh:mm).
_W3_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_W3_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"
)


class Open311Error(Exception):
    """An error the client sees as the spec's error array with this HTTP status."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def first(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()


def many(data: QueryDict, name: str) -> list[str]:
    """Every value of a comma-delimited argument that may also be declared several times."""
    return [part.strip() for value in data.getlist(name) for part in value.split(",")
            if part.strip()]


def w3_datetime(value: str, name: str, *, end_of_day: bool = False) -> datetime:
    """A w3 date or datetime; a bare date is that day in Asia/Shanghai."""
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    value = re.sub(r" (\d{2}:\d{2})$", r"+\1", value)
    try:
        if _W3_DATE.match(value):
            day = datetime.fromisoformat(value).date()
            return timezone.make_aware(datetime.combine(day, time.max if end_of_day else time.min))
        if _W3_DATETIME.match(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise Open311Error(400, _(
        "%(name)s 不是 w3 格式的日期时间（如 2010-01-01T00:00:00Z，须带时区）"
        " / %(name)s is not a w3 datetime (e.g. 2010-01-01T00:00:00Z, time zone required)"
    ) % {"name": name})


def request_query(data: QueryDict) -> RequestQuery:
    """The filters of GET requests, with the spec's default window of the last 90 days."""
    raw_ids = many(data, "service_request_id")
    if raw_ids:
        # "This overrides all other arguments."
        return RequestQuery(ids=[int(i) for i in raw_ids if i.isdigit() and len(i) < 19])
    start = first(data, "start_date")
    end = first(data, "end_date")
    start_at = w3_datetime(start, "start_date") if start else None
    end_at = w3_datetime(end, "end_date", end_of_day=True) if end else None
    if start_at is None and end_at is None:
        end_at = timezone.now()
    if start_at is None:
        start_at = end_at - MAX_SPAN
    if end_at is None:
        end_at = start_at + MAX_SPAN
    if end_at < start_at:
        raise Open311Error(400, _("end_date 早于 start_date / end_date is before start_date"))
    if end_at - start_at > MAX_SPAN:
        raise Open311Error(400, _("查询时间范围不能超过 90 天 / the date range may not span "
                                  "more than 90 days"))
    statuses = {s.lower() for s in many(data, "status")}
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise Open311Error(400, _("status 只能是 open 或 closed / status must be open or closed"))
    codes = many(data, "service_code")
    return RequestQuery(
        service_codes=codes or None,
        start=start_at,
        end=end_at,
        open_only=("open" in statuses) if len(statuses) == 1 else None,
    )


def coordinates(data: QueryDict) -> tuple[float, float] | None:
    """(lat, long) when both are sent; one without the other is an error."""
    lat, lng = first(data, "lat"), first(data, "long")
    if not lat and not lng:
        return None
    if not lat or not lng:
        raise Open311Error(400, _("lat 与 long 须同时提供 / lat and long must be sent together"))
    try:
        lat_value, lng_value = float(lat), float(lng)
    except ValueError:
        lat_value = lng_value = math.nan
    if not (-90 <= lat_value <= 90 and -180 <= lng_value <= 180):
        raise Open311Error(400, _("lat / long 不是有效的 WGS84 坐标 / lat and long are not "
                                  "valid WGS84 coordinates"))
    return lat_value, lng_value
