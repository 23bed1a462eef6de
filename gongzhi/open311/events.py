"""The audit log's words for what open311 writes: event kinds and keys of before / after.

Registered with core.events by Open311Config.ready().
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "open311.create_client": _("创建 Open311 客户端"),
    "open311.revoke_client": _("吊销 Open311 客户端"),
    "open311.file_request": _("通过 Open311 提交诉求"),
}

FIELD_LABELS = {
    "name": _("名称"),
    "prefix": _("密钥前缀"),
    "revoked_at": _("吊销时间"),
    "client": _("客户端"),
    "client_name": _("客户端名称"),
}
