"""Hand-overs belong to their mechanism: every registered kind, walked through the generic
/handoffs/<id>/<action>/ URLs, either runs the owning mechanism's service (its letters, counters, clocks) or is
refused; administrators and a superuser cannot act at all."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.clocks.models import Clock
from casework.clocks.services import open_clocks_for
from casework.handoffs import registry
from casework.handoffs.models import Handoff
from casework.handoffs.services import send_handoff
from casework.letters.models import Letter
from casework.org.models import Membership
from complaints import services as complaints
from jointaction import services as jointaction
from jointaction.models import AssistanceRequest
from referrals import services as referrals
from referrals.models import Matter, Transfer
from tests.complaints.conftest import complaint_input
from tests.conftest import make_user
from tests.referrals.conftest import clue_input


def post(client, user, handoff, action, **data):
    client.force_login(user)
    return client.post(reverse("casework:handoff_action", args=[handoff.pk, action]), data)


def test_every_kind_has_an_owner():
    assert set(registry.kinds()) == set(Handoff.Kind.values)


def test_clue_transfer_through_generic_urls(client, luoyang, alice, bob, olga, root, erin):
    pete = make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    clue = referrals.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    referrals.register_clue(actor=bob, clue=clue)
    [transfer] = referrals.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                                         legal_basis="《招标投标法》第五十三条", materials=["线索摘要"])
    handoff = transfer.handoff
    for outsider in (olga, root, erin, bob):  # bob is the sender: he sees it but may not act
        resp = post(client, outsider, handoff, "receive")
        assert resp.status_code in (403, 404), outsider
    assert Transfer.objects.get(pk=transfer.pk).receipt_signed_at is None
    assert post(client, pete, handoff, "receive").status_code == 302
    transfer.refresh_from_db()
    assert transfer.receipt_signed_at is not None  # the mechanism's own receipt, not just the shared state
    assert post(client, pete, handoff, "accept").status_code == 302
    missing = post(client, pete, handoff, "complete", result="已立案侦查，结果另行函告。")
    assert missing.status_code == 400 and "处理完毕日期" in missing.content.decode()  # the feedback clock's start
    today = timezone.localdate().isoformat()
    assert post(client, pete, handoff, "complete", result="已立案侦查，结果另行函告。",
                completed_on=today).status_code == 302
    transfer.refresh_from_db()
    assert transfer.completed_at is not None and transfer.handoff.state == Handoff.State.COMPLETED


def test_complaint_transfer_return_runs_the_complaint_service(client, luoyang, bob, erin):
    complaint = complaints.file_complaint(data=complaint_input(luoyang), channel="online",
                                          submission_key="web:h1").complaint
    complaints.transfer_complaint(actor=bob, complaint=complaint, to=luoyang["transport"],
                                  reasons="属于交通运输工程，由交通运输部门管辖")
    complaint.refresh_from_db()
    handoff = complaint.transfer_handoff
    resp = post(client, erin, handoff, "complete", result="已办结")
    assert resp.status_code == 409 and "投诉处理" in resp.content.decode()  # no completion behind its back
    resp = post(client, erin, handoff, "return", reasons="该项目为房屋建筑工程，不属于交通运输部门管辖。")
    assert resp.status_code == 302
    complaint.refresh_from_db()
    assert complaint.return_count == 1 and complaint.department == luoyang["housing"]
    assert Letter.objects.filter(kind=Letter.Kind.RETURN, subject_id=str(handoff.pk)).exists()  # the 退回函
    assert open_clocks_for(complaint, department=luoyang["housing"]).filter(state=Clock.State.RUNNING).exists()


def test_assistance_through_generic_urls(client, luoyang, bob, olga):
    mark = make_user("mark", luoyang["market_regulation"], Membership.Role.HANDLER)
    req, _ = jointaction.request_assistance(
        actor=bob, requester=luoyang["housing"], assistant=luoyang["market_regulation"],
        case_name="某学校教学楼工程串通投标案", case_summary="经查，三家投标人投标文件机器码一致，涉嫌串通投标。",
        matters="调取甲建设有限公司的企业登记档案。", reasons="核实投标人之间是否存在控股关系。",
        materials=["立案审批表"])
    handoff = req.handoff
    assert post(client, olga, handoff, "complete", result="已办结，详见附件材料。").status_code == 404
    assert post(client, mark, handoff, "receive").status_code == 409   # assistance has no separate receipt
    assert post(client, mark, handoff, "accept").status_code == 302
    assert post(client, mark, handoff, "complete", result="已调取登记档案，股东无交叉，详见附件。").status_code == 302
    req.refresh_from_db()
    assert req.state == AssistanceRequest.State.COMPLETED and req.result_letter is not None


@pytest.mark.parametrize("kind", [Handoff.Kind.NOTICE, Handoff.Kind.CLUE_REFERRAL])
def test_shared_kinds_use_the_shared_services(client, luoyang, alice, bob, root, kind):
    handoff = send_handoff(actor=alice, kind=kind, title="通报", sender=luoyang["trading_centre"],
                           receiver=luoyang["housing"], rule_key="referral.return")
    assert post(client, root, handoff, "receive").status_code == 404
    assert post(client, bob, handoff, "receive").status_code == 302
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.RECEIVED
    assert post(client, bob, handoff, "forward").status_code == 409
