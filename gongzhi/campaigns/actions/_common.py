"""What every campaigns action shares: the organiser check, the actor, where people live."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import home_path
from gongzhi.core.permissions import Perm, can


def require_organiser(acting_user, area: AreaNode | str) -> None:
    """Staff who run the area's campaigns (None: the system)."""
    if acting_user is not None and not can(acting_user, Perm.RUN_CAMPAIGNS, area):
        raise PermissionDenied(_("您无权组织该区域的文明创建活动"))


def is_organiser(user, area: AreaNode | str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can(user, Perm.RUN_CAMPAIGNS, area)


def lives_in(user, area_path: str) -> bool:
    """An active resident on record whose home is in the area."""
    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    return bool(home and user.is_active and home.startswith(area_path))


def actor(user):
    return user if getattr(user, "pk", None) else None
