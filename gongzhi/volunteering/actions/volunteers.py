"""Registering volunteers (志愿者注册), party members reporting to a community (双报到)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.areas.selectors import home_path
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, can
from gongzhi.volunteering.actions._common import require_manager
from gongzhi.volunteering.models import Volunteer, VolunteerStatus

FIELDS = ["area", "skills", "availability", "is_party_member", "party_unit", "expected_hours",
          "status"]


def _clean(skills: str, availability: str, party_unit: str, expected_hours) -> dict:
    if expected_hours in ("", None):
        expected_hours = None
    else:
        try:
            expected_hours = int(expected_hours)
        except (TypeError, ValueError):
            raise ValidationError({"expected_hours": _("应服务时长须为整数")}) from None
        if not 0 <= expected_hours <= 2000:
            raise ValidationError({"expected_hours": _("应服务时长须在 0 到 2000 小时之间")})
    return {"skills": (skills or "").strip()[:200],
            "availability": (availability or "").strip()[:200],
            "party_unit": (party_unit or "").strip()[:100], "expected_hours": expected_hours}


@transaction.atomic
def register_volunteer(*, user, community: AreaNode, acting_user, skills: str = "",
                       availability: str = "", is_party_member: bool = False,
                       party_unit: str = "", expected_hours=None) -> Volunteer:
    """A resident registers in their own community; a party member may report (双报到) to
    any community, naming their unit; staff register anyone in their area."""
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError({"community": _("请选择社区")})
    staff = acting_user is None or can(acting_user, Perm.MANAGE_VOLUNTEERS, community)
    if not staff:
        if acting_user.pk != user.pk:
            raise PermissionDenied(_("只能为自己注册志愿者"))
        home = home_path(user)
        if not (home and home.startswith(community.path)) and not is_party_member:
            raise PermissionDenied(_("只能在自己居住的社区注册；在职党员请选择“党员报到”"))
    fields = _clean(skills, availability, party_unit, expected_hours)
    if is_party_member and not fields["party_unit"]:
        raise ValidationError({"party_unit": _("请填写党员所在单位")})
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=user, area=community, area_path=community.path,
                is_party_member=bool(is_party_member), registered_at=timezone.now(), **fields)
    except IntegrityError:
        raise ValidationError(_("该账号已经注册为志愿者")) from None
    audit.record(actor=acting_user, action="volunteering.register_volunteer", obj=volunteer,
                 after=audit.snapshot(volunteer, FIELDS) | {"user": user.pk})
    return volunteer


@transaction.atomic
def update_volunteer(*, volunteer: Volunteer, acting_user, skills: str | None = None,
                     availability: str | None = None, party_unit: str | None = None,
                     expected_hours=None) -> Volunteer:
    """The volunteer themself or staff of the community change the details."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if acting_user is not None and acting_user.pk != volunteer.user_id:
        require_manager(acting_user, volunteer.area_path)
    before = audit.snapshot(volunteer, FIELDS)
    fields = _clean(volunteer.skills if skills is None else skills,
                    volunteer.availability if availability is None else availability,
                    volunteer.party_unit if party_unit is None else party_unit,
                    volunteer.expected_hours if expected_hours is None else expected_hours)
    for name, value in fields.items():
        setattr(volunteer, name, value)
    volunteer.save()
    audit.record(actor=acting_user, action="volunteering.update_volunteer", obj=volunteer,
                 before=before, after=audit.snapshot(volunteer, FIELDS))
    return volunteer


@transaction.atomic
def set_volunteer_status(*, volunteer: Volunteer, status: str, acting_user,
                         reason: str = "") -> Volunteer:
    """Staff suspend a volunteer (暂停) or take them back (恢复)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    require_manager(acting_user, volunteer.area_path)
    if status not in VolunteerStatus.values:
        raise ValidationError({"status": _("未知的状态")})
    before = audit.snapshot(volunteer, FIELDS)
    volunteer.status = status
    volunteer.save(update_fields=["status"])
    audit.record(actor=acting_user, action="volunteering.set_volunteer_status", obj=volunteer,
                 before=before, after=audit.snapshot(volunteer, FIELDS) | {"reason": reason})
    return volunteer
