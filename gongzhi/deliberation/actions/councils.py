"""Councils (议事会) and their members: who sits on them, in what capacity, for which term."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.deliberation.actions._common import require_runner, text
from gongzhi.deliberation.models import Capacity, Council, CouncilKind, CouncilMember

FIELDS = ["kind", "name", "area", "support_threshold", "term_start", "term_end", "is_active"]
MEMBER_FIELDS = ["council", "user", "name", "capacity", "organisation", "joined_on", "left_on"]


def _threshold(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"support_threshold": _("附议数须为整数")}) from None
    if not 1 <= value <= 10000:
        raise ValidationError({"support_threshold": _("附议数须在 1 至 10000 之间")})
    return value


@transaction.atomic
def create_council(*, kind: str, name: str, area: AreaNode, term_start: date, acting_user,
                   term_end: date | None = None, support_threshold: int = 10) -> Council:
    require_runner(acting_user, area)
    if kind not in CouncilKind.values:
        raise ValidationError({"kind": _("请选择议事会类型")})
    if term_end is not None and term_end <= term_start:
        raise ValidationError({"term_end": _("任期结束须晚于任期开始")})
    council = Council.objects.create(
        kind=kind, name=text(name, "name", _("请填写名称"), 100), area=area,
        area_path=area.path, term_start=term_start, term_end=term_end,
        support_threshold=_threshold(support_threshold))
    audit.record(actor=acting_user, action="deliberation.create_council", obj=council,
                 after=audit.snapshot(council, FIELDS))
    return council


@transaction.atomic
def update_council(*, council: Council, acting_user, name: str | None = None,
                   support_threshold: int | None = None, term_end: date | None = None,
                   is_active: bool | None = None) -> Council:
    council = Council.objects.select_for_update().get(pk=council.pk)
    require_runner(acting_user, council.area_path)
    before = audit.snapshot(council, FIELDS)
    if name is not None:
        council.name = text(name, "name", _("请填写名称"), 100)
    if support_threshold is not None:
        council.support_threshold = _threshold(support_threshold)
    if term_end is not None:
        if term_end <= council.term_start:
            raise ValidationError({"term_end": _("任期结束须晚于任期开始")})
        council.term_end = term_end
    if is_active is not None:
        council.is_active = bool(is_active)
    council.save()
    audit.record(actor=acting_user, action="deliberation.update_council", obj=council,
                 before=before, after=audit.snapshot(council, FIELDS))
    return council


@transaction.atomic
def add_member(*, council: Council, name: str, capacity: str, acting_user,
               user: User | None = None, organisation: Organisation | None = None,
               joined_on: date | None = None) -> CouncilMember:
    """A seat on the council, held in one capacity (居民代表, 物业, 业委会 …)."""
    require_runner(acting_user, council.area_path)
    if capacity not in Capacity.values:
        raise ValidationError({"capacity": _("请选择成员身份")})
    name = text(name or (user.display_name if user else ""), "name", _("请填写姓名"), 50)
    try:
        with transaction.atomic():
            member = CouncilMember.objects.create(
                council=council, user=user, name=name, capacity=capacity,
                organisation=organisation, joined_on=joined_on or timezone.localdate())
    except IntegrityError:
        raise ValidationError({"user": _("该账号已是本议事会成员")}) from None
    audit.record(actor=acting_user, action="deliberation.add_member", obj=member,
                 area_path=council.area_path, after=audit.snapshot(member, MEMBER_FIELDS))
    if user is not None:
        notify([user], kind="deliberation.member_added",
               title=_("您已成为%(council)s成员") % {"council": council.name},
               url=f"/deliberation/councils/{council.pk}/")
    return member


@transaction.atomic
def remove_member(*, member: CouncilMember, acting_user, left_on: date | None = None
                  ) -> CouncilMember:
    """The seat ends (退出); attendance and votes already recorded stay."""
    member = CouncilMember.objects.select_for_update().select_related("council").get(
        pk=member.pk)
    require_runner(acting_user, member.council.area_path)
    if member.left_on is not None:
        raise ValidationError(_("该成员已退出"))
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.left_on = left_on or timezone.localdate()
    member.save(update_fields=["left_on"])
    audit.record(actor=acting_user, action="deliberation.remove_member", obj=member,
                 area_path=member.council.area_path, before=before,
                 after=audit.snapshot(member, MEMBER_FIELDS))
    return member
