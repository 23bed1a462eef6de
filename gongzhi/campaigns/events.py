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
    # 十星级文明户
    "campaigns.save_star_criterion": _("修改文明户星级标准"),
    "campaigns.assess_household": _("评定文明户星级"),
    "campaigns.confirm_assessment": _("确认文明户星级"),
    # 门前三包
    "campaigns.register_shop": _("登记沿街商户"),
    "campaigns.sign_shop_contract": _("签订门前三包责任书"),
    "campaigns.inspect_shop": _("门前三包检查"),
    "campaigns.open_shop_case": _("门前三包问题转诉求件"),
    "campaigns.publish_shop_board": _("发布门前三包红黑榜"),
    # 网格合伙人
    "campaigns.recruit_partners": _("发布网格合伙人招募"),
    "campaigns.close_partner_post": _("结束网格合伙人招募"),
    "campaigns.apply_as_partner": _("申请成为网格合伙人"),
    "campaigns.decide_partner_application": _("审核网格合伙人申请"),
    "campaigns.end_partnership": _("网格合伙人退出"),
    "campaigns.assign_patrol": _("派发巡查任务"),
    "campaigns.report_patrol": _("报告巡查情况"),
    # 居民公约
    "campaigns.draft_convention": _("起草居民公约"),
    "campaigns.consult_on_convention": _("居民公约征求意见"),
    "campaigns.publish_convention": _("公布居民公约"),
    "campaigns.sign_convention": _("签署居民公约"),
}

FIELD_LABELS = {
    "categories": _("评选类别"),
    "category": _("评选类别"),
    "photos": _("照片数"),
    "slot": _("第几票"),
    "votes": _("总票数"),
    "winners": _("当选名单"),
    "note": _("审定说明"),
    "awards": _("所获星级及事实依据"),
    "points_to": _("积分发放给"),
    "articles": _("条文条数"),
    "in_consultation": _("征求意见期间修改"),
    "closes_at": _("征求意见截止时间"),
    "households": _("征询户数"),
    "answered": _("已回复户数"),
    "agree": _("同意户数"),
    "conditional": _("有条件同意户数"),
    "disagree": _("不同意户数"),
    "household": _("住户"),
    "paper": _("纸质签署"),
    "shop_name": _("商户名称"),
    "shop_phone": _("商户电话"),
    "case": _("转办诉求件"),
    "failures": _("转办的问题检查"),
    "red_shops": _("红榜商户数"),
    "black_shops": _("黑榜商户数"),
    "scored_shops": _("评分商户数"),
}
