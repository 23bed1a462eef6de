"""Who a deliberation concerns: where a user lives, who owns a unit, which households a
consultation asks. Shared by the actions and the selectors (neither imports the other)."""

from django.db.models import QuerySet

from gongzhi.areas.models import Household
from gongzhi.areas.selectors import home_path
from gongzhi.core.tree import subtree_q


def lives_in(user, area_path: str) -> bool:
    home = home_path(user)
    return bool(getattr(user, "is_authenticated", False) and user.is_active and home
                and home.startswith(area_path))


def owner_key(household: Household) -> str:
    """The household's owner by headcount: the head's ID number when known (one owner of
    several units counts once), else the unit itself."""
    head = household.head
    if head is not None and head.id_number:
        return f"id:{head.id_number.upper()}"
    return f"unit:{household.pk}"


def households_of(consultation) -> QuerySet[Household]:
    """The households consulted: the area's, or one unit (单元) of a building."""
    households = Household.objects.filter(subtree_q(consultation.area_path, "area_path"))
    if consultation.unit:
        households = households.filter(unit=consultation.unit)
    return households
