"""How the audit actions of 双随机一公开 read in the timeline (merged by casework.events.labels)."""

ACTION_LABELS = {
    "inspection.files_added": "上传检查材料",
    "inspection.inspector_added": "执法人员入库",
    "inspection.inspector_updated": "更新执法人员信息",
    "inspection.inspectors_imported": "批量导入执法人员",
    "inspection.project_registered": "检查对象入库",
    "inspection.projects_imported": "批量导入检查对象",
    "inspection.risk_changed": "调整风险等级",
    "inspection.item_created": "制定抽查事项",
    "inspection.item_retired": "停用抽查事项",
    "inspection.plan_created": "制定抽查计划",
    "inspection.drawn": "随机抽取",
    "inspection.inspector_replaced": "替换抽中的执法人员",
    "inspection.redrawn": "重新抽取",
    "inspection.ended": "检查结束",
    "inspection.result_recorded": "登记检查结果",
    "inspection.published": "公开抽查结果",
}
