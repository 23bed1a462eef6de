"""The service menu (服务项目库): items by library, each with the team that offers it, the
area it serves and the hours it usually takes. Residents order from it (点单)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.volunteering.actions._common import require_manager, text
from gongzhi.volunteering.models import Library, ServiceItem

FIELDS = ["library", "name", "description", "team", "usual_hours", "area", "is_active"]
MAX_HOURS = Decimal(24)


def parse_hours(value, field: str, minimum: Decimal, message: str) -> Decimal:
    """``value`` as hours with at most one decimal, ``minimum`` to 24; else ``message``."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写有效的时长（小时）")}) from None
    if not hours.is_finite():
        raise ValidationError({field: _("请填写有效的时长（小时）")})
    if not minimum <= hours <= MAX_HOURS:
        raise ValidationError({field: message})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({field: _("时长最多保留一位小数")})
    return hours.quantize(Decimal("0.1"))


def team_serves(team: Organisation, path: str) -> bool:
    """The team serves ``path``, a node above it (its community …) or a part of it."""
    return any(p.startswith(path) or path.startswith(p)
               for p in team.areas.values_list("path", flat=True))


def check_team(team: Organisation, path: str) -> None:
    if team.kind != OrgKind.VOLUNTEER_TEAM:
        raise ValidationError({"team": _("请选择志愿服务队")})
    if not team.is_active:
        raise ValidationError({"team": _("该志愿服务队已停用")})
    if not team_serves(team, path):
        raise ValidationError({"team": _("该志愿服务队不在此区域服务")})


@transaction.atomic
def save_service_item(*, acting_user, library: str, name: str, usual_hours, area: AreaNode,
                      team: Organisation | None = None, description: str = "",
                      item: ServiceItem | None = None) -> ServiceItem:
    """Staff add an item to the menu of their area, or change one (``item``)."""
    before = None
    if item is not None:
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        require_manager(acting_user, item.area_path)  # the item's current area, and …
    require_manager(acting_user, area)  # … the area it is to serve
    if library not in Library.values:
        raise ValidationError({"library": _("请选择项目库")})
    name = text(name, "name", _("请填写服务项目名称"), 100)
    description = (description or "").strip()
    if len(description) > 2000:
        raise ValidationError({"description": _("不能超过 %(n)d 个字") % {"n": 2000}})
    hours = parse_hours(usual_hours, "usual_hours", Decimal("0.5"),
                        _("一般用时须在 0.5 到 24 小时之间"))
    if team is not None:
        check_team(team, area.path)
    if item is None:
        item = ServiceItem(is_active=True)
    else:
        before = audit.snapshot(item, FIELDS)
    item.library, item.name, item.description = library, name, description
    item.usual_hours, item.team = hours, team
    item.area, item.area_path = area, area.path
    item.save()
    audit.record(actor=acting_user, action="volunteering.save_service_item", obj=item,
                 before=before, after=audit.snapshot(item, FIELDS))
    return item


@transaction.atomic
def retire_service_item(*, item: ServiceItem, acting_user) -> ServiceItem:
    """Take an item off the menu (下架); orders already placed go on."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_manager(acting_user, item.area_path)
    if not item.is_active:
        raise ValidationError(_("该服务项目已下架"))
    before = audit.snapshot(item, FIELDS)
    item.is_active = False
    item.save(update_fields=["is_active"])
    audit.record(actor=acting_user, action="volunteering.retire_service_item", obj=item,
                 before=before, after=audit.snapshot(item, FIELDS))
    return item
