"""The command-line tools a new user and an operator run."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from casework.handoffs.models import Handoff
from casework.org.models import ApiClient, Department, Membership


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("args,expected", [
    (["2026-09-30", "3"], "2026-10-10"),                          # National Day + make-up Saturday
    (["2026-12-30", "3"], "2027-01-04 provisional"),              # 2027 not loaded yet
    (["2026-09-24", "3", "--calendar-days"], "2026-09-28"),       # ends on a holiday Sunday: rolls
    (["2026-11-16", "1"], "2026-11-17"),
])
def test_workdays_add(db, args, expected):
    assert run("workdays", "add", *args).strip() == expected


@pytest.mark.parametrize("args,message", [
    (["2026-02-30", "3"], "日期“2026-02-30”无效"),
    (["2026-09-30", "0"], "天数须至少为 1"),
    (["2026-09-30", "x"], "不是整数"),
])
def test_workdays_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("workdays", "add", *args)


def test_apiclient_create_prints_working_token_last(luoyang):
    out = run("apiclient", "create", "monitor", "--department", luoyang["trading_centre"].code)
    token = out.strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/departments/").status_code == 200
    assert not ApiClient.objects.filter(key_hash=token).exists()  # only the hash is stored
    with pytest.raises(CommandError, match="已存在"):
        run("apiclient", "create", "monitor", "--department", luoyang["trading_centre"].code)
    with pytest.raises(CommandError, match="单位代码“NOPE”不存在"):
        run("apiclient", "create", "other", "--department", "NOPE")


@pytest.mark.parametrize("preset", ["luoyang", "pingdingshan", "hegang", "weihai", "zengdu"])
def test_seed_demo_is_idempotent(db, settings, preset):
    settings.DEBUG = True
    first = run("seed_demo", "--preset", preset)
    from complaints.models import Complaint
    from consultations.models import Mechanism
    from credit.models import CreditRecord
    from inspections.models import Plan
    from jointaction.models import AssistanceRequest, JointAction
    from referrals.models import Clue

    def counts():
        return tuple(m.objects.count() for m in (Membership, Handoff, ApiClient, Clue, Complaint, CreditRecord,
                                                 AssistanceRequest, JointAction, Mechanism))

    from supervision.models import Circular, QuarterlyReport, SupervisionNotice

    def supervision_counts():
        return tuple(m.objects.count() for m in (SupervisionNotice, Circular, QuarterlyReport))

    before, supervision_before = counts(), supervision_counts()
    second = run("seed_demo", "--preset", preset)
    # a risk warning pushed as a clue; credit: see credit/demo.py
    assert counts() == before and before[3:] == (3, 3, 4, 2, 2, 1)
    # the public portal has a published complaint outcome (identity removed) and a joint-action public notice
    published = Complaint.objects.get(published_at__isnull=False)
    assert "王**" in published.publication_text and "0123" in published.publication_text
    assert "6555" not in published.publication_text and "王演示" not in published.publication_text
    assert JointAction.objects.filter(state="published", notice_letter__isnull=False).count() == 1
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(is_superuser=True).exists()  # 三员分立: no superuser in the demo
    assert ".security_admin" in first and ".auditor" in first
    # 督办函 on an overdue item, an issued + published 通报 and a draft one, the last quarter's report drafted
    assert supervision_counts() == supervision_before == (1, 2, 1)
    assert Circular.objects.filter(published=True, state="issued").count() == 1
    assert Plan.objects.exists()
    # A second level of the police (forwarding is reachable) and, where there is 综合执法, a moved penalty power.
    from referrals.models import PenaltyPowerMove
    levels = {d.jurisdiction_id: d for d in Department.objects.filter(type="police")}
    assert len(levels) == (1 if preset == "zengdu" else 2), "the police at two levels where the preset is a city"
    for d in levels.values():
        assert Membership.objects.filter(department=d, role="handler").exists()
    has_cle = Department.objects.filter(type="law_enforcement").exists()
    assert PenaltyPowerMove.objects.exists() == (has_cle and Department.objects.filter(type="water").exists())
    from casework.attachments.models import Attachment

    evidence = Attachment.objects.get(purpose="evidence")  # travels with the demo 移送函 to the police
    assert evidence.letters.filter(kind="transfer").exists()
    assert "所有演示用户的密码" in first and ".supervisor" in first
    token = second.strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/departments/").status_code == 200


def test_seed_demo_refuses_production_without_flag(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        run("seed_demo")


def test_bootstrap_creates_three_separate_administrators_and_no_superuser(db, settings):
    """A real deployment's first start: the preset's organisation and the 三员, none a superuser, each with a
    one-time initial password that must be changed at first login (then the authenticator is enrolled)."""
    from django.contrib.auth import get_user_model

    from casework.accounts.policy import requires_two_factor
    from casework.accounts.services import must_change_password

    settings.PORTAL_TWO_FACTOR_ENFORCED = True  # as in production (the test settings relax it)
    out = run("bootstrap", "--preset", "luoyang", "--admin", "wang.admin", "--security-admin", "li.secadmin",
              "--auditor", "zhao.audit")
    User = get_user_model()
    assert not User.objects.filter(is_superuser=True).exists()
    office = Department.objects.get(is_supervision_office=True, jurisdiction__parent__isnull=True)
    for username, role in (("wang.admin", "admin"), ("li.secadmin", "security_admin"), ("zhao.audit", "auditor")):
        user = User.objects.get(username=username)
        assert list(Membership.objects.filter(user=user).values_list("role", "department")) == [(role, office.pk)]
        assert must_change_password(user) and requires_two_factor(user)
        password = next(line for line in out.splitlines() if f"\t{username}\t" in line).split("初始密码：")[1]
        assert user.check_password(password)
    # the system administrator is no case reader: not in any department's access group
    assert not User.objects.get(username="wang.admin").groups.filter(department__isnull=False).exists()


def test_bootstrap_refuses_bad_input_and_writes_nothing(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with pytest.raises(CommandError, match="三个不同的用户"):
        run("bootstrap", "--preset", "luoyang", "--admin", "a.one", "--security-admin", "a.one", "--auditor", "a.two")
    with pytest.raises(CommandError, match="用户名不合法"):
        run("bootstrap", "--preset", "luoyang", "--admin", "good.name", "--security-admin", "bad name!",
            "--auditor", "x.audit")
    assert not User.objects.exists() and not Department.objects.exists()  # the preset's load rolled back too
    with pytest.raises(CommandError, match="单位代码“NOPE”不存在"):
        run("bootstrap", "--preset", "luoyang", "--department", "NOPE", "--admin", "a1", "--security-admin", "a2",
            "--auditor", "a3")
    User.objects.create_user("taken")
    with pytest.raises(CommandError, match="用户名已存在：taken"):
        run("bootstrap", "--preset", "luoyang", "--admin", "taken", "--security-admin", "b2", "--auditor", "b3")
