"""On PostgreSQL: the audit trail no longer serialises the portal, and the chain holds under concurrency.

A commit only inserts its events and asks for the sequencer (a Celery task; no worker runs here, so these tests
run it themselves where the worker would): no business write takes the chain head's lock."""

import threading

import pytest
from django.db import connection, transaction

from casework.events.models import AuditHead, Event
from casework.events.services import Entry, record_many, run_sequencer, verify_chain
from casework.handoffs.services import send_handoff
from casework.letters.services import issue_letter

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and lock_timeout need PostgreSQL (SQLite serialises every writer by design)")


def _write(actor, sender, receiver):
    handoff = send_handoff(actor=actor, kind="case_transfer", title="并发测试", sender=sender, receiver=receiver,
                           rule_key="referral.return")
    issue_letter(actor=actor, issuer=sender, kind="transfer", title="移送函", body=["请依法处理。"], subject=handoff,
                 addressee=receiver)
    return handoff


def test_writers_in_unrelated_departments_do_not_wait_on_each_other(luoyang, bob, erin):
    """bob's transaction has written its hand-over, letter and audit events and stays open; erin, in another
    department, writes hers with lock_timeout 2 s. Before, erin waited on the audit chain head's row lock
    until bob committed (here: timed out). Now she does not wait at all."""
    held, released = threading.Event(), threading.Event()
    errors, done = [], []

    def slow_writer():
        try:
            with transaction.atomic():
                _write(bob, luoyang["housing"], luoyang["police"])
                held.set()
                released.wait(timeout=30)  # the business transaction is still running
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def other_writer():
        try:
            assert held.wait(timeout=30)
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '2s'")
                done.append(_write(erin, luoyang["transport"], luoyang["police"]))
        except Exception as exc:  # a lock wait shows up here as LockNotAvailable
            errors.append(exc)
        finally:
            released.set()
            connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=other_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(done) == 1
    pending = Event.objects.filter(chain_seq__isnull=True).count()
    assert pending > 0 and verify_chain().pending == pending  # committed, waiting for the sequencer
    assert run_sequencer() == pending
    result = verify_chain()
    assert result.ok and result.pending == 0


def test_a_write_never_waits_on_the_sequencer(luoyang, bob):
    """While the sequencer holds the chain head's lock (here: for as long as the test likes), a whole business
    write commits with lock_timeout 1 s: no request path touches the head."""
    run_sequencer()
    locked, released = threading.Event(), threading.Event()
    errors = []

    def sequencer_holding_the_head():
        try:
            with transaction.atomic():
                AuditHead.objects.select_for_update().get(pk=1)
                locked.set()
                released.wait(timeout=30)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=sequencer_holding_the_head)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '1s'")
            handoff = _write(bob, luoyang["housing"], luoyang["police"])
    finally:
        released.set()
        holder.join(60)
    assert not errors, errors
    assert Event.objects.filter(object_id=str(handoff.pk), chain_seq__isnull=True).exists()
    run_sequencer()
    assert verify_chain().ok and not Event.objects.filter(chain_seq__isnull=True).exists()


def test_chain_verifies_after_a_concurrent_burst(luoyang):
    """Eight writers commit (and roll back) concurrently while the sequencer links what has committed, as the
    worker would; once it has run after the burst, the chain is whole, in order and verifies."""
    depts = [d for d in luoyang["all"]][:8]
    run_sequencer()
    before = Event.objects.count()
    errors, runs = [], []
    barrier = threading.Barrier(len(depts))
    writing = threading.Event()
    writing.set()

    def writer(dept):
        try:
            barrier.wait(timeout=30)
            for i in range(15):
                with transaction.atomic():
                    record_many([Entry(dept, "test.burst", after={"i": i, "n": n}) for n in range(3)])
                    if i % 5 == 4:
                        raise RuntimeError("rolled back on purpose")  # leaves a gap in seq, never in the chain
        except RuntimeError:
            pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def sequencer():
        try:
            while writing.is_set():
                runs.append(run_sequencer())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(d,)) for d in depts]
    chainer = threading.Thread(target=sequencer)
    chainer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    writing.clear()
    chainer.join(60)
    assert not errors, errors
    # each writer stopped at its first deliberate rollback (i == 4): 4 committed transactions of 3 events
    assert Event.objects.count() == before + len(depts) * 4 * 3
    run_sequencer()  # the run the last commit asked for
    result = verify_chain()
    assert result.ok and result.pending == 0 and result.checked == Event.objects.count()
    head = AuditHead.objects.get(pk=1)
    assert head.seq == Event.objects.count()
    chain = list(Event.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert chain == list(range(1, len(chain) + 1))
    assert len(runs) > 1  # the sequencer did run while the writers were committing
