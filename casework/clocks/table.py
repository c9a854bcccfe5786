"""The clock table: for every preset, every rule: what starts its clock, which date a person gives,
the limit, what completes it, what cancels it, the escalation ladder and the clause.

Generated from the preset rule files (casework/presets/rules/*.toml, the same data profiles are
loaded from), so the table cannot drift from what the portal enforces. The mechanics (which event
in the portal starts, completes or cancels a clock) are described once per rule key below; a rule
key without a description fails the table's test.

`python manage.py clock_table` writes docs/clock-table.md; /clocks/table/ serves the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework import presets
from casework.rules.models import Source, StartsOn, Unit

DEFAULT_BASIS = "本地文件未规定时限，采用默认值（{ref}）"


@dataclass(frozen=True)
class Mechanics:
    mechanism: str
    start: str          # the real-world event the clock counts from, as the portal records it
    input_date: str     # the date a person gives (checked: not in the future, not before its predecessor)
    completes: str
    cancels: str


NO_INPUT = "—（事件在平台内发生，以系统时间为准）"

MECHANICS: dict[str, Mechanics] = {
    "referral.push": Mechanics(
        "线索移交", "发现疑似违法违规问题之时（discovered_at）",
        "发现时间（交易中心系统或人工推送时填写，不得晚于当前时间）",
        "线索推送入平台时结束：期限内为按期，否则记为逾期推送", "—"),
    "referral.transfer": Mechanics(
        "线索移交", "行政监督部门收到线索之时；部门自行发现并移送的，为发现之日；被退回的，为退回之时",
        "部门自行发现并移送时填写发现时间", "自行办结或移送（移送函送达）时结束", "—"),
    "referral.return": Mechanics(
        "线索移交", "移送函送达接收单位之时", "纸质、邮寄或邮件送达的，填写实际送达时间（不早于线索接收时间）",
        "受理、书面说明理由退回或转送其他层级时结束", "指定管辖的移送不启动本时钟（不得退回）"),
    "referral.accept_notice": Mechanics(
        "线索移交", "接收单位作出受理决定之时", "受理决定时间（不早于送达时间）",
        "受理时即通过平台告知移送单位，当即结束", "—"),
    "referral.result_feedback": Mechanics(
        "线索移交", "处理完毕日期", "处理完毕日期（不晚于今天、不早于受理日期）",
        "书面反馈处理结果时结束（登记处理完毕后时钟保持计时，直至书面反馈）", "—"),
    "referral.dispute_decide": Mechanics(
        "线索移交", "同一事项在两单位间第二次被退回、提请管辖争议之时", NO_INPUT,
        "综合监管部门指定管辖时结束", "—"),
    "assistance.review": Mechanics(
        "协助办理", "协助办理函送达之时", NO_INPUT, "决定协助或退回时结束", "—"),
    "assistance.return": Mechanics(
        "协助办理", "协助办理函送达之时", NO_INPUT, "书面说明理由退回时结束",
        "决定协助办理时以“不适用”撤销（不计为按期完成）"),
    "assistance.result": Mechanics(
        "协助办理", "决定协助办理之时", "请求单位在函中载明的反馈期限（休息日顺延至下一工作日并提示）",
        "书面反馈协助办理结果时结束", "—"),
    "complaint.accept": Mechanics(
        "投诉", "收到投诉之时（网上、接口提交为提交时间；书面、电话投诉为收到之日）；移交来的为移交送达之时",
        "书面、电话投诉填写收到投诉日期（不晚于今天、不早于异议提出日期），录入延迟记录在案",
        "受理或不予受理时结束（审查环节只有一个计时：见下方说明）", "—"),
    "complaint.accept_procurement": Mechanics(
        "投诉", "收到投诉之时（同上）", "同上", "受理或不予受理时结束（同上）", "—"),
    "complaint.transfer": Mechanics(
        "投诉", "收到投诉之时（同上）", "同上", "移交有管辖权的部门时结束", "—"),
    "complaint.redirect_notice": Mechanics(
        "投诉", "收到投诉之时（同上）", "同上", "书面告知投诉人向有管辖权的部门投诉时结束", "—"),
    "complaint.decide": Mechanics(
        "投诉", "受理之时", NO_INPUT, "作出书面处理决定时结束；检验、检测、鉴定、专家评审期间暂停计时", "—"),
    "complaint.decide_procurement": Mechanics(
        "投诉", "收到投诉之时（移交来的为移交送达之时），不是受理之时", NO_INPUT,
        "作出处理决定时结束；检验、检测、鉴定、专家评审及补正材料期间暂停计时", "—"),
    "objection.answer": Mechanics(
        "投诉", "招标人收到异议之日", "—（平台仅登记异议提出日期，用于投诉审查）",
        "本平台不对招标人计时，仅作为审查投诉的依据", "—"),
    "credit.expert_ban_notify": Mechanics(
        "失信惩戒", "处罚决定或不良行为记录产生之日（由信用模块按事件日期起算）", "处罚/记录日期",
        "另一专家库主管部门确认收到通报时结束", "记录撤回或更正时撤销（信用模块）"),
    "credit.penalty_publish": Mechanics(
        "失信惩戒", "行政处罚决定之日", "处罚决定日期", "推送信用平台成功时结束",
        "记录撤回或更正时撤销（信用模块）"),
    "consultation.regular_meeting": Mechanics(
        "会商", "周期开始之日（1月1日、7月1日或季度首日），期满日为周期最后一日（12-31、06-30 等）", NO_INPUT,
        "召开本周期例会时结束", "—"),
    "consultation.member_change_report": Mechanics(
        "会商", "责任领导或联络员调整确定之日", "人员调整确定日期（不晚于今天）", "成员单位报送变动时结束", "—"),
    "inspection.publish_results": Mechanics(
        "双随机一公开", "检查工作结束之日", "检查结束时间（不晚于当前时间）", "公开抽查事项、计划和结果时结束", "—"),
    "supervision.report": Mechanics(
        "督查报告", "季度结束的次日（平台为每个综合监管办公室开启本季度报告）", NO_INPUT,
        "负责人审核签发季度报告、报送委员会并分送成员单位时结束", "—"),
    "supervision.notice_reply": Mechanics(
        "督办", "督办函送达被督办部门之时", "综合监管办公室在督办函中确定的回复期限（休息日顺延并提示）",
        "被督办部门书面回复时结束", "—"),
    "jointaction.plan_reply": Mechanics(
        "联合执法", "发起部门征求方案意见之时", "发起部门确定的答复期限（休息日顺延并提示）",
        "参与部门确认方案时结束", "方案修订、重新征求意见时撤销"),
    "consultation.meeting_reply": Mechanics(
        "会商", "会议邀请发出之时", "会议通知确定的答复期限", "答复邀请时结束",
        "会议取消或已召开而未答复时撤销"),
    "consultation.decision": Mechanics(
        "会商", "会议作出决定之时", "会议议定的完成期限", "报告落实结果时结束", "议定事项撤回时撤销"),
    "consultation.rule_comments": Mechanics(
        "会商", "征求意见函发出之时", "征求意见时确定的反馈期限", "反馈意见时结束",
        "期限届满未反馈、起草单位已定稿时撤销"),
}

TRIAGE_NOTE = ("投诉审查环节（受理、不予受理、移交、书面告知）只有一个计时：按各合法路径中最晚的期限计时并升级，"
               "部门实际采取某一路径时，按该路径的法定时限判定是否按期（如曾都：受理3个工作日、移交5个工作日）。")


def basis(item: dict) -> str:
    """The clause, said plainly: a default the local document does not set is called a default."""
    clause = item.get("clause") or ""
    if item.get("source") == Source.DEFAULT:
        if item.get("amount") is None:
            return f"本地文件未规定时限，不设固定时限{f'（{clause}）' if clause else ''}"
        return DEFAULT_BASIS.format(ref=clause if clause else "统一默认值")
    if item.get("source") == Source.NATIONAL:
        return f"{clause}（国家规定）" if clause else "国家规定"
    return clause


def limit(item: dict) -> str:
    if item.get("amount") is None:
        return "不设固定时限（按议定或请求的期限计时；未议定的不计时）"
    return f"{item['amount']}{Unit(item['unit']).label}"


def ladder(item: dict, escalation: dict) -> str:
    reminder = item.get("reminder_working_days")
    reminder = reminder if reminder is not None else escalation.get("reminder_working_days", 1)
    parts = [f"到期前{reminder}个工作日提醒" if reminder else "不提醒", "到期未办结即超期通知",
             f"超期{escalation.get('supervision_after_working_days', 3)}个工作日督办",
             f"超期{escalation.get('circular_after_working_days', 5)}个工作日列入通报"]
    if item.get("amount") is None:
        parts.append("（仅在设定期限时适用）")
    return "；".join(parts)


def rows(preset: str) -> list[dict]:
    data = presets.read("rules", preset)
    escalation = data.get("escalation", {})
    out = []
    for item in data["rules"]:
        mech = MECHANICS.get(item["key"])
        out.append({
            "key": item["key"], "name": item["name"],
            "mechanism": mech.mechanism if mech else "",
            "starts_on": StartsOn(item["starts_on"]).label,
            "start": mech.start if mech else "", "input_date": mech.input_date if mech else "",
            "limit": limit(item), "completes": mech.completes if mech else "", "cancels": mech.cancels if mech else "",
            "ladder": ladder(item, escalation), "basis": basis(item), "source": Source(item["source"]).label,
            "note": item.get("note") or "",
        })
    return out


def table() -> list[dict]:
    """Every preset with its document, ladder note and rows."""
    out = []
    for preset in presets.PRESETS:
        data = presets.read("rules", preset)
        out.append({"preset": preset, "name": data["profile"]["name"], "document": data["profile"]["document"],
                    "escalation_note": data.get("escalation", {}).get("escalation_note", ""),
                    "rows": rows(preset)})
    return out


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# 法定时限一览（时钟表）",
        "",
        "本文件由 `python manage.py clock_table` 根据规则预设（casework/presets/rules/*.toml）生成，"
        "请勿手工修改；平台内 /clocks/table/ 页面显示同一内容。",
        "",
        "计算规则（全国通用）：起算当日不计入，自次日开始计算；“个工作日”只计国务院公布的工作日（调休上班日计入，"
        "周末和法定节假日不计）；“日”按自然日计算，期满日为休息日的顺延至其后第一个工作日；“个月”的周期"
        "（例会、报告）止于周期最后一日（如 12-31、06-30），该日为休息日的顺延；期限至期满日 24:00（北京时间）止。"
        "下一年度节假日安排未载入前，落在该年度的期限为暂定，载入（或撤下）后自动重新计算并留痕。",
        "",
        "凡由现实中的事件起算的时钟（收到书面投诉、邮寄送达、处理完毕、人员调整、处罚决定、检查结束），"
        "由经办人填写事件日期：不得晚于今天、不得早于前一环节；录入延迟显示在时钟页面并记入审计。",
        "",
        TRIAGE_NOTE,
        "",
    ]
    for profile in table():
        lines += [f"## {profile['name']}（预设 `{profile['preset']}`）", "", f"依据文件：{profile['document']}", ""]
        if profile["escalation_note"]:
            lines += [f"升级规则：{profile['escalation_note']}", ""]
        lines += ["| 环节 | 规则键 | 起算事件 | 填写的事件日期 | 时限 | 何时结束 | 何时撤销 | 升级 | 依据 |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in profile["rows"]:
            lines.append("| " + " | ".join(_cell(x) for x in (
                f"{r['mechanism']}：{r['name']}", f"`{r['key']}`", f"{r['starts_on']}：{r['start']}", r["input_date"],
                r["limit"], r["completes"], r["cancels"], r["ladder"], r["basis"])) + " |")
        lines.append("")
        notes = [r for r in profile["rows"] if r["note"]]
        if notes:
            lines += ["说明：", ""]
            lines += [f"- `{r['key']}`：{_cell(r['note'])}" for r in notes]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
