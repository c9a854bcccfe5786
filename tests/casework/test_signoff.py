"""签发: where the rule profile requires it, a handler's letter waits for a leader of the issuing department, who signs
it (the letter is numbered and issued then, the leader printed as 签发人 on a 上行文) or sends it back with a reason."""

import pytest
from django.urls import reverse

from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.models import Event
from casework.letters import signoff
from casework.letters.models import Letter, LetterDraft, LetterSequence
from casework.notifications.models import Notification
from casework.rules.services import profile_for
from tests.casework.test_letters import poppler

BODY = ["2026年第四季度，我局会同有关部门开展了房屋建筑工程招标投标专项检查，现将有关情况报告如下：",
        "一、检查项目12个，发现问题2个，均已依法处理。"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def report(actor, luoyang, **kw):
    housing = luoyang["housing"]
    return signoff.issue_or_submit(actor=actor, issuer=housing, kind=Letter.Kind.REPORT, title="关于专项检查情况的报告",
                                   body=BODY, subject=housing, addressee=luoyang["drc"], **kw)


def test_the_profile_names_the_kinds_that_need_a_leader(luoyang):
    profile = profile_for(luoyang["housing"].jurisdiction)
    assert profile.signoff_kinds == ["report"] and "第二十条" in profile.signoff_note
    assert signoff.required(luoyang["housing"], Letter.Kind.REPORT)
    assert not signoff.required(luoyang["housing"], Letter.Kind.TRANSFER)


def test_a_handlers_report_waits_for_the_leader_who_signs_it(bob, carol, lily, luoyang, media):
    draft = report(bob, luoyang)
    assert isinstance(draft, LetterDraft) and draft.state == LetterDraft.State.PENDING
    assert not Letter.objects.exists() and not LetterSequence.objects.exists()  # no number taken yet
    assert list(signoff.awaiting_signoff(carol)) == [draft]
    assert not signoff.awaiting_signoff(bob).exists() and not signoff.awaiting_signoff(lily).exists()
    assert Notification.objects.filter(recipient=carol, kind="letter_signoff", url=draft.get_absolute_url()).exists()
    with pytest.raises(Forbidden, match="负责人"):
        signoff.sign(actor=bob, draft=draft)
    letter = signoff.sign(actor=carol, draft=draft)
    assert letter.issued_by == carol and letter.doc_number.endswith("报〔2026〕1号")
    draft.refresh_from_db()
    assert draft.state == LetterDraft.State.ISSUED and draft.letter == letter and draft.decided_by == carol
    assert Event.objects.filter(action="letter.signed_off").count() == 1
    assert Notification.objects.filter(recipient=bob, kind="letter_signoff", title__contains=letter.doc_number).exists()
    with pytest.raises(Conflict):  # a second click
        signoff.sign(actor=carol, draft=draft)
    # GB/T 9704 7.2.6: a 上行文 names its 签发人 beside the 发文字号
    text = "".join(poppler("pdftotext", media / letter.file.name).split())
    assert f"签发人：{carol.get_full_name() or carol.username}" in text


def test_send_back_needs_a_reason_and_the_drafter_revises(bob, carol, luoyang):
    draft = report(bob, luoyang)
    with pytest.raises(DomainError, match="理由"):
        signoff.send_back(actor=carol, draft=draft, reason=" ")
    signoff.send_back(actor=carol, draft=draft, reason="第二段请写明处理依据。")
    draft.refresh_from_db()
    assert draft.state == LetterDraft.State.RETURNED and draft.return_reason == "第二段请写明处理依据。"
    assert Event.objects.filter(action="letter.signoff_returned").exists()
    assert Notification.objects.filter(recipient=bob, body__contains="处理依据").exists()
    with pytest.raises(Conflict):
        signoff.sign(actor=carol, draft=draft)
    signoff.resubmit(actor=bob, draft=draft, title=draft.title, body=draft.body + "\n\n二、依据《招标投标法》处理。")
    draft.refresh_from_db()
    assert draft.state == LetterDraft.State.PENDING
    assert "招标投标法" in signoff.sign(actor=carol, draft=draft).body


def test_a_leader_signs_their_own_and_other_kinds_issue_at_once(bob, carol, luoyang):
    assert isinstance(report(carol, luoyang), Letter)
    housing = luoyang["housing"]
    letter = signoff.issue_or_submit(actor=bob, issuer=housing, kind=Letter.Kind.GENERIC, title="关于报送材料的函",
                                     body=BODY, subject=housing, addressee=luoyang["drc"])
    assert isinstance(letter, Letter) and letter.issued_by == bob


def test_pages_workbench_and_who_may_see_a_draft(client, bob, carol, lily, erin, dave, luoyang):
    draft = report(bob, luoyang)
    client.force_login(carol)
    assert draft.title in client.get(reverse("casework:workbench")).content.decode()
    page = client.get(reverse("casework:letter_draft", args=[draft.pk]))
    assert page.status_code == 200 and "sign-form" in page.content.decode()
    assert client.get(reverse("casework:letter_draft_step", args=[draft.pk, "sign"])).status_code == 405
    response = client.post(reverse("casework:letter_draft_step", args=[draft.pk, "return"]), {"reason": ""})
    assert response.status_code == 400 and "理由" in response.content.decode()
    for outsider in (lily, erin, dave):  # the liaison, another bureau, the supervisor: drafts stay in-house
        with pytest.raises(NotFound):
            signoff.get_draft(outsider, draft.pk)
    client.force_login(erin)
    assert client.get(reverse("casework:letter_draft", args=[draft.pk])).status_code == 404
    client.force_login(carol)
    response = client.post(reverse("casework:letter_draft_step", args=[draft.pk, "sign"]))
    draft.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("casework:letter", args=[draft.letter_id])
