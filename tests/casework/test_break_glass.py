"""A deliberate, audited break-glass read (issue 11): the security administrator grants one named person, for a
stated reason and a few hours, the reading of personal data on the pages that person can already open. The grant
and every read under it are in the audit trail and on the audit page; nobody else, and nobody after expiry."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework import privacy
from casework.errors import DomainError, Forbidden
from casework.events.models import Event
from referrals import services as referrals

SUMMARY = "举报人张晓东（身份证号 410302198807071234）反映，联系电话 +86 138-0000-0000，两家投标人由同一人报名。"


@pytest.fixture
def clue(luoyang):
    return referrals.intake_report(department=luoyang["housing"], project_code="LYGC2026-778",
                                   project_name="某桥梁工程", summary=SUMMARY, submission_key="break-glass:1").clue


def _page(user, clue) -> str:
    c = Client()
    c.force_login(user)
    response = c.get(f"/referrals/{clue.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_security_administrator_grants_never_to_themselves_with_a_reason(sam, bob, lily):
    with pytest.raises(Forbidden, match="须由安全管理员办理"):
        privacy.grant_break_glass(actor=bob, grantee=lily, reason="核查举报人身份以便当面核实情况", hours=4)
    with pytest.raises(Forbidden, match="不能为自己"):
        privacy.grant_break_glass(actor=sam, grantee=sam, reason="核查举报人身份以便当面核实情况", hours=4)
    with pytest.raises(DomainError) as exc:
        privacy.grant_break_glass(actor=sam, grantee=lily, reason="查看", hours=100)
    assert set(exc.value.field_errors) == {"reason", "hours"}


def test_a_grant_unmasks_for_its_holder_until_it_expires_and_every_read_is_audited(
        sam, lily, bob, audrey, clue, frozen):

    assert "410302198807071234" not in _page(lily, clue)  # the liaison: masked
    frozen(timezone.now())
    grant = privacy.grant_break_glass(actor=sam, grantee=lily, reason="举报人来电要求当面核实，需核对身份信息", hours=2)
    granted = Event.objects.get(action="privacy.break_glass_granted")
    assert granted.actor == sam and granted.after["grantee"] == "lily" and "当面核实" in granted.reason
    page = _page(lily, clue)
    assert "410302198807071234" in page and "张晓东" in page
    viewed = Event.objects.filter(action="identity.viewed", actor=lily).get()
    assert viewed.after["break_glass"] == grant.pk
    assert "410302198807071234" not in _page(bob, clue)  # nobody else
    frozen(timezone.now() + dt.timedelta(hours=2, minutes=1))
    assert "410302198807071234" not in _page(lily, clue)  # expired
    c = Client()
    c.force_login(audrey)
    audit = c.get("/audit/").content.decode()
    assert "授予应急查阅个人信息权限" in audit and "查阅个人信息原文" in audit


def test_the_command_grants_and_refuses_with_the_reason(sam, lily, bob):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("break_glass", "--by", "sam", "--to", "lily", "--hours", "1",
                 "--reason", "举报人来电要求当面核实，需核对身份信息", stdout=out)
    assert "已授予 lily" in out.getvalue()
    with pytest.raises(CommandError, match="须由安全管理员办理"):
        call_command("break_glass", "--by", "bob", "--to", "lily", "--hours", "1", "--reason", "x" * 12)
