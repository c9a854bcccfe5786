"""Rule presets for the five seed jurisdictions: every limit of RULES.md, each cited."""

import pytest

from casework import presets
from casework.org.models import Department
from casework.org.services import load_org_preset
from casework.rules.models import Rule, RuleProfile

KEYS = [
    "referral.push", "referral.transfer", "referral.return", "referral.accept_notice",
    "referral.result_feedback", "assistance.review", "assistance.return", "complaint.accept",
    "complaint.accept_procurement", "complaint.transfer", "complaint.redirect_notice",
    "complaint.decide", "complaint.decide_procurement", "objection.answer",
    "credit.expert_ban_notify", "credit.penalty_publish", "consultation.regular_meeting",
    "consultation.member_change_report", "inspection.publish_results", "supervision.report",
    "assistance.result", "jointaction.plan_reply", "consultation.meeting_reply", "consultation.decision",
    "consultation.rule_comments", "referral.dispute_decide", "supervision.notice_reply",
]

# Values the seed documents themselves set (shared/RULES.md).
SEEDED = {
    ("luoyang", "referral.push"): (2, "working_days"),
    ("weihai", "referral.push"): (3, "working_days"),
    ("zengdu", "referral.transfer"): (5, "working_days"),
    ("luoyang", "referral.return"): (3, "working_days"),
    ("weihai", "referral.return"): (3, "working_days"),
    ("zengdu", "referral.return"): (5, "working_days"),
    ("zengdu", "referral.accept_notice"): (5, "working_days"),
    ("weihai", "referral.result_feedback"): (3, "working_days"),
    ("zengdu", "referral.result_feedback"): (10, "working_days"),
    ("luoyang", "assistance.review"): (5, "working_days"),
    ("luoyang", "assistance.return"): (3, "working_days"),
    ("weihai", "assistance.return"): (3, "working_days"),
    ("zengdu", "assistance.return"): (5, "working_days"),
    ("hegang", "complaint.transfer"): (3, "working_days"),
    ("zengdu", "complaint.redirect_notice"): (3, "working_days"),
    ("luoyang", "credit.expert_ban_notify"): (2, "working_days"),
    ("zengdu", "credit.penalty_publish"): (7, "calendar_days"),
    ("luoyang", "consultation.regular_meeting"): (6, "months"),
    ("pingdingshan", "consultation.regular_meeting"): (6, "months"),
    ("weihai", "consultation.regular_meeting"): (3, "months"),
    ("hegang", "consultation.regular_meeting"): (12, "months"),
    ("zengdu", "consultation.regular_meeting"): (12, "months"),
    ("hegang", "consultation.member_change_report"): (3, "working_days"),
    ("hegang", "inspection.publish_results"): (10, "working_days"),
    ("pingdingshan", "supervision.report"): (3, "months"),
}


@pytest.mark.parametrize("preset", presets.PRESETS)
def test_preset_loads_every_rule_cited(db, preset):
    load_org_preset(preset=preset)
    profile = RuleProfile.objects.get(preset=preset)
    rules = {r.key: r.current_version for r in Rule.objects.filter(profile=profile).select_related("current_version")}
    assert list(rules) == KEYS
    for key, version in rules.items():
        assert version.source == "seed" or version.note, (preset, key)
        assert version.clause or version.amount is None, (preset, key)
        if (preset, key) in SEEDED:
            assert (version.amount, version.unit, version.source) == (*SEEDED[(preset, key)], "seed"), key
    depts = Department.objects.filter(jurisdiction__rule_profile=profile) | Department.objects.filter(
        jurisdiction__code__in=[j["code"] for j in presets.read("org", preset)["jurisdictions"]])
    types = set(depts.values_list("type", flat=True))
    assert {"drc", "trading_centre", "discipline", "procuratorate", "police", "finance"} <= types
    assert depts.filter(is_supervision_office=True).count() == 1


def test_luoyang_result_feedback_has_no_fixed_limit(db):
    load_org_preset(preset="luoyang")
    version = Rule.objects.get(profile__preset="luoyang", key="referral.result_feedback").current_version
    assert version.amount is None and version.limit_display == "不设固定时限"


def test_reloading_a_preset_keeps_administrators_edits(db):
    from casework.rules.services import update_rule

    load_org_preset(preset="weihai")
    rule = Rule.objects.get(profile__preset="weihai", key="referral.push")
    update_rule(actor=None, rule=rule, reason="本地调整", amount=4, source="default", note="测试")
    load_org_preset(preset="weihai")
    rule.refresh_from_db()
    assert rule.current_version.amount == 4 and rule.versions.count() == 2


def test_every_preset_department_has_a_doc_abbr_and_invented_ones_are_marked():
    """机关代字 come from the presets; the ones not attested in a seed document say so."""
    import tomllib
    from pathlib import Path

    import casework

    folder = Path(casework.__file__).parent / "presets" / "org"
    attested = 0
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        for dept in tomllib.loads(text)["departments"]:
            assert dept.get("doc_abbr"), (path.name, dept["code"])
            if not dept.get("doc_abbr_invented"):
                attested += 1
                assert f'doc_abbr = "{dept["doc_abbr"]}"  # 机关代字 as in the seed document' in text
    assert attested == 5  # the five organs whose own 发文字号 head the seed documents
