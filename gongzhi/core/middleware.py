"""Request context: the client address for the audit log, the active language, and
keeping a working session alive."""

import time
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy the operator sets GONGZHI_TRUST_X_FORWARDED_FOR; we do not
    # trust the header by default because any client can send it.
    if getattr(settings, "GONGZHI_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose another language (the language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language; an office PC or a
    phone set to English would then show staff an English console they never asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class SessionKeepAliveMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without use (等保 2.0: time out idle sessions).

    Saving the session on every request would do it at one database write per page; this
    saves it when the last save is GONGZHI_SESSION_TOUCH_SECONDS old, so the timeout is
    exact to within that and a busy worker's pages write nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.session_key:
            return response
        if session.is_empty():
            return response
        now = int(time.time())
        if now - session.get("_touched", 0) >= settings.GONGZHI_SESSION_TOUCH_SECONDS:
            session["_touched"] = now  # SessionMiddleware saves it and renews the cookie
        return response
