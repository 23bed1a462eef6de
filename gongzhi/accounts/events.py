"""The audit log's words for what accounts writes: event kinds and keys of before / after.

Registered with core.events by AccountsConfig.ready(); a key that is a field of the event's
object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "accounts.grant_role": _("授予角色"),
    "accounts.revoke_role": _("收回角色"),
    "accounts.create_organisation": _("新建组织"),
    "accounts.add_member": _("添加组织成员"),
    "accounts.login_failed": _("登录失败"),
    "accounts.lock": _("锁定账号"),
    "accounts.clear_login_failures": _("清除登录失败次数"),
    "accounts.unlock": _("解锁账号"),
    "accounts.create_api_token": _("创建 API 令牌"),
    "accounts.revoke_api_token": _("吊销 API 令牌"),
}

FIELD_LABELS = {
    "user": _("用户"),
    "role": _("角色"),
    "area": _("区域"),
    "areas": _("服务区域"),
    "kind": _("类型"),
    "code": _("编码"),
    "name": _("名称"),
    "organisation": _("组织"),
    "title": _("职务"),
    "failed_logins": _("连续登录失败次数"),
    "locked_until": _("锁定至"),
    "prefix": _("令牌前缀"),
    "revoked_at": _("吊销时间"),
}
