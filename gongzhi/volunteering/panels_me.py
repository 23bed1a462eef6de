"""The volunteer's section of the home page: hours, star level, points, the next activity.

Register in VolunteeringConfig.ready():
    register_home_panel("volunteering.me", "volunteering/me/panel.html", panels_me.volunteer_panel)
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from gongzhi.volunteering import selectors
from gongzhi.volunteering.models import Volunteer


def volunteer_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Registered volunteers only (None for everyone else)."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    if not Volunteer.objects.filter(user_id=user.pk).exists():
        return None
    balance = selectors.balances(user)
    next_signup = (selectors.my_signups(user)
                   .filter(status="signed", activity__status="published",
                           activity__ends_at__gt=timezone.now())
                   .order_by("activity__starts_at", "id").first())
    return {"hours": balance["hours"], "stars": balance["stars"],
            "stars_text": "★" * balance["stars"] + "☆" * (5 - balance["stars"]),
            "points": balance["points"], "next_signup": next_signup}
