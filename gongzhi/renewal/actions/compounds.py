"""Compound records (小区档案): kept by community staff, the start of every plan."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.photos import check_photos
from gongzhi.core import audit
from gongzhi.renewal.actions._common import money, require_manager, save_photos
from gongzhi.renewal.models import CompoundRecord, Management

MAX_FLOOR_AREA = Decimal("9999999999.99")  # what the column holds
RECORD_FIELDS = ["built_year", "floor_area", "management", "manager", "facilities",
                 "problems"]


def check_built_year(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 1800 <= year <= timezone.localdate().year:
        raise ValidationError({"built_year": _("建成年份须是 1800 年到今年之间的四位数字")})
    return year


def _floor_area(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        area = money(value, "floor_area")
    except ValidationError as exc:
        raise ValidationError({"floor_area": _("建筑面积须是大于零的数字（m²，最多两位小数）")}
                              ) from exc
    if area > MAX_FLOOR_AREA:
        raise ValidationError({"floor_area": _("建筑面积过大")})
    return area


def _clean(fields: dict) -> dict:
    out = dict(fields)
    if "built_year" in out:
        out["built_year"] = check_built_year(out["built_year"])
    if "floor_area" in out:
        out["floor_area"] = _floor_area(out["floor_area"])
    if "management" in out and out["management"] not in Management.values:
        raise ValidationError({"management": _("未知的管理方式")})
    manager = out.get("manager")
    if manager is not None and not isinstance(manager, Organisation):
        raise ValidationError({"manager": _("请选择管理单位")})
    for name, limit in (("facilities", 2000), ("problems", 2000)):
        if name in out:
            out[name] = (out[name] or "").strip()
            if len(out[name]) > limit:
                raise ValidationError({name: _("不能超过 %(n)d 个字") % {"n": limit}})
    unknown = set(out) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not record fields: {sorted(unknown)}")
    return out


def write_record(compound: AreaNode, fields: dict) -> tuple[CompoundRecord, dict | None]:
    """Create or change the record without an audit event (the caller writes one)."""
    if not isinstance(compound, AreaNode) or compound.kind != AreaKind.COMPOUND:
        raise ValidationError({"compound": _("请选择一个小区")})
    fields = _clean(fields)
    record = (CompoundRecord.objects.select_for_update().filter(compound=compound).first()
              or CompoundRecord(compound=compound, area_path=compound.path))
    before = audit.snapshot(record, RECORD_FIELDS) if record.pk else None
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    return record, before


@transaction.atomic
def save_compound_record(*, compound: AreaNode, acting_user, photos=(), **fields
                         ) -> CompoundRecord:
    """一院一档: create or update the record of a compound, with photos of it."""
    require_manager(acting_user, compound)
    checked = check_photos(photos)
    record, before = write_record(compound, fields)
    save_photos(checked, area_path=record.area_path, record=record)
    audit.record(actor=acting_user, action="renewal.save_compound_record", obj=record,
                 before=before, after=audit.snapshot(record, RECORD_FIELDS)
                 | {"photos": len(checked)})
    return record
