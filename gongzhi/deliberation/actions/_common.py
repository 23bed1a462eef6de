"""What every deliberation action shares: permission checks, text checks, snapshots."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.core.permissions import Perm, can


def require_runner(acting_user, area: AreaNode | str) -> None:
    """Staff who run councils, meetings and polls for ``area`` (None: the system)."""
    if acting_user is not None and not can(acting_user, Perm.RUN_COUNCILS, area):
        raise PermissionDenied(_("您无权组织该区域的议事协商"))


def text(value, field: str, message: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)d 个字") % {"n": max_length}})
    return value


def actor(user):
    return user if getattr(user, "pk", None) else None
