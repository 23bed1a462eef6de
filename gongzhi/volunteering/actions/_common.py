"""What every volunteering action shares: the staff check, the actor, the volunteer check."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.core.checks import required_text as text  # noqa: F401  (re-exported)
from gongzhi.core.permissions import Perm, can
from gongzhi.volunteering.models import Volunteer, VolunteerStatus


def require_manager(acting_user, area: AreaNode | str) -> None:
    """Staff who manage volunteering for ``area`` (None: the system, e.g. the worker)."""
    if acting_user is not None and not can(acting_user, Perm.MANAGE_VOLUNTEERS, area):
        raise PermissionDenied(_("您无权管理该区域的志愿服务"))


def actor(user):
    return user if getattr(user, "pk", None) else None


def volunteer_of(user) -> Volunteer:
    """The acting user's own volunteer record, active; else a clear refusal."""
    volunteer = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    if volunteer is None:
        raise PermissionDenied(_("请先注册成为志愿者"))
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("您的志愿者身份已暂停"))
    return volunteer
