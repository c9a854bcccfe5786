ACTION_LABELS = {
    "supervision.notice_issued": "发出督办函",
    "supervision.notice_replied": "回复督办函",
    "supervision.circular_drafted": "起草通报",
    "supervision.circular_edited": "修改通报",
    "supervision.circular_signed": "审核签发通报",
    "supervision.circular_issued": "印发通报",
    "supervision.circular_referred": "提出问责建议并移送",
    "supervision.report_drafted": "起草季度报告",
    "supervision.report_issued": "印发季度报告",
}
