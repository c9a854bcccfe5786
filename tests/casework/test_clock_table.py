"""The clock table: generated from the presets, kept in the repository, served as a page."""

import pytest
from django.core.management import CommandError, call_command

from casework import presets
from casework.clocks.table import MECHANICS, markdown, table


def test_every_rule_of_every_preset_is_described():
    for profile in table():
        for row in profile["rows"]:
            assert row["key"] in MECHANICS, row["key"]
            assert row["start"] and row["input_date"] and row["completes"] and row["cancels"], row["key"]
            assert row["basis"], (profile["preset"], row["key"])


def test_defaults_are_called_defaults_not_local_clauses():
    rows = {(p["preset"], r["key"]): r for p in table() for r in p["rows"]}
    hegang_push = rows[("hegang", "referral.push")]
    assert hegang_push["basis"] == "本地文件未规定时限，采用默认值（参照 洛阳 三(一)）"
    assert rows[("luoyang", "referral.push")]["basis"] == "洛阳 三(一)"
    assert rows[("zengdu", "complaint.decide_procurement")]["basis"].endswith("（国家规定）")
    assert "收到投诉之时" in rows[("zengdu", "complaint.decide_procurement")]["start"]
    assert rows[("zengdu", "referral.result_feedback")]["limit"] == "10个工作日"
    assert rows[("weihai", "referral.result_feedback")]["input_date"].startswith("处理完毕日期")
    assert "到期前10个工作日提醒" in rows[("hegang", "consultation.regular_meeting")]["ladder"]


def test_the_document_in_the_repository_is_current(tmp_path):
    call_command("clock_table", "--check")          # docs/clock-table.md matches the presets
    stale = tmp_path / "t.md"
    stale.write_text("旧内容", encoding="utf-8")
    with pytest.raises(CommandError, match="不是最新"):
        call_command("clock_table", "--check", "--output", str(stale))
    call_command("clock_table", "--output", str(stale))
    assert stale.read_text(encoding="utf-8") == markdown()
    for preset in presets.PRESETS:
        assert f"预设 `{preset}`" in markdown()


def test_page_for_every_persona_and_not_for_the_anonymous(client, luoyang, alice, bob, dave, erin, olga):
    resp = client.get("/clocks/table/")
    assert resp.status_code == 302 and "/login" in resp["Location"]
    for user in (alice, bob, dave, erin, olga):
        client.force_login(user)
        page = client.get("/clocks/table/").content.decode()
        assert "法定时限一览" in page and 'data-key="referral.dispute_decide"' in page
    page = client.get("/clocks/table/?preset=weihai").content.decode()
    assert "威海" in page and 'id="preset-luoyang"' not in page
    assert "本地文件未规定时限，采用默认值（参照" in page
