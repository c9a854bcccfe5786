"""督办函: issued from the dashboard or a clock, its own reply clock, the leader told, the reply, escalation."""

import datetime as dt

import pytest

from casework.clocks.escalation import sweep
from casework.clocks.models import Clock, EscalationStep
from casework.errors import DomainError, Forbidden, NotFound
from casework.events.models import Event
from casework.letters.models import Letter
from casework.notifications.models import Notification
from supervision.models import SupervisionNotice
from supervision.services import issue_notice, reply_notice
from tests.conftest import at


def office(luoyang):
    return next(d for d in luoyang["all"] if d.is_supervision_office)


def issue(dave, luoyang, **kw):
    args = {"actor": dave, "office": office(luoyang), "department": luoyang["housing"],
            "title": "住建局线索退回超期", "requirements": "请立即办理超期事项，并书面说明超期原因和整改措施。",
            "due_on": dt.date(2026, 10, 23), "idempotency_key": "k1"}
    args.update(kw)
    return issue_notice(**args)


def test_issue_starts_the_reply_clock_issues_the_letter_and_tells_the_leader(q3, dave, carol, bob, luoyang, frozen):
    frozen(at(2026, 10, 15))
    notice = issue(dave, luoyang, about_clock=q3["c4"])
    assert notice.reference.startswith("DB2026")
    assert notice.letter.kind == Letter.Kind.SUPERVISION_NOTICE and notice.letter.addressee == luoyang["housing"]
    assert "督" in notice.letter.doc_number
    clock = notice.reply_clock
    assert clock.department == luoyang["housing"] and clock.rule_version.rule.key == "supervision.notice_reply"
    assert clock.due_at == at(2026, 10, 24, 0, 0)                     # 23 October 24:00
    assert set(Notification.objects.filter(kind="supervision_notice").values_list("recipient__username", flat=True)
               ) == {"carol", "bob"}
    assert notice.subject == q3["c4"].subject
    assert Event.objects.filter(action="supervision.notice_issued", object_id=str(notice.pk)).exists()
    assert issue(dave, luoyang) == notice                             # the same submission twice: one notice
    assert SupervisionNotice.objects.count() == 1 and Letter.objects.filter(kind="supervision_notice").count() == 1


def test_reply_completes_the_clock_on_time_and_tells_the_office(q3, dave, bob, luoyang, frozen):
    frozen(at(2026, 10, 15))
    notice = issue(dave, luoyang)
    frozen(at(2026, 10, 20))
    with pytest.raises(DomainError) as exc:
        reply_notice(actor=bob, notice=notice, reply="太短")
    assert "reply" in exc.value.field_errors
    reply_notice(actor=bob, notice=notice, reply="已于10月19日办结该线索，超期原因为人员调整，已建立台账。")
    notice.refresh_from_db()
    assert notice.state == "replied" and notice.reply_clock.state == Clock.State.MET
    assert Notification.objects.filter(kind="supervision_reply", recipient=dave).exists()
    with pytest.raises(DomainError):
        reply_notice(actor=bob, notice=notice, reply="再次回复的内容不少于十个字。")


def test_only_the_department_replies_and_only_the_office_issues(q3, dave, bob, erin, carol, olga, luoyang, frozen):
    frozen(at(2026, 10, 15))
    for actor in (bob, carol, erin, olga):
        with pytest.raises(Forbidden):
            issue(dave, luoyang, actor=actor, idempotency_key=f"x-{actor.username}")
    notice = issue(dave, luoyang)
    with pytest.raises(Forbidden):
        reply_notice(actor=erin, notice=notice, reply="不是本单位的回复内容十个字以上。")


@pytest.mark.parametrize("field, value", [("due_on", dt.date(2026, 10, 15)), ("due_on", dt.date(2027, 3, 1)),
                                          ("title", " "), ("requirements", "太短")])
def test_bad_input_names_the_field_and_leaves_nothing(q3, dave, luoyang, frozen, field, value):
    frozen(at(2026, 10, 15))
    with pytest.raises(DomainError) as exc:
        issue(dave, luoyang, **{field: value})
    assert field in exc.value.field_errors
    assert not SupervisionNotice.objects.exists() and not Letter.objects.filter(kind="supervision_notice").exists()


def test_a_department_outside_the_jurisdiction_is_not_found(q3, dave, luoyang, frozen):
    from casework.org.services import load_org_preset

    frozen(at(2026, 10, 15))
    other = next(d for d in load_org_preset(preset="weihai") if d.type == "housing")
    with pytest.raises(NotFound):
        issue(dave, luoyang, department=other)


def test_unanswered_notice_escalates(q3, dave, carol, luoyang, frozen):
    frozen(at(2026, 10, 15))
    notice = issue(dave, luoyang)
    frozen(at(2026, 10, 24, 0, 1))
    sweep()
    assert set(EscalationStep.objects.filter(clock=notice.reply_clock).values_list("kind", flat=True)) >= {"breach"}
    assert Notification.objects.filter(recipient=carol, kind="breach", clock=notice.reply_clock).exists()
    frozen(at(2026, 11, 2, 0, 1))
    sweep()
    assert Notification.objects.filter(recipient=dave, kind="supervision", clock=notice.reply_clock).exists()


# --- pages -------------------------------------------------------------------------------------------
def test_pages_issue_from_a_clock_and_reply(client, q3, dave, bob, erin, carol, olga, luoyang, frozen):
    frozen(at(2026, 10, 15))
    client.force_login(dave)
    form = client.get(f"/supervision/notices/new/?clock={q3['c4'].pk}").content.decode()
    assert "某安置房项目线索" in form
    token = form.split('name="token" value="')[1].split('"')[0]
    resp = client.post(f"/supervision/notices/new/?clock={q3['c4'].pk}", {
        "department": luoyang["housing"].pk, "title": "某安置房项目线索超期未办结",
        "requirements": "请于期限内办结，并书面说明超期原因和整改措施。", "due_on": "2026-10-23", "token": token,
        "clock": q3["c4"].pk})
    notice = SupervisionNotice.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/supervision/notices/{notice.pk}/"
    assert notice.about_clock == q3["c4"]
    # olga administers the system (三员分立: no case content); erin's transport bureau has nothing to do with it
    for user, status in ((bob, 200), (carol, 200), (dave, 200), (erin, 404), (olga, 404)):
        client.force_login(user)
        assert client.get(f"/supervision/notices/{notice.pk}/").status_code == status, user
        assert client.get(f"/casework/letters/{notice.letter.pk}.pdf".replace("/casework", "")).status_code in (
            (200,) if status == 200 else (404,)), user
    for user in (bob, carol, erin, olga):
        client.force_login(user)
        assert client.get("/supervision/notices/new/").status_code == 403
    client.force_login(erin)
    assert client.post(f"/supervision/notices/{notice.pk}/reply/", {"reply": "x" * 20}).status_code == 404
    client.force_login(bob)
    page = client.get(f"/supervision/notices/{notice.pk}/").content.decode()
    assert 'id="reply-form"' in page
    client.post(f"/supervision/notices/{notice.pk}/reply/", {"reply": "已办结，超期原因已书面说明并整改。"})
    notice.refresh_from_db()
    assert notice.state == "replied"
    client.logout()
    assert client.get(f"/supervision/notices/{notice.pk}/").status_code == 302
    client.force_login(dave)
    listing = client.get("/supervision/notices/").content.decode()
    assert notice.reference in listing


def test_form_errors_are_shown_in_chinese(client, q3, dave, frozen):
    frozen(at(2026, 10, 15))
    client.force_login(dave)
    resp = client.post("/supervision/notices/new/", {"title": "", "requirements": "短", "due_on": "x", "token": "t"})
    html = resp.content.decode()
    assert resp.status_code == 200 and "请选择被督办单位" in html and "请填写督办事项" in html
    assert "回复期限应为 YYYY-MM-DD" in html and not SupervisionNotice.objects.exists()
