"""The audit log's words for what renewal writes: event kinds and keys of before / after.

Registered with core.events by RenewalConfig.ready(); a key that is a field of the event's
object with a verbose name of its own needs no entry here.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    # compound records
    "renewal.save_compound_record": _("保存小区档案"),
    "renewal.import_compound_records": _("导入小区档案"),
    # batches and projects, stage by stage
    "renewal.create_batch": _("新建改造批次"),
    "renewal.create_project": _("新建改造项目"),
    "renewal.start_planning": _("开始谋划"),
    "renewal.put_plan_to_vote": _("方案交付表决"),
    "renewal.submit_plan": _("方案报批"),
    "renewal.decide_plan": _("审批方案"),
    "renewal.start_works": _("开始施工"),
    "renewal.start_acceptance": _("开始验收"),
    "renewal.complete_acceptance": _("完成验收"),
    "renewal.record_management": _("登记长效管理"),
    # items of work
    "renewal.add_item": _("添加改造内容"),
    "renewal.update_item": _("修改改造内容"),
    "renewal.start_item": _("开始施工（分项）"),
    "renewal.log_progress": _("登记施工进度"),
    "renewal.finish_item": _("完工（分项）"),
    # needs survey
    "renewal.create_survey": _("新建需求调查"),
    "renewal.open_survey": _("开始需求调查"),
    "renewal.close_survey": _("结束需求调查"),
    "renewal.answer_survey": _("填写需求调查"),
    # funding
    "renewal.set_source": _("登记资金来源"),
    "renewal.commit_funds": _("落实资金"),
    "renewal.record_payment": _("登记资金支出"),
    # residents' supervision and acceptance
    "renewal.appoint_member": _("委任项目居民成员"),
    "renewal.release_member": _("解除项目居民成员"),
    "renewal.log_inspection": _("登记监督巡查"),
    "renewal.sign_off_item": _("签署验收意见"),
}

FIELD_LABELS = {
    "photos": _("照片数"),
    "file": _("文件"),
    "rows": _("行数"),
    "created": _("新增"),
    "updated": _("更新"),
    "unchanged": _("未变化"),
    "compounds": _("小区"),
    "year": _("年度"),
    "name": _("名称"),
    "area": _("区域"),
    "poll": _("表决"),
    "consultation": _("意见征询"),
    "resolution": _("决议"),
    "funding_notice": _("资金公开公告"),
    "via": _("表决方式"),
    "note": _("说明"),
    "options": _("需求选项数"),
    "household": _("住户"),
    "source": _("来源"),
    "choices": _("所选需求"),
    "amount": _("金额（元）"),
    "paid_on": _("支付日期"),
    "project": _("改造项目"),
    "user": _("用户"),
    "role": _("角色"),
    "left_at": _("解除时间"),
    "inspection": _("监督巡查"),
    "item": _("改造内容"),
    "case": _("诉求件"),
    "status": _("状态"),
    "stage": _("阶段"),
    "party": _("验收方"),
    "accepted": _("同意验收"),
    "reason": _("理由"),
}
