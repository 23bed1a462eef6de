"""What every deliberation action shares: the runner check, the text check, the actor."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.core.checks import required_text as text  # noqa: F401  (re-exported)
from gongzhi.core.permissions import Perm, can


def require_runner(acting_user, area: AreaNode | str) -> None:
    """Staff who run councils, meetings and polls for ``area`` (None: the system)."""
    if acting_user is not None and not can(acting_user, Perm.RUN_COUNCILS, area):
        raise PermissionDenied(_("您无权组织该区域的议事协商"))


def actor(user):
    return user if getattr(user, "pk", None) else None
