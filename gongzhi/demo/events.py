"""The audit log's words for what the demo loaders write: event kinds and their counts.

Registered with core.events by DemoConfig.ready().
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "demo.load": _("载入演示街道"),
    "demo.generate": _("生成演示城市"),
    "demo.load_cases": _("载入演示诉求"),
    "demo.generate_cases": _("生成演示城市诉求"),
    "demo.load_deliberation": _("载入演示议事协商"),
    "demo.load_volunteering": _("载入演示志愿服务"),
    "demo.load_renewal": _("载入演示老旧小区改造"),
    "demo.load_campaigns": _("载入演示文明创建"),
}

FIELD_LABELS = {
    "areas": _("区域数"),
    "buildings": _("楼栋数"),
    "households": _("住户数"),
    "residents": _("居民数"),
    "users": _("账号数"),
    "seed": _("随机种子"),
    "city_code": _("城市编码"),
    "cases": _("诉求件数"),
    "selections": _("评选数"),
    "events": _("办理记录数"),
    "months": _("月数"),
    "until": _("截至"),
    "by_status": _("按状态"),
    "archived_unrated": _("未评价归档数"),
    "councils": _("议事会数"),
    "volunteers": _("志愿者数"),
    "records": _("小区档案数"),
    "projects": _("改造项目数"),
}
