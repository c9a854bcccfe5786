"""通报: drafted from the period's data, edited, signed off by a leader, issued to every member unit, published,
and an accountability proposal referred to the discipline organ in one step."""

import datetime as dt

import pytest

from casework.errors import Conflict, DomainError, Forbidden
from casework.letters.models import Letter
from casework.notifications.models import Notification
from supervision.models import Circular
from supervision.periods import Period
from supervision.services import (
    draft_circular,
    edit_circular,
    issue_circular,
    issue_notice,
    member_units,
    refer_accountability,
    sign_circular,
)
from tests.conftest import at

Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def office(luoyang):
    return next(d for d in luoyang["all"] if d.is_supervision_office)


def test_draft_is_written_from_the_data(q3, dave, luoyang, frozen):
    frozen(at(2026, 9, 20))
    issue_notice(actor=dave, office=office(luoyang), department=luoyang["housing"], title="线索退回超期",
                 requirements="请立即办理并书面说明超期原因。", due_on=dt.date(2026, 9, 25), idempotency_key="n1")
    frozen(at(2026, 10, 15))
    c = draft_circular(actor=dave, office=office(luoyang), period=Q3)
    assert c.reference.startswith("TB2026") and c.state == "draft"
    assert c.title == "关于2026年第3季度公共资源交易协同监管事项办理情况的通报"
    body = c.body
    # the 督办函's own reply clock (housing, due 25 September, unanswered) counts too
    assert "共收到限时办理事项4件，办结4件，其中按期办结2件、超期办结2件，按期率50.0%" in body
    assert "期末尚有3件未办结，其中已超期2件" in body
    assert "洛阳市住房和城乡建设局超期办结2件、超期未办结2件" in body
    assert "督办与报告收件1件" in body
    assert "交通运输局超期" not in body                       # transport was on time
    assert "发出督办函1件，已回复0件，逾期未回复1件" in body


def test_edit_sign_issue_publish(q3, dave, leo, bob, carol, erin, luoyang, frozen):
    frozen(at(2026, 10, 15))
    c = draft_circular(actor=dave, office=office(luoyang), period=Q3)
    with pytest.raises(DomainError) as exc:
        edit_circular(actor=dave, circular=c, title="", body=c.body)
    assert "title" in exc.value.field_errors
    edit_circular(actor=dave, circular=c, title="关于第三季度协同监管工作情况的通报",
                  body=c.body + "\n\n六、其他。本通报由办公室负责解释。")
    with pytest.raises(Conflict):
        issue_circular(actor=dave, circular=c)                 # not signed yet
    for actor in (dave, carol, bob):
        with pytest.raises(Forbidden):
            sign_circular(actor=actor, circular=c)
    sign_circular(actor=leo, circular=c)
    with pytest.raises(Conflict):
        edit_circular(actor=dave, circular=c, title="再改", body=c.body)
    with pytest.raises(Forbidden):
        issue_circular(actor=leo, circular=c)                  # the office's supervisor issues
    c = issue_circular(actor=dave, circular=c, publish=True)
    assert c.state == "issued" and c.published and c.letter.kind == Letter.Kind.CIRCULAR
    assert c.letter.issued_by == leo  # the shared sign-off's 签发人
    assert "通" in c.letter.doc_number and c.letter.title == "关于第三季度协同监管工作情况的通报"
    units = member_units(office(luoyang))
    assert luoyang["housing"] in units and luoyang["transport"] in units and office(luoyang) not in units
    assert set(c.letter.readers.all()) == set(units)
    told = set(Notification.objects.filter(kind="circular").values_list("recipient__username", flat=True))
    assert {"bob", "carol", "erin"} <= told and "dave" not in told
    assert issue_circular(actor=dave, circular=c).letter == c.letter   # double click: one letter
    assert Letter.objects.filter(kind="circular").count() == 1


def test_accountability_proposal_is_a_referral_in_one_step(q3, dave, luoyang, frozen):
    from referrals.models import Clue

    frozen(at(2026, 10, 15))
    c = draft_circular(actor=dave, office=office(luoyang), period=Q3)
    cdi = luoyang["discipline"]
    with pytest.raises(DomainError):
        refer_accountability(actor=dave, circular=c, receiver=luoyang["police"], summary="建议问责")
    clue = refer_accountability(actor=dave, circular=c, receiver=cdi,
                                summary="住建局多次超期且督办后逾期未回复，建议对相关责任人问责。")
    assert clue.transfers.get().receiver == cdi
    c.refresh_from_db()
    assert c.accountability == clue
    again = refer_accountability(actor=dave, circular=c, receiver=cdi, summary="再次提交相同建议十个字以上。")
    assert again == clue and Clue.objects.count() == 1


def test_pages_and_access(client, q3, dave, leo, bob, carol, erin, olga, luoyang, frozen):
    frozen(at(2026, 10, 15))
    client.force_login(dave)
    resp = client.post("/supervision/circulars/new/", {"from": "2026-07-01", "to": "2026-09-30"})
    c = Circular.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/supervision/circulars/{c.pk}/"
    assert client.post("/supervision/circulars/new/", {"from": "2026-09-30", "to": "2026-07-01"}).status_code == 400
    page = client.get(f"/supervision/circulars/{c.pk}/").content.decode()
    assert 'id="circular-edit"' in page and ">审核签发</button>" not in page   # dave drafts; a leader signs
    for user, status in ((bob, 404), (carol, 404), (erin, 404), (leo, 200), (olga, 404)):
        client.force_login(user)
        assert client.get(f"/supervision/circulars/{c.pk}/").status_code == status, user
    for user in (bob, erin, leo):
        client.force_login(user)
        assert client.post("/supervision/circulars/new/", {"from": "2026-07-01", "to": "2026-09-30"}
                           ).status_code == 403
    client.force_login(leo)
    client.post(f"/supervision/circulars/{c.pk}/sign/")
    client.force_login(dave)
    client.post(f"/supervision/circulars/{c.pk}/issue/", {"publish": "1"})
    c.refresh_from_db()
    assert c.state == "issued" and c.published
    for user in (bob, carol, erin):                            # every member unit now reads it
        client.force_login(user)
        assert client.get(f"/supervision/circulars/{c.pk}/").status_code == 200
        assert client.get(f"/letters/{c.letter.pk}.pdf").status_code == 200
    client.logout()
    assert client.get(f"/supervision/circulars/{c.pk}/").status_code == 302
