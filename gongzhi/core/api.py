"""Pieces every app's JSON API shares: the bilingual error, its schema, the 422 body."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
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


def validation_body(exc: ValidationError) -> dict:
    """An action's ValidationError as a 422 body: every message, each under its field."""
    if hasattr(exc, "error_dict"):
        errors = [{"loc": ["body", field], "msg": str(m), "type": "invalid"}
                  for field, items in exc.error_dict.items() for e in items for m in e.messages]
    else:
        errors = [{"loc": ["body"], "msg": str(m), "type": "invalid"} for m in exc.messages]
    return {"detail": "；".join(e["msg"] for e in errors) or _("请求参数有误"),
            "detail_en": "invalid input", "code": "invalid", "errors": errors}


def forbidden(exc: PermissionDenied) -> ApiError:
    """An action's refusal as a 403, with its Chinese reason when it gave one."""
    detail = str(exc) if str(exc) and not str(exc).isascii() else _("无权执行此操作")
    return ApiError(403, detail, "permission denied", "forbidden")


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
