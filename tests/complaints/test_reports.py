"""Anonymous reports (举报): accepted from the public and handled as clues, with no complaint clock."""

from casework.clocks.services import clocks_for
from referrals.models import Clue


def test_anonymous_report_becomes_a_clue_for_the_department(client, luoyang, bob):
    form = {"submission_key": "r1", "receiver": luoyang["housing"].code, "project_code": "",
            "project_name": "洛阳市某安置房项目", "summary": "评标专家与投标人存在利害关系，评标过程不公正。"}
    resp = client.post("/complaints/report/", form)
    assert resp.status_code == 200 and "举报已收到" in resp.content.decode()
    clue = Clue.objects.get()
    assert clue.is_anonymous_report and clue.received_by is None and clue.supervising_department == luoyang["housing"]
    assert [c.rule_version.rule.key for c in clocks_for(clue)] == ["referral.transfer"]   # no complaint clock
    client.post("/complaints/report/", form)                                              # double click
    assert Clue.objects.count() == 1
    client.force_login(bob)
    page = client.get(clue.get_absolute_url()).content.decode()
    assert "公众匿名举报" in page and "登记" in page


def test_report_needs_facts(client, luoyang):
    resp = client.post("/complaints/report/", {"submission_key": "r2", "receiver": luoyang["housing"].code,
                                               "project_name": "某项目", "summary": "有问题"})
    assert resp.status_code == 400 and "不少于10个字" in resp.content.decode()
    assert not Clue.objects.exists()
