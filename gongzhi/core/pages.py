"""Form and paging helpers every app's pages share: one row in scope or 404, an action's
ValidationError as form errors or a message, 50 rows a page."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest

PAGE_SIZE = 50  # rows on one page of a list, and at most in a list on a summary page


def one_or_404(qs: QuerySet, pk, message: str):
    """The row ``pk`` of ``qs``, else 404 (also for a pk that is no number: ?poll=abc)."""
    obj = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404(message)
    return obj


def upload_response(row, not_found: str) -> FileResponse:
    """A stored upload (a photo, with its ``image`` and ``content_type``) served privately;
    a file gone missing from the data directory is a 404, not a 500."""
    try:
        handle = row.image.open("rb")
    except OSError as exc:
        raise Http404(not_found) from exc
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def apply_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """An action's ValidationError next to the matching field (``rename`` maps the action's
    field names to the form's), else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def run_form(form, call: Callable[[dict], object], rename: dict | None = None) -> bool:
    """Call the action with the cleaned data if the form is valid; its ValidationError
    becomes form errors. True when the action went through."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc, rename)
        return False
    return True


def run_step(request: HttpRequest, done: str, step: Callable, **kwargs) -> None:
    """A button without fields: ``step(acting_user=…, **kwargs)``; its refusal becomes an
    error message, else ``done`` a success message."""
    try:
        step(acting_user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


def page_of(request: HttpRequest, rows) -> Page:
    """The ?page= page of ``rows`` (the last one when out of range)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
