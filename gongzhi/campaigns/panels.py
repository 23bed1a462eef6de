"""Campaigns' section of the resident home page and its entry in the residents' menu."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns.models import Stage
from gongzhi.campaigns.selectors import selections_near


def nav_url(request: HttpRequest) -> str | None:
    """最美评选 in the residents' menu, for those with a selection near them (one EXISTS
    query; the household comes from the read the menu shares)."""
    resident_at_home(request.user)
    if not selections_near(request.user).exists():
        return None
    return reverse("campaigns:home")


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Selections open now near my home: where I may nominate or vote."""
    resident_at_home(request.user)
    open_now = list(selections_near(request.user)
                    .filter(stage__in=[Stage.NOMINATING, Stage.VOTING])[:5])
    if not open_now:
        return None
    return {"selections": open_now}
