"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

Every endpoint needs a login (session, with CSRF on unsafe methods) or an API token
(``Authorization: Bearer gz_…`` or ``X-API-Key: gz_…``). Every error is JSON with a
Chinese ``detail``, an English ``detail_en`` and a machine ``code``.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from gongzhi.accounts.actions import user_for_api_key

logger = logging.getLogger("gongzhi.api")


class BearerToken(HttpBearer):
    """``Authorization: Bearer gz_…`` — tokens are created per user in the console."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_api_key(token) if token else None
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = user_for_api_key(key) if key else None
        if user is not None:
            request.user = user
        return user


# Docs are drawn on the server from the OpenAPI schema: no script, nothing from a CDN.
DOCS_TEMPLATE = """{% extends "base.html" %}{% load i18n %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<p>{{ description }}</p>
<p><a href="{{ openapi_url }}">openapi.json</a> · OpenAPI {{ openapi_version }}</p>
<h2>{% translate "认证" %}</h2>
<ul>
  <li><code>Authorization: Bearer gz_…</code></li>
  <li><code>X-API-Key: gz_…</code></li>
  <li>{% translate "已登录的浏览器会话（非 GET 请求需带 CSRF 令牌）" %}</li>
</ul>
{% for op in operations %}
<section class="api-operation" id="{{ op.id }}">
  <h2><code>{{ op.method }} {{ op.path }}</code></h2>
  <p>{{ op.summary }}</p>
  {% if op.parameters %}
  <table>
    <thead><tr><th>{% translate "参数" %}</th><th>{% translate "位置" %}</th>
      <th>{% translate "类型" %}</th><th>{% translate "必填" %}</th>
      <th>{% translate "说明" %}</th></tr></thead>
    <tbody>{% for p in op.parameters %}
      <tr><td><code>{{ p.name }}</code></td><td>{{ p.in }}</td><td>{{ p.type }}</td>
        <td>{% if p.required %}✓{% endif %}</td><td>{{ p.description }}</td></tr>
    {% endfor %}</tbody>
  </table>
  {% endif %}
  <p>{% translate "响应" %}: {% for code in op.responses %}<code>{{ code }}</code> {% endfor %}</p>
</section>
{% endfor %}
{% endblock %}
"""


def _param_type(schema: dict) -> str:
    if "anyOf" in schema:
        return " | ".join(_param_type(s) for s in schema["anyOf"])
    return schema.get("type", "")


class ServerDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {
                "id": op.get("operationId", ""),
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "parameters": [
                    {**p, "type": _param_type(p.get("schema", {})),
                     "description": p.get("description") or p.get("schema", {}).get(
                         "description", "")}
                    for p in op.get("parameters", [])
                ],
                "responses": list(op.get("responses", {})),
            }
            for path, methods in schema["paths"].items()
            for method, op in methods.items()
        ]
        template = engines["django"].from_string(DOCS_TEMPLATE)
        context = {
            "title": api.title, "description": api.description,
            "openapi_url": self.get_openapi_url(api, kwargs),
            "openapi_version": schema.get("openapi", ""), "operations": operations,
        }
        return HttpResponse(template.render(context, request))


api = NinjaAPI(
    title="共治 gongzhi API",
    version="1",
    description="社区共建共治共享平台接口 / community co-governance API",
    auth=[BearerToken(), HeaderToken(), django_auth],
    urls_namespace="api",
    docs=ServerDocs(),
)


def error_response(
    request: HttpRequest, status: int, detail: str, detail_en: str, code: str, **extra
) -> HttpResponse:
    body = {"detail": str(detail), "detail_en": detail_en, "code": code, **extra}
    return api.create_response(request, body, status=status)


def _status_messages() -> dict[int, tuple[str, str, str]]:
    return {
        400: (_("请求有误"), "bad request", "bad_request"),
        403: (_("无权执行此操作"), "permission denied", "forbidden"),
        404: (_("未找到"), "not found", "not_found"),
        405: (_("不支持该请求方法"), "method not allowed", "method_not_allowed"),
        429: (_("请求过于频繁，请稍后再试"), "too many requests", "throttled"),
    }


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, _("请先登录，或提供有效的 API 令牌"),
        "authentication required: log in or send a valid API token", "not_authenticated",
    )
    response["WWW-Authenticate"] = 'Bearer realm="gongzhi"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if hasattr(exc, "detail_en"):  # gongzhi's own ApiError carries both languages
        return error_response(request, exc.status_code, exc.detail, exc.detail_en, exc.code)
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error_response(request, 403, _("CSRF 校验失败，请刷新页面后重试"),
                              "CSRF check failed", "csrf_failed")
    default = (_("请求失败"), str(exc), "error")
    detail, detail_en, code = _status_messages().get(exc.status_code, default)
    return error_response(request, exc.status_code, detail, detail_en, code)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("未找到"), "not found", "not_found")


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, _("无权执行此操作"), "permission denied", "forbidden")


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Only location, message and type: pydantic's context may hold unserialisable objects.
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return error_response(request, 422, _("请求参数有误"), "invalid request parameters",
                          "invalid", errors=errors)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged in full for the operator; the caller gets no stack trace.
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(request, 500, _("服务器内部错误，请稍后再试"),
                          "internal server error", "server_error")


def add_error_handlers(target: NinjaAPI) -> None:
    """Answer every error of ``target`` as bilingual JSON (also for other NinjaAPI objects)."""
    handlers = [
        (Exception, _server_error), (HttpError, _http_error),
        (AuthenticationError, _unauthenticated), (Http404, _not_found),
        (PermissionDenied, _forbidden), (ValidationError, _invalid),
    ]
    for exc_class, handler in handlers:
        target.add_exception_handler(exc_class, handler)


add_error_handlers(api)


def _register_routers() -> None:
    from gongzhi.accounts.api import router as accounts_router
    from gongzhi.areas.api import households_router
    from gongzhi.areas.api import router as areas_router
    from gongzhi.campaigns import api_conventions, api_partners, api_shops, api_stars
    from gongzhi.campaigns.api import router as campaigns_router
    from gongzhi.cases.api import router as cases_router
    from gongzhi.cases.api_lookups import router as case_lookups_router
    from gongzhi.cases.api_work import router as case_work_router
    from gongzhi.deliberation.api import router as deliberation_router
    from gongzhi.notices.api import router as notices_router
    from gongzhi.renewal.api import router as renewal_router
    from gongzhi.volunteering.api import router as volunteering_router
    from gongzhi.volunteering.api_rewards import router as volunteering_rewards_router
    from gongzhi.volunteering.api_shifts import router as volunteering_shifts_router
    from gongzhi.volunteering.api_staff import router as volunteering_staff_router

    api.add_router("/", accounts_router, tags=["accounts"])
    api.add_router("/areas/", areas_router, tags=["areas"])
    api.add_router("/households/", households_router, tags=["households"])
    # Lookups first: their fixed paths (/cases/kpis …) before the cases' /{id}.
    api.add_router("/cases/", case_lookups_router, tags=["cases"])
    api.add_router("/cases/", cases_router, tags=["cases"])
    api.add_router("/cases/", case_work_router, tags=["cases"])
    api.add_router("/deliberation/", deliberation_router, tags=["deliberation"])
    api.add_router("/notices/", notices_router, tags=["notices"])
    api.add_router("/volunteering/", volunteering_router, tags=["volunteering"])
    api.add_router("/volunteering/", volunteering_staff_router, tags=["volunteering"])
    api.add_router("/volunteering/", volunteering_shifts_router, tags=["volunteering"])
    api.add_router("/volunteering/", volunteering_rewards_router, tags=["volunteering"])
    api.add_router("/renewal/", renewal_router, tags=["renewal"])
    api.add_router("/campaigns/", campaigns_router, tags=["campaigns"])
    for topic in (api_stars, api_shops, api_partners, api_conventions):
        api.add_router("/campaigns/", topic.router, tags=["campaigns"])


_register_routers()
