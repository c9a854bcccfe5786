"""Consulting member units on rules (Luoyang 四(三)): the 征求意见函 with the draft, a reply clock per unit to the
deadline ("no comments" counts), the final text, and the filing with the DRC."""

import re
import subprocess

import pytest

from casework.clocks import escalation
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.letters.models import Letter
from casework.letters.services import letter_bytes
from casework.notifications.models import Notification
from consultations import services
from consultations.models import CommentReply, Filing, Solicitation
from tests.conftest import at

DRAFT = ("第一条 为规范房屋建筑和市政基础设施工程招标投标活动，制定本细则。\n\n"
         "第二条 招标人应当在招标公告中载明招标投标行政监督部门及投诉电话。")


def data(luoyang, drc, **overrides):
    values = {"kind": Solicitation.Kind.TRADING_RULE, "title": "房屋建筑和市政基础设施工程招标投标监督管理实施细则",
              "draft_text": DRAFT, "deadline": at(2026, 3, 13).date(),
              "recipients": [drc, luoyang["trading_centre"], luoyang["transport"]]}
    values.update(overrides)
    return services.SolicitationInput(**values)


@pytest.fixture
def solicitation(mechanism, luoyang, drc, bob):
    return services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                     data=data(luoyang, drc))


def reply(solicitation, dept) -> CommentReply:
    return solicitation.replies.get(department=dept)


def test_circulating_a_draft_issues_the_letter_and_a_clock_per_unit(alice, erin, solicitation, luoyang, drc):
    assert solicitation.reference.startswith("ZQ2026") and solicitation.status == Solicitation.Status.OPEN
    letter = solicitation.letter
    assert letter.kind == Letter.Kind.SOLICIT and letter.issuer == luoyang["housing"]
    assert "征〔2026〕" in letter.doc_number
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-", "-"], input=letter_bytes(letter), capture_output=True,
                                             check=True).stdout.decode())
    for expected in ("关于征求《房屋建筑和市政基础设施工程招标投标监督管理实施细则》意见的函", "2026年3月13日前",
                     "无意见的，也请反馈“无意见”", "附件", "（征求意见稿）", "第二条招标人应当在招标公告中载明"):
        assert expected in text, expected
    assert {r.department for r in solicitation.replies.all()} == {drc, luoyang["trading_centre"], luoyang["transport"]}
    for r in solicitation.replies.select_related("clock"):
        assert r.clock.rule_version.rule.key == "consultation.rule_comments"
        assert r.clock.due_at == at(2026, 3, 14, 0, 0) and r.clock.counterpart == luoyang["housing"]
    assert Notification.objects.filter(recipient=alice, kind="consultation_solicit").exists()
    assert Notification.objects.filter(recipient=erin, kind="consultation_solicit").exists()


def test_solicitation_errors_name_the_field(mechanism, luoyang, drc, bob, alice):
    cases = [
        ({"title": "", "draft_text": "太短"}, {"title": ["请填写文件名称"], "draft_text": ["征求意见稿不少于20个字"]}),
        ({"deadline": at(2026, 3, 2).date()}, {"deadline": ["反馈期限须晚于今天"]}),
        ({"recipients": [luoyang["transport"]]},
         {"recipients": ["行政监督部门、交易中心制定的制度应事前征求发展改革部门（洛阳市发展和改革委员会）意见"]}),
        ({"recipients": []}, {"recipients": ["请至少选择一个征求意见的单位"]}),
        ({"kind": Solicitation.Kind.SITE_RULE}, {"kind": ["交易现场管理制度由公共资源交易中心制定"]}),
    ]
    for overrides, expected in cases:
        with pytest.raises(DomainError) as bad:
            services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                      data=data(luoyang, drc, **overrides))
        assert bad.value.field_errors == expected, overrides
    with pytest.raises(Forbidden):
        services.solicit_comments(actor=alice, mechanism=mechanism, initiator=luoyang["housing"],
                                  data=data(luoyang, drc))
    assert not Solicitation.objects.exists() and not Letter.objects.exists()
    first = services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                      data=data(luoyang, drc), submission_key="k1")
    again = services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                      data=data(luoyang, drc), submission_key="k1")
    assert again.pk == first.pk and Letter.objects.count() == 1


def test_replies_no_comments_counts_and_late_units_escalate(solicitation, luoyang, drc, lena, alice, erin, bob,
                                                            frozen):
    centre, transport = reply(solicitation, luoyang["trading_centre"]), reply(solicitation, luoyang["transport"])
    with pytest.raises(DomainError) as bad:
        services.reply_comments(actor=alice, reply=centre, no_comments=False, comments="")
    assert bad.value.field_errors == {"comments": ["请填写意见（不少于5个字）；无意见的请选择“无意见”"]}
    with pytest.raises(DomainError) as bad:
        services.reply_comments(actor=alice, reply=centre, no_comments=True, comments="其实有一点意见")
    assert "comments" in bad.value.field_errors
    with pytest.raises(Forbidden):
        services.reply_comments(actor=erin, reply=centre, no_comments=True)
    services.reply_comments(actor=alice, reply=centre, no_comments=True)
    centre.refresh_from_db()
    assert centre.status == CommentReply.Status.REPLIED and centre.no_comments and centre.clock.state == Clock.State.MET
    with pytest.raises(Conflict, match="已于"):
        services.reply_comments(actor=alice, reply=centre, no_comments=True)
    assert Notification.objects.filter(recipient=bob, kind="consultation_comment").exists()
    services.reply_comments(actor=lena, reply=reply(solicitation, drc), no_comments=False,
                            comments="建议第二条增加“投诉受理部门”的表述。")

    with pytest.raises(Conflict, match="洛阳市交通运输局尚未反馈意见"):
        services.finalise_solicitation(actor=bob, solicitation=solicitation, final_text=DRAFT, adoption_note="已采纳")
    frozen(at(2026, 3, 14, 0, 1))
    escalation.sweep()
    transport.refresh_from_db()
    assert transport.clock.state == Clock.State.BREACHED
    assert Notification.objects.filter(recipient=erin, kind="breach", clock=transport.clock).exists()

    frozen(at(2026, 3, 16, 10))
    with pytest.raises(DomainError) as bad:
        services.finalise_solicitation(actor=bob, solicitation=solicitation, final_text="", adoption_note="")
    assert set(bad.value.field_errors) == {"final_text", "adoption_note"}
    with pytest.raises(Forbidden):
        services.finalise_solicitation(actor=erin, solicitation=solicitation, final_text=DRAFT, adoption_note="已采纳")
    services.finalise_solicitation(actor=bob, solicitation=solicitation, final_text=DRAFT + "（定稿）",
                                   adoption_note="采纳市发改委意见，第二条增加投诉受理部门。")
    transport.refresh_from_db()
    assert transport.status == CommentReply.Status.LAPSED and transport.clock.state == Clock.State.CANCELLED
    with pytest.raises(Conflict, match="已定稿"):
        services.reply_comments(actor=erin, reply=transport, no_comments=True)


def test_the_final_text_is_filed_with_the_drc(solicitation, luoyang, drc, bob, lena, alice, erin, frozen):
    for dept, user in ((drc, lena), (luoyang["trading_centre"], alice), (luoyang["transport"], erin)):
        services.reply_comments(actor=user, reply=reply(solicitation, dept), no_comments=True)
    with pytest.raises(Conflict, match="定稿并发布后"):
        services.record_filing(actor=bob, solicitation=solicitation, to_department=drc, kind="copy",
                               filed_on=at(2026, 3, 2).date(), doc_number="洛建〔2026〕8号")
    frozen(at(2026, 3, 5, 10))  # everyone replied: the draft may be finalised before the deadline
    services.finalise_solicitation(actor=bob, solicitation=solicitation, final_text=DRAFT,
                                   adoption_note="各单位均无意见")
    with pytest.raises(DomainError) as bad:
        services.record_filing(actor=bob, solicitation=solicitation, to_department=drc, kind="copy",
                               filed_on=at(2026, 3, 4).date(), doc_number="")
    assert bad.value.field_errors == {"filed_on": ["报送日期不能早于定稿日期"], "doc_number": ["请填写发布文号"]}
    filing = services.record_filing(actor=bob, solicitation=solicitation, to_department=drc, kind="copy",
                                    filed_on=at(2026, 3, 5).date(), doc_number="洛建〔2026〕8号")
    assert filing.kind == Filing.Kind.COPY and Notification.objects.filter(recipient=lena,
                                                                             kind="consultation_filing").exists()
    with pytest.raises(Conflict, match="已记录向洛阳市发展和改革委员会抄送"):
        services.record_filing(actor=bob, solicitation=solicitation, to_department=drc, kind="copy",
                               filed_on=at(2026, 3, 5).date(), doc_number="洛建〔2026〕8号")


def test_solicitation_page_and_letter_for_the_units_consulted(client, solicitation, luoyang, erin):
    from casework.org.models import Membership
    from tests.conftest import make_user

    client.force_login(erin)
    page = client.get(solicitation.get_absolute_url()).content.decode()
    assert "征求意见稿" in page and solicitation.letter.doc_number in page and "无意见" in page
    assert client.get(f"/consultations/letters/{solicitation.letter.pk}.pdf").status_code == 200
    r = reply(solicitation, luoyang["transport"])
    response = client.post(f"/consultations/solicitations/{solicitation.pk}/comment/",
                           {"reply": r.pk, f"c{r.pk}-comments": ""})
    assert response.status_code == 400 and "无意见的请选择“无意见”" in response.content.decode()
    response = client.post(f"/consultations/solicitations/{solicitation.pk}/comment/",
                           {"reply": r.pk, f"c{r.pk}-no_comments": "on"})
    assert response.status_code == 302
    client.force_login(make_user("walt", luoyang["water"], Membership.Role.HANDLER))
    assert client.get(solicitation.get_absolute_url()).status_code == 404
    assert client.get(f"/consultations/letters/{solicitation.letter.pk}.pdf").status_code == 404
