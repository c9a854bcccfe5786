"""Regular-meeting periods end on their own last day (12-31, 06-30), rolled forward only when that
is a rest day; the reminder scales with the period (a rule's own lead, e.g. 10 working days a year)."""

import datetime as dt

import pytest

from casework.calendar.services import get_calendar
from casework.clocks import services
from casework.clocks.services import ladder
from casework.org.services import load_org_preset
from casework.rules.models import Rule
from tests.conftest import at


@pytest.fixture
def zengdu_lead(db):
    return next(d for d in load_org_preset(preset="zengdu") if d.code == "ZD-GGJ")


def test_yearly_period_is_due_on_12_31_at_24_00_and_reminded_10_working_days_ahead(zengdu_lead, frozen):
    frozen(at(2026, 1, 5, 9))
    clock = services.start_clock(actor=None, subject=zengdu_lead, rule_key="consultation.regular_meeting",
                                 department=zengdu_lead, started_at=at(2026, 1, 1, 0), label="召开2026年度例会")
    assert clock.due_at == at(2027, 1, 1, 0)                    # 2026-12-31 24:00, not 2027-01-01 24:00
    profile = clock.rule_version.rule.profile
    assert Rule.objects.get(profile=profile, key="consultation.regular_meeting").reminder_working_days == 10
    times = ladder(get_calendar(), clock, profile)
    assert times["reminder"] == at(2026, 12, 18, 0)             # 10 working days up to and including 12-31
    short = services.start_clock(actor=None, subject=zengdu_lead, rule_key="referral.return",
                                 department=zengdu_lead, started_at=at(2026, 12, 1, 9))
    assert ladder(get_calendar(), short, profile)["reminder"] == at(2026, 12, 8, 0)  # profile default: 1 day


@pytest.mark.parametrize("start, months, last", [
    (dt.date(2026, 1, 1), 12, dt.date(2026, 12, 31)),
    (dt.date(2026, 7, 1), 6, dt.date(2026, 12, 31)),
    (dt.date(2026, 1, 1), 6, dt.date(2026, 6, 30)),
    (dt.date(2026, 3, 1), 3, dt.date(2026, 6, 1)),              # 05-31 is a Sunday: rolled to Monday
    (dt.date(2026, 7, 1), 3, dt.date(2026, 9, 30)),             # 09-30 is a working day
    (dt.date(2026, 8, 8), 2, dt.date(2026, 10, 8)),             # 10-07 National Day: rolled past the holiday
])
def test_period_of_months_ends_on_its_own_last_day(db, start, months, last):
    assert get_calendar().period_of_months(start, months).date == last


def test_a_liaison_change_cannot_predate_membership_and_its_entry_delay_is_audited(mechanism, luoyang, bob, frozen):
    from casework.errors import DomainError
    from casework.events.models import Event
    from consultations import services
    from tests.consultations.test_members import contact, member_of

    member = member_of(mechanism, luoyang["housing"])
    services.report_contacts(actor=bob, member=member, role="leader", contact=contact())
    frozen(at(2026, 3, 23, 10))
    with pytest.raises(DomainError) as bad:
        services.report_contacts(actor=bob, member=member, role="leader", contact=contact("陈刚"),
                                  changed_on=dt.date(2026, 2, 1))
    assert bad.value.field_errors == {"changed_on": ["人员调整确定日期不能早于该单位加入会商机制的日期（2026-03-02）"]}
    change = services.report_contacts(actor=bob, member=member, role="leader", contact=contact("陈刚"),
                                       changed_on=dt.date(2026, 3, 16))
    started = Event.objects.get(action="clock.started", object_id=str(change.clock.pk))
    assert started.after["entry_delay_days"] == 7 and started.after["event_date"] == "2026-03-16"
