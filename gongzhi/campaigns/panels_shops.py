"""门前三包's section of the home page (register it in apps.py): for grid workers the shops
they inspect and the problems waiting for re-inspection, for shop members their open
problems, for community staff the register and the board."""

from typing import Any

from django.http import HttpRequest

from gongzhi.campaigns import selectors_shops as sel
from gongzhi.core.permissions import Perm, scope_paths


def shops_panel(request: HttpRequest) -> dict[str, Any] | None:
    """None for anyone with no shop to inspect or belong to (a few COUNT queries)."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    context: dict[str, Any] = {}
    if scope_paths(user, Perm.INSPECT) or user.is_superuser:
        shops = sel.inspectable_shops(user)
        context["inspect"] = {"shops": shops.count(),
                              "open": sel.open_problems(shops).count()}
        if not context["inspect"]["shops"]:
            context.pop("inspect")
    context["organise"] = bool(scope_paths(user, Perm.RUN_CAMPAIGNS)) or user.is_superuser
    mine = sel.my_shops(user)
    if mine.exists():
        context["mine"] = sel.open_problems(mine).count()
    if not (context.get("inspect") or context.get("mine") is not None):
        return None
    return context
