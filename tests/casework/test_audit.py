"""The append-only, HMAC-chained audit trail, anchored by signed checkpoints outside the database."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from casework.events import checkpoints
from casework.events.models import AuditHead, Event
from casework.events.services import (
    CHAIN_REQUESTED_KEY,
    _hash_fields,
    canonical,
    chain_pending,
    record,
    request_chaining,
    verify_chain,
)
from casework.org.models import Department


def _write_events(luoyang, n=3) -> int:
    """Write n events and link them; returns the chain position before them (the preset wrote some)."""
    chain_pending()  # what the after-commit hook does (the test's transaction never commits)
    base = AuditHead.objects.get(pk=1).seq
    dept = luoyang["housing"]
    for i in range(n):
        record(actor=None, obj=dept, action="test.touched", after={"i": i}, reason=f"第{i}次")
    chain_pending()
    return base


def _tamper(sql, params=()):
    """Bypass the database's append-only guard the way an intruder with DDL rights could."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush pending FK checks before ALTER
            cur.execute("ALTER TABLE casework_event DISABLE TRIGGER casework_event_no_update")
        else:
            cur.execute("DROP TRIGGER IF EXISTS casework_event_no_update")
        cur.execute(sql, params)


def _chained():
    return list(Event.objects.filter(chain_seq__isnull=False).order_by("chain_seq"))


def test_chain_verifies(luoyang, capsys):
    base = _write_events(luoyang)
    assert [e.chain_seq for e in _chained()][-3:] == [base + 1, base + 2, base + 3]
    assert verify_chain().ok
    call_command("verify_audit")
    assert capsys.readouterr().out.startswith(f"OK ({base + 3} events")


@pytest.fixture
def sequencer_requests(monkeypatch):
    """The sequencer runs Celery asks for, recorded instead of queued (no worker runs here)."""
    from django.core.cache import cache

    from casework.tasks import chain_audit_events

    asked = []
    monkeypatch.setattr(chain_audit_events, "apply_async", lambda *a, **kw: asked.append(kw))
    cache.delete(CHAIN_REQUESTED_KEY)
    yield asked
    cache.delete(CHAIN_REQUESTED_KEY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_are_inserted_unchained_and_linked_by_the_sequencer(sequencer_requests):
    from casework.org.services import load_org_preset
    from casework.tasks import chain_audit_events

    depts = load_org_preset(preset="luoyang")
    assert len(sequencer_requests) == 1  # the preset's commit asked for a run ...
    assert AuditHead.objects.filter(seq__gt=0).count() == 0  # ... and linked nothing itself
    chain_audit_events()  # the worker's run
    base = AuditHead.objects.get(pk=1).seq
    assert base == Event.objects.count()
    with transaction.atomic():
        record(actor=None, obj=depts[0], action="test.one")
        record(actor=None, obj=depts[1], action="test.two")
        assert Event.objects.filter(chain_seq__isnull=True).count() == 2  # nothing locked, nothing linked
        mine = [c for c in connection.run_on_commit if c[1] is request_chaining]
        assert len(mine) == 1  # one request per transaction, however many events
    assert len(sequencer_requests) == 2  # the run above started, so this commit asked again
    result = verify_chain()
    assert result.ok and result.pending == 2 and result.checked == base  # committed, awaiting the sequencer
    with transaction.atomic():
        record(actor=None, obj=depts[2], action="test.three")
    assert len(sequencer_requests) == 2  # a run is already queued: it links this one too
    assert chain_audit_events() == 3
    events = _chained()[-3:]
    assert [e.action for e in events] == ["test.one", "test.two", "test.three"]
    assert events[1].prev_hash == events[0].hash and AuditHead.objects.get(pk=1).seq == base + 3
    result = verify_chain()
    assert result.ok and result.pending == 0 and result.checked == base + 3
    with transaction.atomic():
        record(actor=None, obj=depts[0], action="test.four")
    assert len(sequencer_requests) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_broker_outage_never_fails_the_write_and_beat_links_its_events(monkeypatch, sequencer_requests):
    from casework.org.services import load_org_preset
    from casework.tasks import chain_audit_events

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(chain_audit_events, "apply_async", down)
    depts = load_org_preset(preset="luoyang")  # committed, although the sequencer could not be asked
    with transaction.atomic():
        record(actor=None, obj=depts[0], action="test.during_outage")
    assert verify_chain().pending == Event.objects.count()
    chain_audit_events()  # beat's run, once the broker is back
    result = verify_chain()
    assert result.ok and result.pending == 0 and result.checked == Event.objects.count()


def test_pending_events_are_reported_not_failed(luoyang):
    base = _write_events(luoyang, 2)
    record(actor=None, obj=luoyang["housing"], action="test.later")
    result = verify_chain()
    assert result.ok and result.checked == base + 2 and result.pending == 1


def test_database_refuses_updates_and_deletes(luoyang):
    _write_events(luoyang, 1)
    event = Event.objects.last()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(reason="改过了")
    with pytest.raises(DatabaseError), transaction.atomic():  # not even the chain columns, once written
        Event.objects.filter(pk=event.pk).update(hash="f" * 64)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Event.objects.filter(pk=event.pk).delete()


def test_unchained_event_cannot_be_edited_while_linking(luoyang):
    _write_events(luoyang, 0)
    record(actor=None, obj=luoyang["housing"], action="test.touched")
    event = Event.objects.get(chain_seq__isnull=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(chain_seq=1, prev_hash="0" * 64, hash="a" * 64, reason="顺手改")


def test_edited_event_is_reported_as_first_broken_link(luoyang):
    base = _write_events(luoyang, 5)
    target = _chained()[base + 2]
    _tamper("UPDATE casework_event SET reason = %s WHERE id = %s", ["篡改", target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_seq == target.chain_seq == base + 3
    with pytest.raises(CommandError, match=f"第 {base + 3} 条"):
        call_command("verify_audit")


def test_deleted_event_is_reported(luoyang):
    base = _write_events(luoyang, 5)
    target = _chained()[base + 3]
    _tamper("DELETE FROM casework_event WHERE id = %s", [target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_seq == base + 4


def test_chain_recomputed_with_plain_sha256_is_detected(luoyang):
    """The old chain's weakness: an intruder rewrote an event and recomputed every hash after it."""
    base = _write_events(luoyang, 4)
    _tamper("UPDATE casework_event SET reason = %s WHERE chain_seq = %s", ["篡改", base + 2])
    prev = "0" * 64
    for event in _chained():
        event.prev_hash = prev
        plain = hashlib.sha256(canonical(_hash_fields(event))).hexdigest()
        _tamper("UPDATE casework_event SET prev_hash = %s, hash = %s WHERE id = %s", [prev, plain, event.pk])
        prev = plain
    _tamper("UPDATE casework_audithead SET hash = %s", [prev])
    result = verify_chain()
    assert not result.ok and result.broken_seq == 1 and "密钥哈希" in result.problem


def test_truncation_with_edited_head_is_caught_by_the_checkpoint(luoyang):
    base = _write_events(luoyang, 5)
    assert checkpoints.write_checkpoint()["seq"] == base + 5
    survivors = _chained()[:base + 3]
    _tamper("DELETE FROM casework_event WHERE chain_seq > %s", [base + 3])
    _tamper("UPDATE casework_audithead SET seq = %s, hash = %s", [base + 3, survivors[-1].hash])
    result = verify_chain()
    assert not result.ok and result.broken_seq == base + 4 and "末尾事件被删除" in result.problem
    with pytest.raises(CommandError, match=f"第 {base + 4} 条"):
        call_command("verify_audit")


def test_rewrite_with_the_checkpoint_recorded_hash_differing(luoyang):
    """Even with the key stolen, a chain rewritten after a checkpoint no longer matches the anchor."""
    base = _write_events(luoyang, 3)
    checkpoints.write_checkpoint()
    _tamper("UPDATE casework_event SET hash = NULL, chain_seq = NULL, prev_hash = NULL")
    _tamper("UPDATE casework_event SET reason = '改写' WHERE seq = (SELECT MIN(seq) FROM casework_event)")
    _tamper("UPDATE casework_audithead SET seq = 0, hash = %s", ["0" * 64])
    chain_pending()  # re-linked with the real key: every link checks out, but not against the anchor
    result = verify_chain()
    assert not result.ok and result.broken_seq == base + 3 and "检查点" in result.problem


def test_forged_checkpoint_lines_are_ignored_and_reported(luoyang):
    _write_events(luoyang, 2)
    checkpoints.write_checkpoint()
    path = checkpoints.checkpoint_path()
    forged = {"kind": "purge", "seq": 2, "hash": "x" * 64, "sig": "0" * 64}
    path.write_text(path.read_text() + json.dumps(forged) + "\n")
    result = verify_chain()
    assert result.ok and result.base_seq == 0 and "签名无效" in result.notes[0]


def test_checkpoint_written_only_when_the_chain_moved(luoyang):
    base = _write_events(luoyang, 2)
    assert checkpoints.write_checkpoint()["seq"] == base + 2
    assert checkpoints.write_checkpoint() is None
    _write_events(luoyang, 1)
    assert checkpoints.write_checkpoint()["seq"] == base + 3
    assert [r["seq"] for r in checkpoints.read().checkpoints] == [base + 2, base + 3]


def test_checkpoint_task_links_then_anchors(luoyang):
    from casework.tasks import checkpoint_audit_chain

    record(actor=None, obj=luoyang["housing"], action="test.touched")
    assert checkpoint_audit_chain() == Event.objects.count()
    assert verify_chain().ok and checkpoints.read().last_seq == Event.objects.count()


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
