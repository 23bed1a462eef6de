"""The audit log's words for what areas writes: event kinds and keys of before / after.

Registered with core.events by AreasConfig.ready(); a key that is a field of the event's
object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "areas.create_area": _("新建区域"),
    "areas.set_boundary": _("设置区域边界"),
    "areas.create_household": _("新建住户"),
    "areas.add_resident": _("添加居民"),
    "areas.import_households": _("导入住户"),
    "areas.export_households": _("导出住户"),
}

FIELD_LABELS = {
    "bbox": _("边界范围"),
    "household": _("住户"),
    "name": _("姓名"),
    "is_head": _("户主"),
    "tags": _("标签"),
    "file": _("文件"),
    "rows": _("行数"),
    "created": _("新增住户"),
    "updated": _("已有住户"),
    "changed": _("有变化的住户"),
    "compounds_created": _("新增小区"),
    "buildings_created": _("新增楼栋"),
    "residents_created": _("新增居民"),
    "residents_updated": _("更新居民"),
    "households": _("住户数"),
    "masked": _("已脱敏"),
}
