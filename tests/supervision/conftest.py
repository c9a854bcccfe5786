"""Synthetic clocks whose right figures are known, for the dashboard, the API and the exports."""

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType

from casework.clocks.models import Clock
from casework.clocks.timing import end_of_day
from casework.handoffs.models import Handoff
from casework.rules.models import Rule
from tests.conftest import at

_seq = itertools.count(1)


def make_item(dept, sender, user, title, *, kind=Handoff.Kind.CLUE_REFERRAL, state=Handoff.State.ACCEPTED,
              closed_at=None):
    n = next(_seq)
    return Handoff.objects.create(reference=f"T{n:06d}", kind=kind, title=title, sender=sender, receiver=dept,
                                  state=state, created_by=user, sent_at=at(2026, 6, 1), closed_at=closed_at)


def make_clock(subject, dept, key, started, due_day, *, closed=None, state=None, assignee=None, label=None):
    rule = Rule.objects.get(profile__jurisdiction=dept.jurisdiction, key=key)
    due_at = end_of_day(due_day)
    if state is None:
        state = Clock.State.RUNNING if closed is None else (
            Clock.State.MET if closed <= due_at else Clock.State.BREACHED)
    return Clock.objects.create(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        label=label or rule.name, department=dept, rule_version=rule.current_version, started_at=started,
        due_at=due_at, state=state, closed_at=closed, first_year=started.year, last_year=due_day.year,
        assignee=assignee)


@pytest.fixture
def q3(luoyang, alice, bob, carol, dave, erin, olga):
    """2026 Q3 (1 July – 30 September). Housing, referrals:
    c1 received 07-06, met 07-08 (2 working days); c2 received 07-06, closed late 07-13 (5 wd);
    c3 received 09-28, open, due 10-09 (open at the end of Q3, not overdue); c4 received 08-03, due 08-06, open
    (overdue); c5 received in Q2 (06-29), closed late 07-02 (3 wd); c6 received 07-10, cancelled 07-11;
    one transfer returned by housing on 08-10.
    Transport, complaints: t1 received 07-01, met 07-03 (2 wd)."""
    housing, transport, prtc = luoyang["housing"], luoyang["transport"], luoyang["trading_centre"]
    item = make_item(housing, prtc, alice, "某中学教学楼工程围标线索")
    c = {
        "c1": make_clock(item, housing, "referral.return", at(2026, 7, 6), dt.date(2026, 7, 9),
                         closed=at(2026, 7, 8, 15), assignee=bob),
        "c2": make_clock(item, housing, "referral.return", at(2026, 7, 6), dt.date(2026, 7, 9),
                         closed=at(2026, 7, 13, 9)),
        "c3": make_clock(make_item(housing, prtc, alice, "某道路工程串标线索"), housing, "referral.return",
                         at(2026, 9, 28), dt.date(2026, 10, 9)),
        "c4": make_clock(make_item(housing, prtc, alice, "某安置房项目线索"), housing, "referral.return",
                         at(2026, 8, 3), dt.date(2026, 8, 6), assignee=bob),
        "c5": make_clock(item, housing, "referral.return", at(2026, 6, 29), dt.date(2026, 7, 1),
                         closed=at(2026, 7, 2, 11)),
        "c6": make_clock(item, housing, "referral.return", at(2026, 7, 10), dt.date(2026, 7, 15),
                         closed=at(2026, 7, 11), state=Clock.State.CANCELLED),
        "t1": make_clock(make_item(transport, prtc, alice, "某国道改造投诉", kind=Handoff.Kind.COMPLAINT_TRANSFER),
                         transport, "complaint.accept", at(2026, 7, 1), dt.date(2026, 7, 6),
                         closed=at(2026, 7, 3, 16)),
    }
    make_item(housing, prtc, alice, "不属于住建职责的线索", state=Handoff.State.RETURNED, closed_at=at(2026, 8, 10))
    from supervision.rollup import refresh

    refresh(dt.date(2026, 6, 1), dt.date(2026, 10, 31))
    return c
