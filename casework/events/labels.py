"""How audit actions read in the timeline."""

from importlib import import_module

ACTION_LABELS = {
    "clock.started": "开始计时",
    "clock.reminder": "临期提醒",
    "clock.breach": "超期",
    "clock.supervision": "督办",
    "clock.circular": "列入通报",
    "clock.paused": "暂停计时",
    "clock.resumed": "恢复计时",
    "clock.completed": "计时结束",
    "clock.cancelled": "撤销计时",
    "clock.extended": "批准延期",
    "clock.recomputed": "依工作日历重新计算期限",
    "clock.rule_corrected": "按新版规则更正期限",
    "clock.rebased": "按实际办理环节的法定时限计时",
    "handoff.sent": "移交",
    "handoff.received": "签收",
    "handoff.accepted": "受理",
    "handoff.forwarded": "转送其他层级",
    "handoff.completed": "办结并反馈结果",
    "handoff.returned": "书面说明理由退回",
    "letter.issued": "签发文书",
    "identity.viewed": "查阅投诉人身份信息",
    "attachment.downloaded": "查阅/下载附件",
    "clue.received": "接收线索",
    "clue.referred_from": "登记本单位发现的问题并移送",
    "clue.reported": "收到匿名举报",
    "clue.pushed_late": "逾期推送（记入交易中心）",
    "clue.copied": "同时推送公安机关",
    "clue.callback_registered": "登记状态回调地址",
    "clue.evidence_added": "上传证据",
    "clue.registered": "登记线索",
    "clue.handled": "本部门办结",
    "clue.transferred": "移送",
    "clue.status": "线索状态变更",
    "clue.receipt_signed": "签收移送回执",
    "clue.accepted": "受理并告知移送单位",
    "clue.handling_finished": "登记处理完毕日期",
    "clue.result_reported": "书面反馈处理结果",
    "clue.returned": "书面说明理由退回",
    "clue.disputed": "提请管辖争议",
    "clue.dispute_decided": "指定管辖",
    "clue.forwarded": "转送其他层级并告知",
    "clue.closed": "线索办结（闭环）",
    "referral.penalty_power_moved": "登记行政处罚权划转综合执法",
    "referral.penalty_power_restored": "撤销行政处罚权划转登记",
    "complaint.filed": "收到投诉",
    "complaint.accepted": "受理投诉",
    "complaint.evidence_added": "收到证明材料",
    "complaint.refused": "不予受理并书面告知",
    "complaint.redirected": "书面告知向有管辖权的部门投诉",
    "complaint.transferred": "移交有管辖权的部门",
    "complaint.returned": "书面说明理由退回",
    "complaint.receipt_signed": "签收移交回执",
    "complaint.decided": "作出投诉处理决定",
    "complaint.decision_delivered": "投诉人查阅处理决定书（送达）",
    "complaint.published": "公开处理结果",
    "credit.subject_created": "登记信用主体",
    "credit.recorded": "记录信用信息",
    "credit.expert_ban_shared": "通报另一专家库管理部门",
    "credit.expert_ban_acknowledged": "记录本库对专家禁入采取的措施",
    "credit.push_confirmed": "确认已报送信用平台",
    "credit.repaired": "信用修复",
    "credit.withdrawn": "撤销信用记录",
    "credit.corrected": "更正信用记录",
    "credit.red_listed": "列入守信红名单",
    "credit.expert_ban_entered_late": "录入时已逾专家禁入通报时限（录入迟延）",
    "credit.push_queued": "报送信用平台（排队）",
    "credit.push_retried": "重新推送信用平台",
    "credit.batch_exported": "生成信用平台报送批次",
    "credit.batch_confirmed": "确认报送批次已被信用平台接收",
    "credit.pool_added": "加入专家库",
    "credit.pool_removed": "移出专家库",
    "calendar.year_loaded": "载入工作日历",
    "calendar.year_edited": "更正工作日历",
    "calendar.year_unloaded": "撤下工作日历年份",
    "rules.profile_created": "建立规则配置",
    "rules.rule_updated": "修改时限规则",
    "department.created": "新增单位",
    "department.updated": "修改单位",
    "membership.added": "授予角色",
    "apiclient.created": "新建接口客户端",
    "apiclient.token_rotated": "更换接口令牌",
}

# Mechanism apps keep their own labels next to their code (<app>/labels.py: ACTION_LABELS).
for _app in ("jointaction", "inspections", "consultations", "supervision", "risk"):
    try:
        ACTION_LABELS.update(import_module(f"{_app}.labels").ACTION_LABELS)
    except ModuleNotFoundError:
        pass


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)

ACTION_LABELS.update({
    "audit.purged": "清理过期审计记录",
    "audit.verified": "校验审计链",
    "audit.exported": "导出审计记录",
})
ACTION_LABELS.update({
    "admin.added": "系统管理后台新增",
    "admin.changed": "系统管理后台修改",
    "admin.deleted": "系统管理后台删除",
})
ACTION_LABELS["jurisdiction.attached"] = "纳入省级统一部署"
