"""Pieces every app's JSON API shares: the bilingual error, its schema, the 422 body.

Pages show a message in the reader's language only; the API answers with both: ``detail``
in Chinese, ``detail_en`` in English. An action's message is either a lazy translation
(rendered here in each language) or a Chinese sentence gettext gave already, which is its own
msgid, so the English catalogue translates it again. A message with no English (data, a
sentence formatted before it was raised) gets the generic English of its status.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Schema
from ninja import Status as Reply
from ninja.errors import HttpError


class ApiError(HttpError):
    """An error the API answers with a Chinese and an English message."""

    def __init__(self, status: int, detail: str, detail_en: str, code: str) -> None:
        super().__init__(status, detail_en)
        self.detail, self.detail_en, self.code = detail, detail_en, code


class ErrorOut(Schema):
    detail: str
    detail_en: str
    code: str
    errors: list[dict] | None = None


AUTH_ERRORS = {401: ErrorOut}
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def in_language(message, language: str, params: dict | None = None) -> str:
    """``message`` (lazy, or a Chinese msgid gettext returned already) in ``language``."""
    with translation.override(language):
        text = str(message)
        if text and not isinstance(message, Promise):
            text = translation.gettext(text)  # the msgids are Chinese
        return text % params if params else text


def bilingual(message, params: dict | None = None) -> tuple[str, str | None]:
    """(Chinese, English) of ``message``; English is None when the catalogue has none."""
    chinese = in_language(message, settings.LANGUAGE_CODE, params)
    english = in_language(message, "en", params)
    return chinese, (english if english and not CJK.search(english) else None)


def validation_body(exc: ValidationError) -> dict:
    """An action's ValidationError as a 422 body: every message, each under its field; the
    Chinese in ``detail`` (and each ``msg``), the English in ``detail_en``."""
    fields = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
    errors, english = [], []
    for field, items in fields:
        for error in items:
            chinese, en = bilingual(error.message, error.params)
            errors.append({"loc": ["body", field] if field else ["body"], "msg": chinese,
                           "type": "invalid"})
            english.append(en)
    with translation.override(settings.LANGUAGE_CODE):
        detail = "；".join(e["msg"] for e in errors) or _("请求参数有误")
    detail_en = "; ".join(english) if english and all(english) else "invalid input"
    return {"detail": detail, "detail_en": detail_en, "code": "invalid", "errors": errors}


def forbidden(exc: PermissionDenied) -> ApiError:
    """An action's refusal as a 403, with its reason when it gave one in words."""
    reason = exc.args[0] if exc.args else ""
    chinese, english = bilingual(reason)
    if not CJK.search(chinese):  # no reason, or an internal one in ASCII
        with translation.override(settings.LANGUAGE_CODE):
            return ApiError(403, _("无权执行此操作"), "permission denied", "forbidden")
    return ApiError(403, chinese, english or "permission denied", "forbidden")


def run_action(run: Callable[[], object],
               conflict: Callable[[], tuple[str, str] | None] = lambda: None) -> Reply | None:
    """Run an action; None when done, else the refusal: 403, or 409 when ``conflict``
    (asked after a refusal that names no field, of the state the action saw) names it as
    (code, English detail), else 422."""
    try:
        run()
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    except ValidationError as exc:
        body = validation_body(exc)
        found = None if hasattr(exc, "error_dict") else conflict()
        if found is not None:
            return Reply(409, body | {"code": found[0], "detail_en": found[1]})
        return Reply(422, body)
    return None
