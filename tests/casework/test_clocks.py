"""Clocks: due dates on the official calendar, pause/resume, completion, explanation."""

import datetime as dt

import pytest

from casework.clocks import services
from casework.clocks.explain import explain
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError
from casework.events.services import timeline
from casework.rules.models import Rule
from casework.rules.services import update_rule
from tests.conftest import at


@pytest.fixture
def subject(luoyang):
    # Any model can carry a clock; a department is the simplest one at hand.
    return luoyang["housing"]


def start(subject, luoyang, when, key="referral.return", actor=None):
    return services.start_clock(actor=actor, subject=subject, rule_key=key,
                                department=luoyang["housing"], counterpart=luoyang["trading_centre"],
                                started_at=when)


def test_due_is_24_00_shanghai_of_the_last_working_day(luoyang, subject):
    # Luoyang: 3 working days. Official 2026: 10-01..10-07 off, Saturday 10-10 worked.
    clock = start(subject, luoyang, at(2026, 9, 30, 17, 45))
    assert clock.due_at == at(2026, 10, 11, 0, 0)              # last day Sat 10-10, 24:00
    assert clock.state == Clock.State.RUNNING and not clock.provisional
    assert clock.rule_version.clause == "洛阳 三(六)"


def test_start_late_in_the_evening_utc_is_still_the_shanghai_day(luoyang, subject):
    # 2026-11-16 23:30 Shanghai is 15:30 UTC the same day; 23:59 Shanghai is still the 16th.
    clock = start(subject, luoyang, at(2026, 11, 16, 23, 59))
    assert clock.due_at == at(2026, 11, 20, 0, 0)


def test_calendar_day_rule_rolls_forward(luoyang, subject):
    # 3 calendar days: 09-25, 09-26, 09-27 (the Mid-autumn holiday, counted as calendar days);
    # so the period ends on the next working day, Monday 09-28, at 24:00.
    clock = start(subject, luoyang, at(2026, 9, 24), key="objection.answer")
    assert clock.due_at == at(2026, 9, 29, 0, 0)
    why = explain(clock)
    assert [d.ordinal for d in why["days"]] == [1, 2, 3, None]
    assert why["days"][2].reason == "法定节假日（中秋节）；期满日为休息日，依法顺延"
    assert why["days"][3].reason == "顺延后的期满日"


def test_provisional_when_next_year_is_missing(luoyang, subject):
    clock = start(subject, luoyang, at(2026, 12, 30))
    assert clock.provisional and (clock.first_year, clock.last_year) == (2026, 2027)


def test_rule_without_fixed_limit_starts_no_clock(luoyang, subject):
    assert start(subject, luoyang, at(2026, 11, 2), key="referral.result_feedback") is None


def test_unknown_rule_and_naive_start_are_clear_errors(luoyang, subject):
    with pytest.raises(DomainError, match="没有规则"):
        start(subject, luoyang, at(2026, 11, 2), key="no.such.rule")
    with pytest.raises(DomainError) as exc:
        start(subject, luoyang, dt.datetime(2026, 11, 2, 10))
    assert "started_at" in exc.value.field_errors


def test_pause_and_resume_extends_by_the_working_days_not_counted(luoyang, subject, carol, frozen):
    clock = start(subject, luoyang, at(2026, 11, 2))          # Mon; due Thu 11-05 24:00
    assert clock.due_at == at(2026, 11, 6, 0, 0)
    frozen(at(2026, 11, 3, 9))
    services.pause_clock(actor=carol, clock=clock, reason="等待专家评审")
    clock.refresh_from_db()
    assert clock.state == Clock.State.PAUSED and clock.next_action_at is None
    frozen(at(2026, 11, 10, 15))                              # Wed..Tue: 11-04,05,06,09,10 = 5 wd
    clock = services.resume_clock(actor=carol, clock=clock)
    assert clock.paused_units == 5
    assert clock.due_at == at(2026, 11, 13, 0, 0)             # 11-05 + 5 wd = 11-12, 24:00
    why = explain(clock)
    paused_lines = [d for d in why["days"] if d.reason.startswith("暂停计时")]
    assert [d.date.day for d in paused_lines] == [4, 5, 6, 9, 10]
    assert why["counted"] == 3
    actions = [e.action for e in timeline(clock)]
    assert actions == ["clock.started", "clock.paused", "clock.resumed"]


def test_pause_needs_a_reason_and_a_running_clock(luoyang, subject, bob, carol):
    clock = start(subject, luoyang, at(2026, 11, 2))
    with pytest.raises(DomainError) as exc:
        services.pause_clock(actor=bob, clock=clock, reason="  ")
    assert "reason" in exc.value.field_errors
    with pytest.raises(Conflict):
        services.resume_clock(actor=carol, clock=clock)


def test_complete_on_time_and_late(luoyang, subject, bob):
    on_time = start(subject, luoyang, at(2026, 11, 2))
    services.complete_clock(actor=bob, clock=on_time, at=at(2026, 11, 5, 23, 59))
    on_time.refresh_from_db()
    assert on_time.state == Clock.State.MET and on_time.next_action_at is None
    late = start(subject, luoyang, at(2026, 11, 2))
    services.complete_clock(actor=bob, clock=late, at=at(2026, 11, 6, 0, 1))
    late.refresh_from_db()
    assert late.state == Clock.State.BREACHED and late.closed_at is not None
    with pytest.raises(Conflict):
        services.complete_clock(actor=bob, clock=late)


def test_explain_names_every_skipped_day_and_why(luoyang, subject):
    clock = start(subject, luoyang, at(2026, 9, 30))
    why = explain(clock)
    assert why["start_date"] == dt.date(2026, 9, 30)
    assert why["due_date"] == dt.date(2026, 10, 10)
    skipped = {d.date: d.reason for d in why["skipped"]}
    assert set(skipped) == {dt.date(2026, 10, d) for d in range(1, 8)}
    assert skipped[dt.date(2026, 10, 1)].startswith("法定节假日（国庆节）")
    assert skipped[dt.date(2026, 10, 3)].startswith("法定节假日")  # a Saturday inside the holiday
    counted = [d for d in why["days"] if d.counted]
    assert [(d.date, d.ordinal) for d in counted] == [
        (dt.date(2026, 10, 8), 1), (dt.date(2026, 10, 9), 2), (dt.date(2026, 10, 10), 3)]
    assert counted[2].reason.startswith("调休上班")


def test_clock_keeps_its_rule_version_until_corrected(luoyang, subject, olga):
    clock = start(subject, luoyang, at(2026, 11, 2))
    rule = Rule.objects.get(profile__jurisdiction=luoyang["housing"].jurisdiction, key="referral.return")
    update_rule(actor=olga, rule=rule, reason="市里新文件改为5个工作日", amount=5, source="default",
                note="测试：新文件调整")
    clock.refresh_from_db()
    assert clock.rule_version.number == 1 and clock.due_at == at(2026, 11, 6, 0, 0)
    rows = services.preview_rule_correction(rule)
    assert [(r["clock"].pk, r["new_due"]) for r in rows] == [(clock.pk, at(2026, 11, 10, 0, 0))]
    assert services.apply_rule_correction(actor=olga, rule=rule, clock_ids=[clock.pk], reason="按新文件更正") == 1
    clock.refresh_from_db()
    assert clock.rule_version.number == 2 and clock.due_at == at(2026, 11, 10, 0, 0)
    assert timeline(clock).last().action == "clock.rule_corrected"
    with pytest.raises(Conflict):  # a second apply of the same preview is refused, not repeated
        services.apply_rule_correction(actor=olga, rule=rule, clock_ids=[clock.pk], reason="再次")


def test_extension_needs_a_leader_and_moves_the_deadline(luoyang, subject, bob, carol):
    from casework.errors import Forbidden

    clock = start(subject, luoyang, at(2026, 11, 2))          # due Thu 11-05 24:00
    with pytest.raises(Forbidden, match="负责人"):
        services.extend_clock(actor=bob, clock=clock, units=5, reason="需补充调查取证")
    with pytest.raises(DomainError) as exc:
        services.extend_clock(actor=carol, clock=clock, units=0, reason="需补充调查取证")
    assert "units" in exc.value.field_errors
    clock = services.extend_clock(actor=carol, clock=clock, units=5, reason="案情复杂，需补充调查取证")
    assert clock.extended_units == 5 and clock.due_at == at(2026, 11, 13, 0, 0)   # + 5 working days
    event = timeline(clock).last()
    assert event.action == "clock.extended" and event.after["approved_by"] == "carol"
