"""The audit log's words for what volunteering writes: event kinds and keys of before / after.

Registered with core.events by VolunteeringConfig.ready(); a key that is a field of the
event's object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    # volunteers and the service menu
    "volunteering.register_volunteer": _("注册志愿者"),
    "volunteering.update_volunteer": _("修改志愿者信息"),
    "volunteering.set_volunteer_status": _("变更志愿者状态"),
    "volunteering.save_service_item": _("保存服务项目"),
    "volunteering.retire_service_item": _("停用服务项目"),
    # service orders (四单) and micro-wishes
    "volunteering.place_order": _("点单"),
    "volunteering.post_wish": _("发布微心愿"),
    "volunteering.dispatch_order": _("派单"),
    "volunteering.post_to_board": _("发布待认领"),
    "volunteering.claim_order": _("认领订单"),
    "volunteering.accept_order": _("接单"),
    "volunteering.decline_order": _("退回订单"),
    "volunteering.complete_order": _("完成服务"),
    "volunteering.rate_order": _("评单"),
    "volunteering.cancel_order": _("取消订单"),
    "volunteering.flag_stale_orders": _("超时未接单提醒"),
    # activities
    "volunteering.publish_activity": _("发布志愿活动"),
    "volunteering.cancel_activity": _("取消志愿活动"),
    "volunteering.sign_up": _("报名志愿活动"),
    "volunteering.cancel_signup": _("取消活动报名"),
    "volunteering.check_in": _("活动签到"),
    "volunteering.check_out": _("活动签退"),
    "volunteering.confirm_attendance": _("确认活动出勤"),
    # duty rosters
    "volunteering.create_shift_template": _("新建值守岗位"),
    "volunteering.retire_shift_template": _("停用值守岗位"),
    "volunteering.generate_shifts": _("生成值守班次"),
    "volunteering.sign_up_shift": _("报名值守班次"),
    "volunteering.cancel_shift_signup": _("取消值守报名"),
    "volunteering.request_swap": _("申请换班"),
    "volunteering.answer_swap": _("答复换班"),
    "volunteering.confirm_shift": _("确认值守出勤"),
    # hours, time bank, points, rewards and coupons
    "volunteering.credit_hours": _("记录服务时长"),
    "volunteering.spend_units": _("使用时间币"),
    "volunteering.transfer_units": _("转赠时间币"),
    "volunteering.save_points_rule": _("保存积分规则"),
    "volunteering.save_reward": _("保存积分礼品"),
    "volunteering.restock_reward": _("补充礼品库存"),
    "volunteering.redeem_reward": _("积分兑换礼品"),
    "volunteering.hand_over_redemption": _("发放兑换礼品"),
    "volunteering.save_coupon": _("保存友邻券"),
    "volunteering.buy_coupon": _("积分兑换友邻券"),
    "volunteering.redeem_coupon_code": _("核销友邻券"),
}

FIELD_LABELS = {
    "user": _("用户"),
    "reason": _("原因"),
    "points": _("积分"),
    "flagged_at": _("超时提醒时间"),
    "status": _("状态"),
    "activity": _("志愿活动"),
    "volunteer": _("志愿者"),
    "moved_up": _("递补志愿者"),
    "checked_in_at": _("签到时间"),
    "checked_out_at": _("签退时间"),
    "present": _("到场志愿者"),
    "credited": _("已记时长的志愿者"),
    "is_active": _("启用"),
    "start": _("开始日期"),
    "end": _("结束日期"),
    "created": _("新建班次数"),
    "shift": _("值守班次"),
    "signup": _("报名"),
    "to_volunteer": _("接班志愿者"),
    "hours": _("服务时长（小时）"),
    "source_key": _("来源编号"),
    "units": _("时间币"),
    "holder": _("持有人"),
    "note": _("备注"),
    "balance": _("余额"),
    "from": _("转出人"),
    "to": _("转入人"),
    "key": _("转赠编号"),
    "add": _("补充数量"),
    "stock": _("库存"),
    "reward": _("积分礼品"),
    "handed_over": _("已发放"),
    "coupon": _("友邻券"),
    "merchant": _("商户"),
}
