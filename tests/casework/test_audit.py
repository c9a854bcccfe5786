"""The append-only, hash-chained audit trail."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from casework.events.models import Event
from casework.events.services import record, verify_chain
from casework.org.models import Department


def _write_events(luoyang, n=3):
    dept = luoyang["housing"]
    for i in range(n):
        record(actor=None, obj=dept, action="test.touched", after={"i": i}, reason=f"第{i}次")


def _tamper(sql, params):
    """Bypass the database's append-only guard the way an intruder with DDL rights could."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush pending FK checks before ALTER
            cur.execute("ALTER TABLE casework_event DISABLE TRIGGER casework_event_no_update")
        else:
            cur.execute("DROP TRIGGER casework_event_no_update")
        cur.execute(sql, params)


def test_chain_verifies(luoyang, capsys):
    _write_events(luoyang)
    assert verify_chain().ok
    call_command("verify_audit")
    assert capsys.readouterr().out.startswith("OK")


def test_database_refuses_updates(luoyang):
    _write_events(luoyang, 1)
    event = Event.objects.last()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(reason="改过了")


def test_edited_event_is_reported_as_first_broken_link(luoyang):
    _write_events(luoyang, 5)
    target = Event.objects.order_by("seq")[2]
    _tamper("UPDATE casework_event SET reason = %s WHERE id = %s", ["篡改", target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_seq == target.seq
    with pytest.raises(CommandError, match=f"第 {target.seq} 条"):
        call_command("verify_audit")


def test_deleted_event_is_reported(luoyang):
    _write_events(luoyang, 5)
    target = Event.objects.order_by("seq")[3]
    _tamper("DELETE FROM casework_event WHERE id = %s", [target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_seq == target.seq


def test_event_records_actor_ip_before_after(client, luoyang, bob):
    from casework.handoffs.services import send_handoff

    client.force_login(bob)
    handoff = send_handoff(actor=bob, kind="case_transfer", title="测试", sender=luoyang["housing"],
                           receiver=luoyang["police"], rule_key="referral.return")
    client.post(f"/handoffs/{handoff.pk}/receive/")  # bob is the sender: refused, nothing written
    event = Event.objects.filter(action="handoff.sent").get()
    assert event.actor == bob and event.after["receiver"] == luoyang["police"].code
    assert event.actor_label == "bob"
    assert not Event.objects.filter(action="handoff.received").exists()
    assert Department.objects.filter(code=luoyang["police"].code).exists()
