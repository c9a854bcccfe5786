"""How audit actions read in the timeline."""

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
    "clock.recomputed": "依工作日历重新计算期限",
    "clock.rule_corrected": "按新版规则更正期限",
    "handoff.sent": "移交",
    "handoff.received": "签收",
    "handoff.completed": "办结并反馈结果",
    "handoff.returned": "书面说明理由退回",
    "calendar.year_loaded": "载入工作日历",
    "calendar.year_edited": "更正工作日历",
    "rules.profile_created": "建立规则配置",
    "rules.rule_updated": "修改时限规则",
    "department.created": "新增单位",
    "department.updated": "修改单位",
    "membership.added": "授予角色",
    "apiclient.created": "新建接口客户端",
    "apiclient.token_rotated": "更换接口令牌",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
