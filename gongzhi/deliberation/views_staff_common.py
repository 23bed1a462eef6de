"""Helpers shared by the staff console pages of deliberation (议事协商 · 工作台): who gets
in, finding one row in scope, showing an action's refusal, paging, and figures as printed.

The pages themselves: views_staff_councils (councils, meetings, topics),
views_staff_contests, views_staff_votes (polls, consultations) and views_staff_resolutions.
"""

from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind
from gongzhi.core.pages import (  # noqa: F401  (re-exported for the pages)
    PAGE_SIZE,
    apply_errors,
    one_or_404,
    page_of,
    run_form,
    run_step,
)
from gongzhi.core.permissions import Perm, scope_paths

T = "deliberation/staff/"


def require_runner_somewhere(user) -> None:
    """403 unless the user runs councils somewhere (the pages then scope to where)."""
    if not (user.is_superuser or scope_paths(user, Perm.RUN_COUNCILS)):
        raise PermissionDenied(_("您无权组织议事协商"))


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
