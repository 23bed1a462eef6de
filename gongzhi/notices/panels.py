"""The notices' section of a resident's home page (core may not import notices)."""

from typing import Any

from django.http import HttpRequest

from gongzhi.notices.selectors import in_period_notices, near_home_q

PANEL_SIZE = 3


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Up to three notices of the resident's neighbourhood whose notice period is running."""
    user = request.user
    if getattr(user, "resident", None) is None:
        return None
    notices = in_period_notices(user).filter(near_home_q(user))[:PANEL_SIZE]
    return {"notices": list(notices)}
