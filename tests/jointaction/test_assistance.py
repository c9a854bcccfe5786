"""Assistance letters (协助办理函): request with required contents, review and return clocks, return with
reasons, assist and feed back the result; letters for each step."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.clocks.escalation import sweep
from casework.clocks.models import Clock, EscalationStep
from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.letters.models import Letter
from casework.letters.services import get_letter
from casework.notifications.models import Notification
from jointaction import selectors, services
from jointaction.models import AssistanceRequest
from tests.conftest import at

pytestmark = pytest.mark.django_db


def ask(bob, luoyang, **kw):
    args = dict(actor=bob, requester=luoyang["housing"], assistant=luoyang["market_regulation"],
                case_name="洛阳市某学校教学楼工程串通投标案",
                case_summary="经查，三家投标人投标文件机器码一致，涉嫌串通投标，我局已立案调查。",
                matters="调取甲建设有限公司、乙建筑工程有限公司的企业登记档案及股东变更记录。",
                reasons="核实投标人之间是否存在控股、管理关系，需市场监管部门提供登记信息。",
                materials=["立案审批表", "投标文件机器码比对报告"])
    args.update(kw)
    return services.request_assistance(**args)


def test_request_carries_required_contents_and_starts_review_and_return_clocks(bob, luoyang, frozen, mark):
    frozen(at(2026, 11, 20, 9))   # a Friday
    req, created = ask(bob, luoyang)
    assert created and req.state == AssistanceRequest.State.SENT
    letter = req.request_letter
    assert letter.kind == Letter.Kind.ASSISTANCE and letter.addressee == luoyang["market_regulation"]
    assert "协" in letter.doc_number and "案件基本情况" in letter.body and "需要协助办理的事项" in letter.body
    assert letter.materials == ["立案审批表", "投标文件机器码比对报告"]
    clocks = {c.rule_version.rule.key: c for c in clocks_for(req.handoff)}
    assert set(clocks) == {"assistance.review", "assistance.return"}
    assert all(c.department == luoyang["market_regulation"] for c in clocks.values())
    # Luoyang 五(二): review within 5 working days, return within 3, counted from the day after receipt.
    assert clocks["assistance.review"].due_at == at(2026, 11, 28, 0)
    assert clocks["assistance.return"].due_at == at(2026, 11, 26, 0)
    assert Notification.objects.filter(recipient=mark, kind="assistance_received").exists()


def test_the_form_refuses_to_send_without_its_contents(bob, luoyang):
    with pytest.raises(DomainError) as err:
        ask(bob, luoyang, case_summary="", matters="", reasons=" ", materials=[])
    assert set(err.value.field_errors) == {"case_summary", "matters", "reasons", "materials"}
    assert "材料" in err.value.field_errors["materials"][0]
    with pytest.raises(DomainError) as err:
        ask(bob, luoyang, assistant=luoyang["housing"])
    assert "本单位" in err.value.field_errors["assistant"][0]
    with pytest.raises(DomainError) as err:
        ask(bob, luoyang, reply_by=dt.date(2020, 1, 1))
    assert "reply_by" in err.value.field_errors
    assert not AssistanceRequest.objects.exists() and not Letter.objects.exists()


def test_only_members_send_in_their_departments_name(erin, luoyang):
    with pytest.raises(Forbidden):
        ask(erin, luoyang)


def test_double_submission_sends_one_letter(bob, luoyang):
    first, created = ask(bob, luoyang, submission_key="form-1")
    again, created_again = ask(bob, luoyang, submission_key="form-1")
    assert created and not created_again and again.pk == first.pk
    assert Letter.objects.filter(kind=Letter.Kind.ASSISTANCE).count() == 1


def test_uploaded_material_is_listed_by_name_and_size_and_kept_with_its_digest(bob, luoyang):
    import hashlib

    from casework.attachments.services import attachments_of

    data = b"%PDF-1.4 fingerprint report"
    upload = SimpleUploadedFile("比对报告.pdf", data, content_type="application/pdf")
    req, _ = ask(bob, luoyang, materials="", uploads=[upload])
    files = list(attachments_of(req))
    assert len(files) == 1 and files[0].sha256 == hashlib.sha256(data).hexdigest()
    assert req.materials == [f"比对报告.pdf（{len(data)} 字节）"] and "SHA-256" not in req.request_letter.materials[0]


def test_return_needs_written_reasons_and_issues_a_return_letter(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang)
    with pytest.raises(DomainError) as err:
        services.return_assistance(actor=mark, request=req, reasons="不是")
    assert "理由" in err.value.field_errors["reasons"][0]
    with pytest.raises(Forbidden):
        services.return_assistance(actor=bob, request=req, reasons="请求单位不能自己退回这份协助办理函。")
    frozen(at(2026, 11, 24, 15))
    req = services.return_assistance(actor=mark, request=req,
                                     reasons="所请调取的是不动产登记信息，不属于市场监管部门职能，请向自然资源部门商请。")
    assert req.state == AssistanceRequest.State.RETURNED
    assert req.return_letter.kind == Letter.Kind.RETURN and req.return_letter.addressee == luoyang["housing"]
    assert req.return_letter.reasons and "不动产" in req.return_letter.reasons[0]
    states = {c.rule_version.rule.key: c.state for c in clocks_for(req.handoff)}
    assert states == {"assistance.review": Clock.State.MET, "assistance.return": Clock.State.MET}
    with pytest.raises(Conflict):
        services.accept_assistance(actor=mark, request=req)


def test_late_return_is_recorded_as_breached(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang)
    frozen(at(2026, 11, 27, 10))   # the 3-working-day return window closed on the 25th
    services.return_assistance(actor=mark, request=req, reasons="超出本单位职能，应由自然资源部门协助办理。")
    ret = clocks_for(req.handoff).get(rule_version__rule__key="assistance.return")
    assert ret.state == Clock.State.BREACHED and ret.closed_at is not None


def test_assist_then_feed_back_the_result_by_the_requested_date(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 12, 4))
    with pytest.raises(Conflict):
        services.report_assistance_result(actor=mark, request=req, result="还没决定协助就反馈结果是不行的。")
    frozen(at(2026, 11, 23, 10))
    req = services.accept_assistance(actor=mark, request=req)
    with pytest.raises(Conflict):
        services.accept_assistance(actor=mark, request=req)   # double click
    result_clock = clocks_for(req.handoff).get(rule_version__rule__key="assistance.result")
    assert result_clock.set_due_on == dt.date(2026, 12, 4) and result_clock.due_at == at(2026, 12, 5, 0)
    assert clocks_for(req.handoff).get(rule_version__rule__key="assistance.review").state == Clock.State.MET
    with pytest.raises(DomainError):
        services.report_assistance_result(actor=mark, request=req, result="")
    frozen(at(2026, 12, 1, 10))
    req = services.report_assistance_result(
        actor=mark, request=req, result="经查询登记档案，甲公司与乙公司的法定代表人为同一人，登记档案复印件随函附送。")
    assert req.state == AssistanceRequest.State.COMPLETED
    assert req.result_letter.kind == Letter.Kind.ASSISTANCE_RESULT and "法定代表人" in req.result_letter.body
    assert clocks_for(req.handoff).get(pk=result_clock.pk).state == Clock.State.MET
    assert get_letter(bob, req.result_letter.pk) == req.result_letter


def test_result_overdue_escalates_like_any_clock(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 11, 27))
    services.accept_assistance(actor=mark, request=req)
    clock = clocks_for(req.handoff).get(rule_version__rule__key="assistance.result")
    frozen(at(2026, 11, 30, 9))
    sweep()
    assert set(EscalationStep.objects.filter(clock=clock).values_list("kind", flat=True)) >= {"reminder", "breach"}
    assert Clock.objects.get(pk=clock.pk).state == Clock.State.BREACHED


def test_visibility(bob, mark, erin, dave, luoyang):
    req, _ = ask(bob, luoyang)
    assert list(selectors.visible_assistance(bob)) == [req]
    assert list(selectors.visible_assistance(mark)) == [req]
    assert list(selectors.visible_assistance(dave)) == [req]   # the supervision office oversees the city
    assert list(selectors.visible_assistance(erin)) == []
    with pytest.raises(NotFound):
        get_letter(erin, req.request_letter.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_letter_submitted_four_times_at_once_is_sent_once(bob, luoyang):
    from django.db import connection

    from casework.handoffs.models import Handoff
    from tests.conftest import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    results, errors = run_concurrently(*[lambda: ask(bob, luoyang, submission_key="race-1")] * 4)
    assert not errors, errors
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert AssistanceRequest.objects.count() == 1 and Handoff.objects.count() == 1
    assert Letter.objects.filter(kind=Letter.Kind.ASSISTANCE).count() == 1
    assert Clock.objects.count() == 2
