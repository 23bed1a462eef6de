"""The audit log's words for what cases writes: event kinds and keys of before / after.

Registered with core.events by CasesConfig.ready(); a key that is a field of the event's
object with a verbose name of its own (a case's status, deadlines, assignee …) needs no
entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "cases.submit_case": _("上报诉求"),
    "cases.accept_case": _("受理诉求"),
    "cases.reject_case": _("不予受理"),
    "cases.reclassify_case": _("调整分类"),
    "cases.dispatch_case": _("派单"),
    "cases.forward_case": _("转办"),
    "cases.escalate_case": _("上报上级"),
    "cases.start_case": _("开始办理"),
    "cases.add_note": _("添加办理记录"),
    "cases.record_deliberation": _("记录议事协商"),
    "cases.request_extension": _("申请延期"),
    "cases.decide_extension": _("审批延期"),
    "cases.resolve_case": _("办结"),
    "cases.rate_case": _("评价"),
    "cases.archive_unrated": _("逾期未评价归档"),
    "cases.support_case": _("附议"),
    "cases.merge_cases": _("合并重复诉求"),
    "cases.create_category": _("新建问题分类"),
    "cases.change_category": _("修改问题分类"),
    "cases.load_categories": _("载入问题分类"),
    "cases.save_routing_rule": _("保存派单规则"),
    "cases.delete_routing_rule": _("删除派单规则"),
    "cases.scan_deadlines": _("发送时限提醒"),
}

FIELD_LABELS = {
    "event": _("办理环节"),
    "version": _("版本"),
    "photos": _("照片数"),
    "from_category": _("原分类"),
    "category": _("问题分类"),
    "to_user": _("派给"),
    "to_org": _("转至单位"),
    "from_org": _("原承办单位"),
    "to_area": _("上报至"),
    "escalated_to": _("上报至"),
    "five_questions": _("五问"),
    "extension": _("延期申请"),
    "workdays": _("延期工作日"),
    "approved": _("批准"),
    "reopened": _("重新办理"),
    "unrated": _("未评价"),
    "supporter": _("附议人"),
    "into": _("合并到"),
    "added": _("新增附议"),
    "topic": _("议题"),
    "resolution": _("决议"),
    "area": _("区域"),
    "organisation": _("承办单位"),
    "created": _("新增"),
    "updated": _("更新"),
    "reminders": _("提醒数"),
    "by_kind": _("按类型"),
    "cases": _("诉求件"),
}
