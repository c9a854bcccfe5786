"""From registration to closed loop: transfer, receipt, accept, result, return, forward, dispute."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.clocks.models import Clock
from casework.clocks.services import clocks_for
from casework.clocks.timing import local_date
from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.handoffs.models import Handoff
from casework.letters.models import Letter
from casework.org.models import Department, Jurisdiction
from casework.org.services import ensure_department, ensure_jurisdiction
from referrals import selectors, services
from referrals.models import Clue, Matter, PenaltyPowerMove, Transfer
from tests.conftest import make_user

BASIS = "《招标投标法》第五十三条、国务院第310号令"


def transfer(clue, actor, receivers, **kw):
    args = {"matter": Matter.CRIME, "legal_basis": BASIS, "materials": ["线索摘要及交易记录", "投标文件机器码比对报告"]}
    args.update(kw)
    return services.transfer_clue(actor=actor, clue=clue, receivers=receivers, **args)


def test_register_then_handle_within_own_duty(clue, bob, alice):
    services.register_clue(actor=bob, clue=clue)
    with pytest.raises(Conflict):
        services.register_clue(actor=bob, clue=clue)   # double click
    with pytest.raises(Forbidden):
        services.handle_clue(actor=alice, clue=clue, result="交易中心不能办结")
    clue = services.handle_clue(actor=bob, clue=clue, result="经调查，已责令改正并处罚款。")
    assert clue.status == Clue.Status.CLOSED
    decision = clocks_for(clue).get(rule_version__rule__key="referral.transfer")
    assert decision.state == Clock.State.MET


def test_transfer_to_several_receivers_with_letters_and_clocks_from_delivery(clue, luoyang, bob, pete):
    police, market = luoyang["police"], luoyang["market_regulation"]
    first, second = transfer(clue, bob, [police, market])
    clue.refresh_from_db()
    assert clue.status == Clue.Status.TRANSFERRED
    assert [first.receiver, second.receiver] == [police, market]
    letters = Letter.objects.filter(issuer=luoyang["housing"]).order_by("number", "kind")
    # 移送函 are numbered in their own series; each 回执 is a form carrying its 移送函's number
    assert [(x.kind, x.number) for x in letters] == [("receipt", 1), ("transfer", 1), ("receipt", 2), ("transfer", 2)]
    assert first.receipt_letter.doc_number == f"{first.transfer_letter.doc_number}·移送回执"
    assert first.transfer_letter.materials == ["线索摘要及交易记录", "投标文件机器码比对报告"]
    ret_clock = clocks_for(first.handoff).get()
    assert ret_clock.department == police and ret_clock.started_at == first.delivered_at
    assert ret_clock.rule_version.clause == "洛阳 三(六)"
    # the decision clock of the supervising department closed with the transfer
    assert clocks_for(clue).get(rule_version__rule__key="referral.transfer").state == Clock.State.MET
    assert pete.has_perm("referrals.view_clue", clue)


def test_paper_delivery_starts_the_clock_at_the_recorded_time(luoyang, alice, bob, frozen):
    from tests.referrals.conftest import clue_input

    now = timezone.now()
    frozen(now - dt.timedelta(hours=5))
    clue = services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    frozen(now)
    when = now - dt.timedelta(hours=2)  # handed over in person two hours ago, recorded now
    t = transfer(clue, bob, [luoyang["police"]], delivery_method="post", delivered_at=when)[0]
    assert clocks_for(t.handoff).get().started_at == when
    with pytest.raises(DomainError) as exc:
        transfer(clue, bob, [luoyang["procuratorate"]], delivery_method="post")
    assert "delivered_at" in exc.value.field_errors
    with pytest.raises(DomainError, match="不能早于线索接收时间"):
        transfer(clue, bob, [luoyang["procuratorate"]], delivery_method="post", delivered_at=now - dt.timedelta(days=1))


def test_transfer_validation_names_fields(clue, luoyang, bob):
    with pytest.raises(DomainError) as exc:
        services.transfer_clue(actor=bob, clue=clue, receivers=[], matter="nope", legal_basis=" ", materials=[])
    assert {"receivers", "matter", "legal_basis", "materials"} <= set(exc.value.field_errors)
    transfer(clue, bob, [luoyang["police"]])
    with pytest.raises(Conflict, match="请勿重复移送"):
        transfer(clue, bob, [luoyang["police"]])


def test_outsiders_cannot_see_or_act(clue, luoyang, bob, erin):
    t = transfer(clue, bob, [luoyang["police"]])[0]
    with pytest.raises(NotFound):
        selectors.get_clue(erin, clue.pk)
    with pytest.raises(Forbidden):
        services.accept_transfer(actor=bob, transfer=t)  # the sender is not the receiver
    with pytest.raises(Forbidden):
        services.transfer_clue(actor=erin, clue=clue, receivers=[luoyang["finance"]], matter=Matter.FUNDING,
                               legal_basis=BASIS, materials=["x"])


def test_receipt_accept_result_closes_the_loop(clue, luoyang, bob, pete):
    t = transfer(clue, bob, [luoyang["police"]])[0]
    services.sign_receipt(actor=pete, transfer=t)
    with pytest.raises(Conflict):
        services.sign_receipt(actor=pete, transfer=t)
    with pytest.raises(Conflict, match="须先受理"):
        services.report_result(actor=pete, transfer=t, result="已立案侦查")
    services.accept_transfer(actor=pete, transfer=t)
    with pytest.raises(Conflict):
        services.accept_transfer(actor=pete, transfer=t)
    with pytest.raises(Conflict, match="不能退回"):
        services.return_transfer(actor=pete, transfer=t, reasons="受理后发现不属于本单位职责范围")
    clocks = {c.rule_version.rule.key: c for c in clocks_for(t.handoff)}
    assert clocks["referral.return"].state == Clock.State.MET
    assert clocks["referral.accept_notice"].state == Clock.State.MET   # Luoyang default 5 wd, met at once
    services.report_result(actor=pete, transfer=t, result="已立案侦查，犯罪嫌疑人已被采取强制措施。",
                           completed_on=local_date(timezone.now()))
    clue.refresh_from_db()
    assert clue.status == Clue.Status.CLOSED and "已立案侦查" in clue.result
    t.refresh_from_db()
    assert t.state == Handoff.State.COMPLETED
    assert "referral.result_feedback" not in {c.rule_version.rule.key for c in clocks_for(t.handoff)}  # 洛阳: no limit
    actions = [e.action for e in selectors.clue_timeline(clue)]
    for expected in ("clue.received", "clue.transferred", "clue.receipt_signed", "clue.accepted",
                     "clue.result_reported", "clue.closed", "letter.issued", "clock.started"):
        assert expected in actions, expected


def test_return_needs_reasons_issues_a_letter_and_puts_it_back_on_the_desk(clue, luoyang, bob, pete):
    t = transfer(clue, bob, [luoyang["police"]])[0]
    with pytest.raises(DomainError) as exc:
        services.return_transfer(actor=pete, transfer=t, reasons="不归我管")
    assert "reasons" in exc.value.field_errors
    reasons = "经审查，该线索不涉嫌刑事犯罪，属于行政违法，应由行业主管部门依法处理。"
    services.return_transfer(actor=pete, transfer=t, reasons=reasons)
    t.refresh_from_db()
    clue.refresh_from_db()
    assert t.return_letter.kind == "return" and t.return_letter.issuer == luoyang["police"]
    assert clue.return_count == 1 and clue.status == Clue.Status.REGISTERED
    fresh = clocks_for(clue).filter(rule_version__rule__key="referral.transfer", closed_at__isnull=True).get()
    assert fresh.department == luoyang["housing"]


def test_bouncing_twice_goes_to_the_supervision_office(clue, luoyang, bob, pete, dave):
    reasons = "经审查，该事项不属于本单位职责范围，请依法移送有管辖权的机关。"
    for _ in range(2):
        t = transfer(clue, bob, [luoyang["police"]])[0]
        services.return_transfer(actor=pete, transfer=t, reasons=reasons)
    clue.refresh_from_db()
    assert clue.status == Clue.Status.DISPUTED and clue.return_count == 2
    dispute = clue.disputes.get()
    assert {dispute.first, dispute.second} == {luoyang["housing"], luoyang["police"]}
    with pytest.raises(Conflict, match="管辖争议"):
        transfer(clue, bob, [luoyang["procuratorate"]])
    with pytest.raises(Forbidden):
        services.decide_dispute(actor=bob, dispute=dispute, department=luoyang["police"], reason="由公安管辖")
    designated = services.decide_dispute(actor=dave, dispute=dispute, department=luoyang["police"],
                                         reason="涉嫌串通投标罪，由公安机关管辖")
    assert designated.designated and designated.sender.is_supervision_office
    with pytest.raises(Conflict, match="指定管辖"):
        services.return_transfer(actor=pete, transfer=designated, reasons=reasons)
    clue.refresh_from_db()
    assert clue.status == Clue.Status.TRANSFERRED


def test_forward_to_another_level_informs_the_sender(clue, luoyang, bob, pete):
    city = luoyang["police"].jurisdiction
    district = ensure_jurisdiction(code="410302", name="老城区", level=Jurisdiction.Level.DISTRICT, parent=city)
    district_police = ensure_department(code="LY-LC-POLICE", name="洛阳市公安局老城分局", short_name="老城分局",
                                        type=Department.Type.POLICE, jurisdiction=district)
    officer = make_user("lao", district_police, "handler")
    t = transfer(clue, bob, [luoyang["police"]])[0]
    with pytest.raises(DomainError) as exc:
        services.forward_transfer(actor=pete, transfer=t, to_department=luoyang["procuratorate"], reasons="其他层级")
    assert "to_department" in exc.value.field_errors
    child = services.forward_transfer(actor=pete, transfer=t, to_department=district_police, reasons="属老城区辖区案件")
    t.refresh_from_db()
    assert t.state == Handoff.State.FORWARDED and t.forward_letter.addressee == luoyang["housing"]
    assert child.parent == t and child.sender == luoyang["police"] and child.receiver == district_police
    services.accept_transfer(actor=officer, transfer=child)
    services.report_result(actor=officer, transfer=child, result="已立案侦查并反馈。",
                           completed_on=local_date(timezone.now()))
    clue.refresh_from_db()
    assert clue.status == Clue.Status.CLOSED


def test_routing_suggestions_follow_the_table_and_moved_penalty_power(clue, luoyang):
    crime = [d for d, _ in selectors.suggest_receivers(clue, "crime")]
    assert crime == [luoyang["police"]]
    assert [d for d, _ in selectors.suggest_receivers(clue, "official_misconduct")] == [luoyang["discipline"]]
    PenaltyPowerMove.objects.create(department=luoyang["transport"], law_enforcement=luoyang["law_enforcement"])
    rows = selectors.suggest_receivers(clue, "qualification_penalty")
    names = {d: note for d, note in rows}
    assert luoyang["law_enforcement"] in names and "处罚权已划转综合执法" in names[luoyang["law_enforcement"]]
    assert luoyang["transport"] not in names and luoyang["housing"] not in names  # not to itself


def test_transfer_letter_numbers_never_repeat_across_clues(luoyang, alice, bob):
    from tests.referrals.conftest import clue_input

    clues = [services.intake_clue(actor=alice, data=clue_input(luoyang, external_id=f"E{i}")).clue for i in range(3)]
    for c in clues:
        transfer(c, bob, [luoyang["police"]])
    numbers = list(Transfer.objects.values_list("transfer_letter__number", flat=True))
    assert sorted(numbers) == [1, 2, 3]  # the 移送函 series, gapless (回执 take no number of their own)
    assert len(set(Letter.objects.values_list("doc_number", flat=True))) == Letter.objects.count()


def test_transfer_form_offers_neither_the_sender_nor_the_centre_and_warns_of_an_earlier_return(
        client, clue, luoyang, bob, pete):
    client.force_login(bob)
    offered = set(client.get(clue.get_absolute_url()).context["transfer_form"].fields["receivers"].queryset)
    assert luoyang["housing"] not in offered and luoyang["trading_centre"] not in offered
    assert luoyang["police"] in offered
    t = transfer(clue, bob, [luoyang["police"]])[0]
    services.return_transfer(actor=pete, transfer=t, reasons="经审查，该线索不涉嫌刑事犯罪，应由行业主管部门依法处理。")
    page = client.get(clue.get_absolute_url())
    assert f"{luoyang['police'].name}（曾退回本线索）" in page.content.decode()
    assert page.content.decode().count("returned-before") == 1 and "不涉嫌刑事犯罪" in page.content.decode()
    # A hand-made POST naming the trading centre is refused by the form and by the service.
    posted = client.post(f"{clue.get_absolute_url()}transfer/", {
        "receivers": [luoyang["trading_centre"].pk], "matter": Matter.CRIME, "legal_basis": BASIS,
        "materials": "线索摘要", "delivery_method": "system"})
    assert posted.status_code == 400 and Transfer.objects.filter(receiver=luoyang["trading_centre"]).count() == 0
    with pytest.raises(DomainError, match="不能移送给公共资源交易中心"):
        transfer(clue, bob, [luoyang["trading_centre"]])


def test_penalty_power_move_is_edited_in_the_admin_checked_and_audited(client, olga, luoyang):
    from casework.events.models import Event

    client.force_login(olga)
    assert client.get("/admin/referrals/penaltypowermove/add/").status_code == 200
    cle = luoyang["law_enforcement"]
    bad = client.post("/admin/referrals/penaltypowermove/add/", {
        "department": luoyang["water"].pk, "law_enforcement": luoyang["water"].pk, "basis": "市政府文件"})
    assert bad.status_code == 200 and not PenaltyPowerMove.objects.exists()  # not a law-enforcement organ
    ok = client.post("/admin/referrals/penaltypowermove/add/", {
        "department": luoyang["water"].pk, "law_enforcement": cle.pk, "basis": "洛政〔2025〕1号（演示）"})
    assert ok.status_code == 302
    move = PenaltyPowerMove.objects.get()
    assert Event.objects.get(action="referral.penalty_power_moved").after["law_enforcement"] == cle.code
    page = client.get("/admin/referrals/penaltypowermove/").content.decode()
    assert "承接处罚权的综合执法部门" in page and luoyang["water"].name in page
    client.post(f"/admin/referrals/penaltypowermove/{move.pk}/delete/", {"post": "yes"})
    assert not PenaltyPowerMove.objects.exists()
    assert Event.objects.filter(action="referral.penalty_power_restored").count() == 1
