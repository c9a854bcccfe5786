"""How the audit actions of risk screening read in the timeline (merged by casework.events.labels)."""

ACTION_LABELS = {
    "risk.tender_received": "接收交易数据",
    "risk.warning_raised": "筛查发现风险预警",
    "risk.warning_dismissed": "书面说明理由排除预警",
    "risk.warning_to_clue": "预警转为问题线索",
}
