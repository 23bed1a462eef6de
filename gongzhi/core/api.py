"""Pieces every app's JSON API shares: the bilingual error and its schema."""

from ninja import Schema
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
