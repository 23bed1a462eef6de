"""The audit log's words for what campaigns writes: event kinds and keys of before / after.

Registered with core.events by CampaignsConfig.ready(); a key that is a field of the
event's object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "campaigns.create_selection": _("发起最美评选"),
    "campaigns.open_nominations": _("开始推荐报名"),
    "campaigns.nominate": _("推荐评选对象"),
    "campaigns.review_nomination": _("审核推荐"),
    "campaigns.open_voting": _("开始群众投票"),
    "campaigns.cast_vote": _("评选投票"),
    "campaigns.close_voting": _("结束投票"),
    "campaigns.confirm_winners": _("审定评选名单"),
    "campaigns.announce_winners": _("公布评选结果"),
}

FIELD_LABELS = {
    "categories": _("评选类别"),
    "category": _("评选类别"),
    "photos": _("照片数"),
    "slot": _("第几票"),
    "votes": _("总票数"),
    "winners": _("当选名单"),
    "note": _("审定说明"),
}
