"""Shared clock lifecycle: real-world event dates, entry delay, cancelling with a reason, one
governing clock per step (rebase)."""

import datetime as dt

import pytest

from casework.clocks import services
from casework.clocks.models import Clock
from casework.errors import DomainError
from casework.events.models import Event
from tests.conftest import at


def start(luoyang, when, key="referral.return"):
    return services.start_clock(actor=None, subject=luoyang["housing"], rule_key=key,
                                department=luoyang["housing"], counterpart=luoyang["trading_centre"],
                                started_at=when)


def test_event_date_in_the_future_is_refused(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    with pytest.raises(DomainError) as err:
        services.event_start(on=dt.date(2026, 11, 21), field="received_on", label="收到日期")
    assert err.value.field_errors == {"received_on": ["收到日期（2026-11-21）不能晚于今天"]}


def test_event_date_before_its_predecessor_is_refused(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    with pytest.raises(DomainError) as err:
        services.event_start(on=dt.date(2026, 11, 10), field="completed_on", label="处理完毕日期",
                             not_before=at(2026, 11, 12, 15), not_before_label="受理日期")
    assert "不能早于受理日期（2026-11-12）" in err.value.field_errors["completed_on"][0]


def test_event_date_today_is_now_and_past_day_is_its_start_but_never_before_predecessor(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    assert services.event_start(on=dt.date(2026, 11, 20), field="x", label="日期") == at(2026, 11, 20, 9)
    assert services.event_start(on=dt.date(2026, 11, 16), field="x", label="日期") == at(2026, 11, 16, 0)
    assert services.event_start(on=dt.date(2026, 11, 12), field="x", label="日期",
                                not_before=at(2026, 11, 12, 15)) == at(2026, 11, 12, 15)


def test_missing_event_date_names_the_field(luoyang):
    with pytest.raises(DomainError) as err:
        services.event_start(on=None, field="received_on", label="收到日期")
    assert err.value.field_errors == {"received_on": ["请填写收到日期"]}
    assert services.event_start(on=None, field="received_on", label="收到日期", required=False) is None


def test_clock_from_an_old_event_records_the_entry_delay(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))  # Friday; the event was Monday 11-16: 4 working days before entry
    clock = start(luoyang, services.event_start(on=dt.date(2026, 11, 16), field="x", label="日期"))
    assert clock.due_at == at(2026, 11, 20, 0)  # 11-16 + 3 working days = Thu 11-19, 24:00
    delay = services.entry_delay(clock)
    assert delay == {"event_date": dt.date(2026, 11, 16), "entered_on": dt.date(2026, 11, 20),
                     "days": 4, "working_days": 4}
    event = Event.objects.get(action="clock.started", object_id=str(clock.pk))
    assert event.after["entry_delay_days"] == 4 and event.after["event_date"] == "2026-11-16"


def test_same_day_entry_has_no_delay(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    clock = start(luoyang, at(2026, 11, 20, 8))
    assert services.entry_delay(clock) is None


def test_cancel_clocks_for_a_subject_with_reason(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    a, b = start(luoyang, at(2026, 11, 20, 8)), start(luoyang, at(2026, 11, 20, 8), key="complaint.accept")
    with pytest.raises(DomainError):
        services.cancel_clocks_for(actor=None, subject=luoyang["housing"], reason=" ")
    done = services.cancel_clocks_for(actor=None, subject=luoyang["housing"], reason="线索已撤回",
                                      rule_keys=["complaint.accept"])
    assert [c.pk for c in done] == [b.pk]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == Clock.State.RUNNING and b.state == Clock.State.CANCELLED
    assert Event.objects.get(action="clock.cancelled", object_id=str(b.pk)).reason == "线索已撤回"


def test_not_applicable_cancels_and_is_never_met(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    clock = services.not_applicable(actor=None, clock=start(luoyang, at(2026, 11, 20, 8)), reason="已决定协助")
    assert clock.state == Clock.State.CANCELLED
    assert Event.objects.get(action="clock.cancelled", object_id=str(clock.pk)).reason == "不适用：已决定协助"
    assert services.not_applicable(actor=None, clock=None, reason="x") is None


def test_rebase_moves_the_clock_onto_the_path_taken(luoyang, frozen):
    frozen(at(2026, 11, 16, 9))
    clock = start(luoyang, at(2026, 11, 16, 9), key="referral.transfer")  # Luoyang: 5 working days
    assert clock.due_at == at(2026, 11, 24, 0)
    clock = services.rebase_clock(actor=None, clock=clock, rule_key="complaint.accept", reason="已受理")
    assert clock.due_at == at(2026, 11, 20, 0) and clock.rule_version.rule.key == "complaint.accept"
    assert Event.objects.filter(action="clock.rebased", object_id=str(clock.pk)).exists()
