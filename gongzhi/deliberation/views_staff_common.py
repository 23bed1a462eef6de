"""Helpers shared by the staff console pages of deliberation (议事协商 · 工作台): who gets
in, finding one row in scope, showing an action's refusal, paging, and figures as printed.

The pages themselves: views_staff_councils (councils, meetings, topics),
views_staff_contests, views_staff_votes (polls, consultations) and views_staff_resolutions.
"""

from collections.abc import Callable
from fractions import Fraction

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind
from gongzhi.core.permissions import Perm, scope_paths

T = "deliberation/staff/"
PAGE_SIZE = 50  # rows on one page of a list, and at most in a list on a summary page


def require_runner_somewhere(user) -> None:
    """403 unless the user runs councils somewhere (the pages then scope to where)."""
    if not (user.is_superuser or scope_paths(user, Perm.RUN_COUNCILS)):
        raise PermissionDenied(_("您无权组织议事协商"))


def one_or_404(qs: QuerySet, pk, message: str):
    """The row ``pk`` of ``qs``, else 404 (also for a pk that is no number: ?poll=abc)."""
    obj = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404(message)
    return obj


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


# --- figures as printed -----------------------------------------------------------------------


def share(value) -> str:
    """A Fraction (or "n/d" text) as "n/d（xx.xx%）"; a dash when there is none."""
    if value in (None, ""):
        return "—"
    value = Fraction(value)
    return f"{value.numerator}/{value.denominator}（{float(value) * 100:.2f}%）"


def steps_of(steps) -> list[dict]:
    """tally steps (objects or their stored dicts) ready to print."""
    out = []
    for s in steps:
        s = s if isinstance(s, dict) else vars(s)
        sign = ">" if s["strict"] else "≥"
        out.append({"label": s["label"], "value": share(s["value"]), "met": s["met"],
                    "needed": f"{sign} {share(s['needed'])}" if s["needed"] else "—"})
    return out


def place(area) -> str:
    """Where, as a notice board says it: 幸福街道 活龙社区 铁路小区 1栋 (no city, no grids)."""
    skip = {AreaKind.CITY, AreaKind.DISTRICT}
    return " ".join(n.name for n in area.ancestors() if n.kind not in skip and not n.is_grid)
