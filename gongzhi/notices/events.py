"""The audit log's words for what notices writes: event kinds and keys of before / after.

Registered with core.events by NoticesConfig.ready(); a key that is a field of the event's
object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "notices.draft": _("起草公告"),
    "notices.publish": _("发布公告"),
    "notices.withdraw": _("撤回公告"),
    "notices.object": _("提出异议"),
    "notices.answer_objection": _("答复异议"),
}

FIELD_LABELS = {
    "notice": _("公告"),
    "reason": _("原因"),
    "status": _("状态"),
}
