"""The orders' section of the home page: a resident's services awaiting their rating, a
volunteer's tasks and the open board of their community."""

from typing import Any

from django.http import HttpRequest

from gongzhi.volunteering import selectors
from gongzhi.volunteering.models import OrderStatus, Volunteer, VolunteerStatus


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Residents: how many services wait for their rating (and a link to the one, if one).
    Volunteers: orders waiting for them or in hand, and the open board's count."""
    user = request.user
    resident = getattr(user, "resident", None) is not None
    volunteer = Volunteer.objects.filter(user_id=user.pk,
                                         status=VolunteerStatus.ACTIVE).exists()
    if not (resident or volunteer):
        return None
    panel: dict[str, Any] = {"resident": resident, "volunteer": volunteer}
    if resident:
        to_rate = list(selectors.resident_orders(user).filter(status=OrderStatus.DONE)
                       .values_list("pk", flat=True)[:2])
        panel["to_rate"] = (selectors.resident_orders(user)
                            .filter(status=OrderStatus.DONE).count() if len(to_rate) > 1
                            else len(to_rate))
        panel["rate_order"] = {"pk": to_rate[0]} if len(to_rate) == 1 else None
    if volunteer:
        panel["waiting"] = selectors.volunteer_orders(user).filter(
            status__in=(OrderStatus.DISPATCHED, OrderStatus.ACCEPTED)).count()
        panel["board"] = selectors.open_board(user).count()
    return panel
