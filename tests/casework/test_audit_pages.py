"""The auditor's page (/audit/), retention and purge, and an admin that cannot rewrite what is audited."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.errors import DomainError
from casework.events import checkpoints
from casework.events.models import Event
from casework.events.retention import purge_before
from casework.events.services import chain_pending, record, verify_chain
from casework.org.models import Membership
from tests.casework.test_audit import _tamper
from tests.conftest import at, make_user


@pytest.fixture
def quinn(luoyang):
    """An auditor at the supervision office: holds casework.view_auditlog, nothing else special."""
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    user = make_user("quinn", office, Membership.Role.HANDLER)
    user.user_permissions.add(Permission.objects.get(codename="view_auditlog", content_type__app_label="casework"))
    return user


def _text(resp):
    return resp.content.decode()


def test_only_holders_of_the_permission_see_the_page(client, luoyang, bob, erin, dave, olga, audrey, quinn):
    assert client.get("/audit/").status_code == 302  # anonymous: to the login page
    for outsider in (bob, erin, dave, olga):  # the system administrator does not read the trail (三员分立)
        client.force_login(outsider)
        assert client.get("/audit/").status_code == 404
        assert client.post("/audit/verify/").status_code == 404
        assert client.get("/audit/export.csv?since=2026-01-01&until=2026-01-31").status_code == 404
        assert "审计日志" not in _text(client.get("/"))
    for auditor in (audrey, quinn):
        client.force_login(auditor)
        resp = client.get("/audit/")
        assert resp.status_code == 200 and "审计日志" in _text(resp) and "保存 365 天" in _text(resp)


def test_search_by_object_person_action_and_time(client, luoyang, bob, quinn, frozen):
    frozen(at(2026, 3, 2))
    record(actor=bob, obj=luoyang["housing"], action="clue.received", reason="三月的事")
    frozen(at(2026, 4, 2))
    record(actor=bob, obj=luoyang["police"], action="clue.accepted", reason="四月的事")
    record(actor=None, obj=luoyang["housing"], action="clue.accepted", reason="系统四月")
    client.force_login(quinn)
    housing = f"casework.department:{luoyang['housing'].pk}"

    def reasons(**query):
        resp = client.get("/audit/", query)
        assert resp.status_code == 200
        return {e.reason for e in resp.context["page"]} - {""}

    assert reasons(object=housing) == {"三月的事", "系统四月"}
    assert reasons(person="bob") == {"三月的事", "四月的事"}
    assert reasons(action="受理并告知") == {"四月的事", "系统四月"}  # by its Chinese name
    assert reasons(action="clue.received") == {"三月的事"}
    assert reasons(since="2026-04-01", until="2026-04-30", person="bob") == {"四月的事"}
    resp = client.get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"})
    assert resp.status_code == 200 and "截止日期不能早于起始日期" in _text(resp) and resp.context["page"] is None
    resp = client.get("/audit/", {"object": "referrals.clue:"})
    assert "对象须写成 类型:编号" in _text(resp)


def test_page_query_count_does_not_grow_with_the_trail(client, luoyang, quinn, django_assert_max_num_queries):
    client.force_login(quinn)
    for i in range(60):
        record(actor=quinn, obj=luoyang["housing"], action="test.read", reason=f"第{i}次")
    with django_assert_max_num_queries(14):
        resp = client.get("/audit/")
    assert len(resp.context["page"].object_list) == 50


def test_page_shows_how_many_events_await_the_sequencer(client, luoyang, quinn):
    client.force_login(quinn)
    chain_pending()
    assert 'id="audit-pending"' not in _text(client.get("/audit/"))
    record(actor=None, obj=luoyang["housing"], action="test.touched")
    record(actor=None, obj=luoyang["housing"], action="test.touched")
    assert "另有 2 条已提交的事件等待入链" in _text(client.get("/audit/"))  # the page's own audit write is later
    chain_pending()
    assert 'id="audit-pending"' not in _text(client.get("/audit/"))


def test_verify_button_reports_intact_and_broken_chain(client, luoyang, quinn):
    client.force_login(quinn)
    record(actor=None, obj=luoyang["housing"], action="test.touched", reason="原文")
    chain_pending()
    resp = client.post("/audit/verify/", follow=True)
    assert "审计链完好" in _text(resp)
    assert Event.objects.filter(action="audit.verified", actor=quinn).exists()
    chain_pending()
    target = Event.objects.get(action="test.touched")
    _tamper("UPDATE casework_event SET reason = '改过' WHERE id = %s", [target.pk])
    resp = client.post("/audit/verify/", follow=True)
    assert f"审计链在第 {target.chain_seq} 条事件处断开" in _text(resp)


def test_export_a_period_as_csv_with_formula_cells_escaped(client, luoyang, bob, quinn, frozen):
    frozen(at(2026, 3, 2))
    record(actor=bob, obj=luoyang["housing"], action="clue.received", reason='=HYPERLINK("http://x","点我")')
    record(actor=bob, obj=luoyang["housing"], action="clue.received", reason="+1", after={"a": "@SUM(A1)"})
    frozen(at(2026, 4, 2))
    record(actor=bob, obj=luoyang["housing"], action="clue.received", reason="期外")
    client.force_login(quinn)
    resp = client.get("/audit/export.csv", {"since": "2026-03-01", "until": "2026-03-31"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert 'filename="audit-20260301-20260331.csv"' in resp["Content-Disposition"]
    body = b"".join(resp.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["链序号", "序号", "时间"]
    reasons = [r[11] for r in rows[1:]]
    assert reasons == ["'=HYPERLINK(\"http://x\",\"点我\")", "'+1"]  # the April event is outside the period
    assert all(r[7] == "clue.received" and r[3] == "bob" for r in rows[1:])
    assert Event.objects.filter(action="audit.exported", actor=quinn).exists()


def test_export_needs_a_bounded_period(client, luoyang, quinn):
    client.force_login(quinn)
    resp = client.get("/audit/export.csv")
    assert resp.status_code == 400 and "导出须指定起始日期和截止日期" in _text(resp)
    resp = client.get("/audit/export.csv", {"since": "2024-01-01", "until": "2026-01-01"})
    assert resp.status_code == 400 and "一次最多导出 366 天" in _text(resp)
    resp = client.get("/audit/export.csv", {"since": "0001-01-01", "until": "2026-01-01"})
    assert resp.status_code == 400 and "日期须在" in _text(resp)


# --- retention -------------------------------------------------------------------------------------------

def test_purge_refuses_anything_inside_the_retention_period(luoyang, olga, bob, settings, frozen):
    settings.AUDIT_RETENTION_DAYS = 30  # a shorter setting cannot go under six months
    frozen(at(2026, 11, 29))
    with pytest.raises(DomainError, match="至少 183 天") as err:
        purge_before(actor=olga, before=at(2026, 6, 1).date())
    assert "before" in err.value.field_errors
    with pytest.raises(DomainError, match="系统管理员"):
        purge_before(actor=bob, before=at(2025, 1, 1).date())
    with pytest.raises(CommandError, match="只能清理 2026-05-30 之前"):
        call_command("purge_audit", "--before", "2026-07-01")


def test_purge_keeps_the_chain_verifiable_through_the_anchor(request, settings, frozen):
    settings.AUDIT_RETENTION_DAYS = 183
    frozen(at(2025, 1, 10))
    luoyang, olga = request.getfixturevalue("luoyang"), request.getfixturevalue("olga")  # set up back then
    old = [record(actor=None, obj=luoyang["housing"], action="test.old", reason=f"旧{i}") for i in range(3)]
    chain_pending()
    frozen(at(2025, 12, 1))
    for i in range(2):
        record(actor=None, obj=luoyang["housing"], action="test.new", reason=f"新{i}")
    chain_pending()
    checkpoints.write_checkpoint()
    kept_first = Event.objects.filter(action="test.new").order_by("chain_seq").first()
    frozen(at(2026, 11, 29))
    result = purge_before(actor=olga, before=at(2025, 6, 1).date())
    assert result.deleted >= len(old) and not Event.objects.filter(action="test.old").exists()
    assert Event.objects.filter(action="test.new").count() == 2
    assert result.through_seq == kept_first.chain_seq - 1
    chain_pending()
    check = verify_chain()
    assert check.ok and check.base_seq == result.through_seq
    assert Event.objects.filter(action="audit.purged", actor=olga).get().after["through_seq"] == result.through_seq
    # an unauthorised deletion after the purge is still caught
    _tamper("DELETE FROM casework_event WHERE id = %s", [kept_first.pk])
    bad = verify_chain()
    assert not bad.ok and bad.broken_seq == kept_first.chain_seq


def test_purge_command(request, frozen, capsys):
    frozen(at(2025, 1, 10))
    luoyang = request.getfixturevalue("luoyang")
    record(actor=None, obj=luoyang["housing"], action="test.old")
    frozen(at(2026, 11, 29))
    call_command("purge_audit", "--before", "2025-06-01")
    assert "已清理" in capsys.readouterr().out
    assert not Event.objects.filter(action="test.old").exists()
    call_command("verify_audit", "--link-pending")


# --- the admin ---------------------------------------------------------------------------------------------

def test_admin_cannot_edit_or_delete_audit_rows_or_eligibility_logs(client, luoyang, olga, audrey, root):
    from credit.models import EligibilityQuery

    record(actor=None, obj=luoyang["housing"], action="test.touched")
    event = Event.objects.last()
    log = EligibilityQuery.objects.create(subject_code="91410300MA00000000", domain="construction",
                                          on_date=at(2026, 1, 1).date(), eligible=True, asked_by=olga,
                                          asked_at=at(2026, 1, 1))
    # The auditor reads the trail; even a superuser only reads the eligibility log (三员分立: no one edits either).
    for user, url in ((audrey, f"/admin/casework/event/{event.pk}/"),
                      (root, f"/admin/credit/eligibilityquery/{log.pk}/")):
        client.force_login(user)
        assert client.get(url + "change/").status_code == 200  # viewable
        assert client.post(url + "change/", {"reason": "改"}).status_code == 403
        assert client.get(url + "delete/").status_code == 403
    client.force_login(root)
    resp = client.post("/admin/credit/eligibilityquery/", {"action": "delete_selected", "_selected_action": [log.pk]})
    assert EligibilityQuery.objects.filter(pk=log.pk).exists()
    assert resp.status_code in (200, 302)


def test_every_admin_change_joins_the_audit_chain(client, luoyang, olga):
    dept = luoyang["housing"]
    client.force_login(olga)
    resp = client.get(f"/admin/casework/department/{dept.pk}/change/")
    form = resp.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"name": dept.name, "short_name": "住建", "_save": "保存"})
    for key, value in list(data.items()):
        if hasattr(value, "pk"):
            data[key] = value.pk
    resp = client.post(f"/admin/casework/department/{dept.pk}/change/", data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    event = Event.objects.filter(action="admin.changed", object_type="casework.department").get()
    assert event.actor == olga and event.object_id == str(dept.pk)
    assert "简称" in event.after["change"] and event.reason == "系统管理后台修改"
