"""API authentication: session (CSRF on unsafe methods), bearer and X-API-Key tokens."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from gongzhi.accounts.actions import create_api_token, revoke_api_token
from gongzhi.accounts.models import ApiToken
from gongzhi.api import add_error_handlers, api
from gongzhi.cli import main as gongzhi_cli
from gongzhi.core.models import AuditEvent

UNAUTHENTICATED = {
    "detail": "请先登录，或提供有效的 API 令牌",
    "detail_en": "authentication required: log in or send a valid API token",
    "code": "not_authenticated",
}

# A POST endpoint behind the same authentication and error handlers as the real API:
# every real endpoint is GET today, yet session auth must keep CSRF for unsafe methods.
probe_api = NinjaAPI(auth=api.auth, urls_namespace="api-probe")
add_error_handlers(probe_api)


@probe_api.post("/echo")
def echo(request):
    return {"username": request.auth.username}


@probe_api.get("/boom")
def boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("probe/", probe_api.urls)]


def assert_401(response):
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("url", [
    "/api/me", "/api/areas/", "/api/areas/CA", "/api/areas/CA/children",
    "/api/areas/CA/households", "/api/areas/locate?lng=111.005&lat=26.005", "/api/households/1",
])
def test_anonymous_gets_401(client, street, url):
    assert_401(client.get(url))


def test_bearer_token(client, street):
    _token, key = create_api_token(user=street.worker_a1, name="巡查", acting_user=street.worker_a1)
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["username"] == "worker_a1"
    # The token carries the user's scope, nothing more.
    grid2 = client.get("/api/areas/CA-G2/households", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert grid2.status_code == 404
    assert ApiToken.objects.get(user=street.worker_a1).last_used_at is not None


def test_x_api_key(client, street):
    _token, key = create_api_token(user=street.staff_a, name="报表", acting_user=street.staff_a)
    response = client.get("/api/areas/CA/households", HTTP_X_API_KEY=key)
    assert response.status_code == 200 and len(response.json()["items"]) == 3


def test_revoked_garbage_and_inactive_tokens_are_401(client, street):
    token, key = create_api_token(user=street.staff_a, name="旧", acting_user=street.staff_a)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    revoke_api_token(token=token, acting_user=street.staff_a)
    assert_401(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}"))
    assert_401(client.get("/api/me", HTTP_X_API_KEY=key))
    for garbage in ("gz_not-a-real-key", "", "Bearer", key[:-1]):
        assert_401(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {garbage}"))
        assert_401(client.get("/api/me", HTTP_X_API_KEY=garbage))
    assert_401(client.get("/api/me", HTTP_AUTHORIZATION="Basic c3RhZmZfYTpwYXNz"))
    _other, live = create_api_token(user=street.staff_b, name="停用", acting_user=street.staff_b)
    street.staff_b.is_active = False
    street.staff_b.save()
    assert_401(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {live}"))


def test_session_login(client, street):
    client.force_login(street.staff_a)
    assert client.get("/api/me").json()["username"] == "staff_a"
    client.logout()
    assert_401(client.get("/api/me"))


@pytest.mark.urls(__name__)
def test_session_needs_csrf_on_unsafe_methods_but_tokens_do_not(street):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(street.staff_a)
    refused = browser.post("/probe/echo")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed" and refused.json()["detail_en"]
    secret = "x" * 32  # a well-formed CSRF secret, as the cookie and the header carry it
    browser.cookies["csrftoken"] = secret
    allowed = browser.post("/probe/echo", HTTP_X_CSRFTOKEN=secret)
    assert allowed.status_code == 200 and allowed.json() == {"username": "staff_a"}
    _token, key = create_api_token(user=street.staff_a, name="脚本", acting_user=street.staff_a)
    script = Client(enforce_csrf_checks=True)
    assert script.post("/probe/echo", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.urls(__name__)
def test_server_error_is_bilingual_json_without_trace(street):
    client = Client(raise_request_exception=False)
    client.force_login(street.staff_a)
    response = client.get("/probe/boom")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "服务器内部错误，请稍后再试", "detail_en": "internal server error",
        "code": "server_error",
    }
    assert "secret internals" not in response.content.decode()


def test_create_api_token_command(client, street, capsys):
    call_command("create_api_token", "worker_a1", "巡查 App")
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("gz_") and "只显示这一次" in err
    token = ApiToken.objects.get(user=street.worker_a1)
    assert token.name == "巡查 App" and key not in token.key_hash and token.prefix in key
    event = AuditEvent.objects.get(action="accounts.create_api_token")
    assert event.actor == street.worker_a1
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["username"] == (
        "worker_a1")


def test_create_api_token_via_gongzhi_cli(client, street, capsys, monkeypatch):
    # The CLI closes every connection when done; keep the test transaction's one open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    gongzhi_cli(["gongzhi", "create-api-token", "staff_b", "导出"])
    key = capsys.readouterr().out.strip()
    assert client.get("/api/me", HTTP_X_API_KEY=key).json()["username"] == "staff_b"


@pytest.mark.parametrize(("args", "message"), [
    (["nobody", "x"], "不存在"),
    (["staff_a", "   "], "令牌名称"),
    (["staff_a", "长" * 101], "令牌名称"),
])
def test_create_api_token_command_rejects_bad_input(street, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args)
    assert not ApiToken.objects.exists()
