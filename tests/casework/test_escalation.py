"""The escalation ladder: each rung at its time, once, to the right people."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.clocks import escalation, services
from casework.clocks.models import Clock, EscalationStep
from casework.events.services import timeline, verify_chain
from casework.notifications.models import Notification
from tests.conftest import at, run_concurrently


def start(luoyang, when):
    return services.start_clock(actor=None, subject=luoyang["housing"], rule_key="referral.return",
                                department=luoyang["housing"], counterpart=luoyang["trading_centre"],
                                started_at=when)


def recipients(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def steps(clock):
    return list(clock.steps.order_by("scheduled_for").values_list("kind", flat=True))


def test_ladder_climbs_rung_by_rung(luoyang, bob, carol, dave, erin, frozen):
    # Mon 11-02 + 3 wd: due Thu 11-05 24:00. Reminder at 11-05 00:00; supervision 3 wd after
    # (11-10 24:00); circular 5 wd after (11-12 24:00).
    clock = start(luoyang, at(2026, 11, 2))
    assert clock.next_action_at == at(2026, 11, 5, 0, 0)

    frozen(at(2026, 11, 4, 23, 59))
    assert escalation.sweep() == 0

    frozen(at(2026, 11, 5, 0, 1))
    assert escalation.sweep() == 1
    assert recipients("reminder") == ["bob"]
    clock.refresh_from_db()
    assert clock.state == Clock.State.RUNNING and clock.next_action_at == at(2026, 11, 6, 0, 0)

    frozen(at(2026, 11, 6, 0, 0))
    assert escalation.sweep() == 1
    clock.refresh_from_db()
    assert clock.state == Clock.State.BREACHED
    assert recipients("breach") == ["bob", "carol"]

    frozen(at(2026, 11, 11, 0, 0))
    assert escalation.sweep() == 1
    assert recipients("supervision") == ["carol", "dave"]

    frozen(at(2026, 11, 13, 0, 0))
    assert escalation.sweep() == 1
    clock.refresh_from_db()
    assert steps(clock) == ["reminder", "breach", "supervision", "circular"]
    assert clock.next_action_at is None
    assert escalation.sweep() == 0
    assert "erin" not in Notification.objects.values_list("recipient__username", flat=True)
    actions = [e.action for e in timeline(clock)]
    assert actions == ["clock.started", "clock.reminder", "clock.breach", "clock.supervision", "clock.circular"]
    assert verify_chain().ok


def test_late_sweep_fires_each_due_rung_once_and_skips_the_stale_reminder(luoyang, bob, carol, frozen):
    clock = start(luoyang, at(2026, 11, 2))
    frozen(at(2026, 11, 20, 12))     # beat was down for two weeks
    assert escalation.sweep() == 4
    clock.refresh_from_db()
    assert set(clock.steps.filter(skipped=True).values_list("kind", flat=True)) == {"reminder"}
    assert recipients("reminder") == []
    assert recipients("breach") == ["bob", "carol"]
    breach = timeline(clock).get(action="clock.breach")
    assert breach.after["skipped"] == ["reminder"]
    assert not timeline(clock).filter(action="clock.reminder").exists()
    assert escalation.sweep() == 0


def test_completed_and_paused_clocks_do_not_escalate(luoyang, bob, carol, frozen):
    done = start(luoyang, at(2026, 11, 2))
    services.complete_clock(actor=bob, clock=done, at=at(2026, 11, 3))
    paused = start(luoyang, at(2026, 11, 2))
    frozen(at(2026, 11, 3, 12))
    services.pause_clock(actor=carol, clock=paused, reason="等待检测报告")
    frozen(at(2026, 11, 30))
    assert escalation.sweep() == 0


def test_a_failed_batch_fires_nothing_and_the_retry_fires_once(luoyang, bob, frozen, monkeypatch):
    clock = start(luoyang, at(2026, 11, 2))
    frozen(at(2026, 11, 6, 1))
    real = escalation.record_many

    def crash(*args, **kwargs):
        raise RuntimeError("worker died mid-batch")

    monkeypatch.setattr(escalation, "record_many", crash)
    with pytest.raises(RuntimeError):
        escalation.sweep()
    assert not EscalationStep.objects.exists() and not Notification.objects.exists()
    monkeypatch.setattr(escalation, "record_many", real)
    assert escalation.sweep() == 2
    assert escalation.sweep() == 0
    assert steps(clock) == ["reminder", "breach"]


def test_sweep_cost_follows_clocks_due_not_clocks_open(luoyang, bob, carol, frozen):
    """Query count is the same whether 5 or 205 clocks are open, with the same 5 due."""
    due = [start(luoyang, at(2026, 11, 2)) for _ in range(5)]

    def queries_for_one_sweep():
        EscalationStep.objects.all().delete()
        Notification.objects.all().delete()
        Clock.objects.filter(pk__in=[c.pk for c in due]).update(
            state=Clock.State.RUNNING, next_action_at=at(2026, 11, 6, 0, 0))
        frozen(at(2026, 11, 6, 1))
        with CaptureQueriesContext(connection) as ctx:
            assert escalation.sweep() == 10
        return len(ctx.captured_queries)

    small = queries_for_one_sweep()
    for _ in range(200):
        start(luoyang, at(2026, 11, 25))
    assert queries_for_one_sweep() == small


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sweeps_fire_each_rung_once(luoyang, bob, carol, frozen):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweepers need a server database (SQLite serialises writers)")
    for _ in range(40):
        start(luoyang, at(2026, 11, 2))
    frozen(at(2026, 11, 6, 1))
    results, errors = run_concurrently(*[lambda: escalation.sweep(batch_size=7)] * 2)
    assert not errors
    assert sum(results) == 80
    assert EscalationStep.objects.count() == 80
    assert Notification.objects.filter(kind="breach").count() == 80  # bob + carol, 40 clocks
