"""Open311 GeoReport v2 endpoints (mounted at /open311/v2/): services and requests.

Each view parses arguments, checks the jurisdiction and the api_key, and files new
requests through ``gongzhi.open311.actions.file_request``; it writes nothing itself. Every
error is the spec's error array in the requested format.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.open311 import formats, intake, selectors, serializers
from gongzhi.open311.actions import file_request
from gongzhi.open311.params import Open311Error, first, request_query

View = Callable[..., HttpResponse]
CHANGESET = "2026-11-22T00:00:00+08:00"  # when these endpoints or their formats last changed


def _check_jurisdiction(request: HttpRequest) -> None:
    """One jurisdiction per installation: the argument is optional, a wrong one is a 404."""
    expected = getattr(settings, "GONGZHI_OPEN311_JURISDICTION", None)
    data = request.POST if request.method == "POST" else request.GET
    given = first(data, "jurisdiction_id") or first(request.GET, "jurisdiction_id")
    if expected and given and given != expected:
        raise Open311Error(404, _("未找到 jurisdiction_id：%(id)s / jurisdiction_id not found: "
                                  "%(id)s") % {"id": given})


def endpoint(*methods: str) -> Callable[[View], View]:
    """Format check, allowed methods, jurisdiction, and errors rendered as the spec says."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in formats.FORMATS:
                return formats.error_response(formats.DEFAULT_FORMAT, 404, [
                    _("不支持的格式：%(fmt)s（可用 xml、json） / unsupported format: %(fmt)s "
                      "(use xml or json)") % {"fmt": fmt}])
            if request.method not in allowed:
                response = formats.error_response(fmt, 405, [
                    _("不支持 %(method)s 请求 / method %(method)s not allowed")
                    % {"method": request.method}])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return formats.error_response(fmt, error.status, error.descriptions)

        return wrapper

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"}))
    value = serializers.discovery(
        url=base.rsplit("/", 1)[0],
        changeset=CHANGESET,
        contact=_("请联系本街道（社区）管理员 / contact the administrator of this installation"),
        key_service=_("api_key 由管理员用 gongzhi open311-key 命令签发 / api keys are issued "
                      "by the administrator (gongzhi open311-key)"),
    )
    return formats.respond(fmt, "discovery", value)


@endpoint("GET")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return formats.respond(fmt, "services", [serializers.service(c) for c in selectors.services()])


@endpoint("GET")
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    category = selectors.service(code)
    if category is None:
        raise Open311Error(404, _("未找到 service_code：%(code)s / service_code not found: "
                                  "%(code)s") % {"code": code})
    return formats.respond(fmt, "service_definition", serializers.service_definition(category))


def _requests_response(request: HttpRequest, fmt: str, cases: list) -> HttpResponse:
    places = selectors.place_names(c.area for c in cases)
    items = [
        serializers.service_request(c, address=places[c.area.path],
                                    absolute=request.build_absolute_uri,
                                    photo_id=c.first_photo_id)
        for c in cases
    ]
    return formats.respond(fmt, "service_requests", items)


@csrf_exempt  # API clients post with an api_key, not a session
@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    cases = selectors.find_requests(request_query(request.GET))
    return _requests_response(request, fmt, cases)


@endpoint("GET")
def request_detail(request: HttpRequest, *, request_id: str, fmt: str) -> HttpResponse:
    case = None
    if request_id.isdigit() and len(request_id) < 19:  # beyond that, no bigint id matches
        case = selectors.request_by_id(int(request_id))
    if case is None:
        raise Open311Error(404, _("未找到 service_request_id：%(id)s / service_request_id not "
                                  "found: %(id)s") % {"id": request_id})
    return _requests_response(request, fmt, [case])


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = first(request.POST, "api_key") or first(request.GET, "api_key")
    client = selectors.client_for_key(key)
    if client is None:
        raise Open311Error(403, _("api_key 缺失、无效或已吊销，无法创建请求 / missing, invalid "
                                  "or revoked api_key -- can't proceed with create_request"))
    try:
        case = file_request(client=client, acting_user=None,
                            **intake.case_fields(request.POST, request.FILES))
    except ValidationError as error:
        raise Open311Error(400, *error.messages) from error
    except PermissionDenied as error:
        raise Open311Error(403, _("该客户端无权创建请求 / this client may not create "
                                  "requests")) from error
    return formats.respond(fmt, "service_requests", [serializers.created(case)])
