"""A matter escalated to the people's government reaches the government's own accounts: an inbox notice, the
report and the meeting to open, and the decision recorded by the government's staff (not by the lead)."""

import pytest

from casework.errors import Forbidden
from casework.letters import signoff
from casework.notifications.models import Notification
from casework.org.models import Membership
from casework.org.services import ensure_department
from consultations import selectors, services
from tests.conftest import at, make_user

from .conftest import held_meeting


@pytest.fixture
def government(luoyang):
    city = luoyang["housing"].jurisdiction
    return ensure_department(code="LY-GOV", name="洛阳市人民政府", short_name="市政府", type="other",
                             jurisdiction=city, doc_abbr="洛政")


def test_escalation_is_delivered_to_the_government_and_decided_there(client, mechanism, luoyang, bob, lena, leo,
                                                                     erin, government, frozen):
    gina = make_user("gina", government, Membership.Role.HANDLER)
    meeting = held_meeting(luoyang, mechanism, bob, frozen)
    draft = services.escalate(actor=lena, meeting=meeting, matter="市政道路附属工程监管职责划分",
                              positions="市住建局与市交通运输局对监管职责划分意见不一致，需政府决定。")
    # a report upward: the DRC's leader signs it off before the government hears of it
    assert draft.state == "pending" and not meeting.escalations.exists()
    assert not Notification.objects.filter(recipient=gina).exists()
    assert not selectors.visible_meetings(gina).filter(pk=meeting.pk).exists()
    letter = signoff.sign(actor=leo, draft=draft)
    escalated = meeting.escalations.get()
    assert escalated.report_letter == letter and letter.issued_by == leo
    assert escalated.government == government and letter.addressee == government
    assert letter.addressee_name == "" and escalated.government_name == "洛阳市人民政府"
    notice = Notification.objects.get(recipient=gina)
    assert "提请决定" in notice.title and notice.url.endswith(f"#escalation-{escalated.pk}")
    # the government's staff open the meeting and the report
    assert selectors.visible_meetings(gina).filter(pk=meeting.pk).exists()
    client.force_login(gina)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 200
    client.force_login(make_user("walt", luoyang["water"], Membership.Role.HANDLER))
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404
    # the decision is the government's to record
    frozen(at(2026, 3, 20, 10))
    with pytest.raises(Forbidden):
        services.record_government_decision(actor=lena, escalation=escalated, decision="由住建部门统一监管",
                                            decided_on=at(2026, 3, 18).date())
    decided = services.record_government_decision(actor=gina, escalation=escalated, decision="由住建部门统一监管",
                                                  decided_on=at(2026, 3, 18).date(), doc_number="洛政文〔2026〕12号")
    assert decided.recorded_by == gina and decided.status == "decided"
    client.force_login(gina)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "由住建部门统一监管" in page
