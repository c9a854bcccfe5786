"""Every figure of the dashboard on synthetic data whose right answer is known (see conftest.q3)."""

import datetime as dt

import pytest

from casework.clocks.models import Clock
from supervision import selectors as sel
from supervision.access import scope_for
from supervision.periods import Period, parse, quarter_of
from tests.conftest import at
from tests.supervision.conftest import make_clock, make_item

Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def rows_by(board):
    return {(r.department.code, r.mechanism): r for r in board.rows}


def test_every_figure_for_a_past_quarter(q3, dave, frozen):
    frozen(at(2026, 10, 15))
    rows = rows_by(sel.dashboard(scope_for(dave), Q3))
    assert set(rows) == {("LY-HOUSING", "referral"), ("LY-TRANSPORT", "complaint")}
    h = rows[("LY-HOUSING", "referral")]
    # received counts items, not steps: c3's and c4's items; c1, c2, c6 are later steps of c5's item (received in
    # Q2). Handled counts steps: c1 on time; c2, c5 late.
    assert (h.received, h.handled, h.on_time, h.late) == (2, 3, 1, 2)
    assert (h.open, h.open_overdue) == (2, 1)                           # c3 open, c4 open and overdue
    assert h.on_time_rate == pytest.approx(0.3333)
    assert h.median_days == 3                                           # {2, 5, 3}
    assert (h.returns, h.disputes) == (1, 0)
    t = rows[("LY-TRANSPORT", "complaint")]
    assert (t.received, t.handled, t.on_time, t.late, t.open, t.open_overdue) == (1, 1, 1, 0, 0, 0)
    assert t.on_time_rate == 1.0 and t.median_days == 2


def test_open_is_measured_now_for_the_current_period(q3, dave, frozen):
    """In the current quarter, what is open is open now: c3 (due 10-09) is overdue on 12 October... not yet;
    on 10 October it is."""
    frozen(at(2026, 10, 9, 23))
    current = quarter_of(dt.date(2026, 10, 9))
    h = rows_by(sel.dashboard(scope_for(dave), current))[("LY-HOUSING", "referral")]
    assert (h.received, h.open, h.open_overdue) == (0, 2, 1)
    frozen(at(2026, 10, 10, 0, 1))
    h = rows_by(sel.dashboard(scope_for(dave), current))[("LY-HOUSING", "referral")]
    assert (h.open, h.open_overdue) == (2, 2)


def test_totals_and_trend(q3, dave, frozen):
    frozen(at(2026, 10, 15))
    board = sel.dashboard(scope_for(dave), Q3)
    assert (board.total.received, board.total.handled, board.total.late) == (3, 4, 2)
    assert board.total.median_days == 2.5                              # {2, 5, 3, 2}
    trend = sel.trend(scope_for(dave), Q3)
    assert [t["quarter"] for t in trend][-2:] == ["2026Q2", "2026Q3"] and len(trend) == 8
    assert trend[-1] | {"from": None, "to": None} == {"quarter": "2026Q3", "from": None, "to": None, "received": 3,
                                                     "handled": 4, "on_time": 2, "late": 2, "on_time_rate": 0.5}
    assert (trend[-2]["received"], trend[-2]["handled"]) == (1, 0)        # c5 was received in Q2


def test_mechanism_and_department_filters(q3, dave, luoyang, frozen):
    frozen(at(2026, 10, 15))
    board = sel.dashboard(scope_for(dave), Q3, mechanism="complaint")
    assert [(r.department.code, r.mechanism) for r in board.rows] == [("LY-TRANSPORT", "complaint")]
    board = sel.dashboard(scope_for(dave), Q3, department=luoyang["housing"])
    assert [(r.department.code, r.mechanism) for r in board.rows] == [("LY-HOUSING", "referral")]


def test_who_sees_which_rows(q3, bob, carol, erin, olga, frozen):
    frozen(at(2026, 10, 15))
    assert set(rows_by(sel.dashboard(scope_for(bob), Q3))) == {("LY-HOUSING", "referral")}
    assert set(rows_by(sel.dashboard(scope_for(erin), Q3))) == {("LY-TRANSPORT", "complaint")}
    carol_board = sel.dashboard(scope_for(carol), Q3)
    assert set(rows_by(carol_board)) == {("LY-HOUSING", "referral")}
    averages = {a.mechanism: a for a in carol_board.averages}
    assert set(averages) == {"referral", "complaint"}                 # the city's averages, not its rows
    assert averages["complaint"].received == 1 and averages["complaint"].departments == 1
    assert sel.dashboard(scope_for(bob), Q3).averages == []          # handlers: own rows only
    assert sel.dashboard(scope_for(olga), Q3).rows == []             # the office's own rows: none here


def test_every_mechanism_is_counted(luoyang, alice, dave, frozen):
    from supervision import mechanisms
    from supervision.rollup import refresh

    frozen(at(2026, 8, 20))
    housing, prtc = luoyang["housing"], luoyang["trading_centre"]
    item = make_item(housing, prtc, alice, "各机制")
    keys = {"referral": "referral.return", "complaint": "complaint.accept", "assistance": "assistance.review",
            "joint": "inspection.publish_results", "consultation": "consultation.member_change_report",
            "credit": "credit.expert_ban_notify", "supervision": "supervision.report"}
    for key in keys.values():
        make_clock(item, housing, key, at(2026, 8, 3), dt.date(2026, 8, 31))
    make_clock(item, housing, "objection.answer", at(2026, 8, 3), dt.date(2026, 8, 31))
    make_clock(item, housing, "jointaction.plan_reply", at(2026, 8, 3), dt.date(2026, 8, 31))
    make_clock(item, housing, "consultation.decision", at(2026, 8, 3), dt.date(2026, 8, 31))
    refresh(dt.date(2026, 8, 1), dt.date(2026, 8, 20))
    rows = {r.mechanism: r.received for r in sel.dashboard(scope_for(dave), Q3).rows}
    # one item with two clocks in complaints, joint actions and consultation: received once in each mechanism
    assert rows == {"referral": 1, "complaint": 1, "assistance": 1, "joint": 1, "consultation": 1, "credit": 1,
                    "supervision": 1}
    steps = {r.mechanism: r.open for r in sel.dashboard(scope_for(dave), Q3).rows}
    assert steps == {"referral": 1, "complaint": 2, "assistance": 1, "joint": 2, "consultation": 2, "credit": 1,
                     "supervision": 1}
    assert set(rows) == set(mechanisms.CODES)


def test_rollup_refresh_is_repeatable_and_follows_changes(q3, dave, frozen):
    from supervision.rollup import refresh

    frozen(at(2026, 10, 15))
    c4 = q3["c4"]
    Clock.objects.filter(pk=c4.pk).update(closed_at=at(2026, 9, 1), state=Clock.State.BREACHED)
    refresh(dt.date(2026, 9, 1), dt.date(2026, 9, 1))
    refresh(dt.date(2026, 9, 1), dt.date(2026, 9, 1))
    h = rows_by(sel.dashboard(scope_for(dave), Q3))[("LY-HOUSING", "referral")]
    assert (h.late, h.open, h.open_overdue) == (3, 1, 0)


def test_drill_down_lists_the_items_behind_a_figure(q3, dave, luoyang, frozen):
    frozen(at(2026, 10, 15))
    ids = [luoyang["housing"].id]
    late = sel.drill_clocks(ids, Q3, "late", "referral")
    assert {c.pk for c in late} == {q3["c2"].pk, q3["c5"].pk}
    assert {c.pk for c in sel.drill_clocks(ids, Q3, "open_overdue", "referral")} == {q3["c4"].pk}
    # the items received: one row each, their first step (c5's item was received in Q2)
    assert {c.pk for c in sel.drill_clocks(ids, Q3, "received", None)} == {q3[k].pk for k in ("c3", "c4")}
    assert {c.pk for c in sel.drill_clocks(ids, Q3, "received", "referral")} == {q3[k].pk for k in ("c3", "c4")}
    assert not sel.drill_clocks(ids, Q3, "received", "complaint").exists()
    assert [h.title for h in sel.drill_returns(ids, Q3, "referral")] == ["不属于住建职责的线索"]


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    ({"from": "2026-01-01", "to": "yesterday"}, "to"),
    ({"from": "2026-07-01", "to": "2026-06-30"}, "to"),
    ({"from": "2020-01-01", "to": "2025-01-01"}, "to"),
    ({"to": "2026-06-30"}, "from"),
])
def test_bad_periods_name_the_parameter(params, field):
    from casework.errors import DomainError

    with pytest.raises(DomainError) as exc:
        parse(params, today=dt.date(2026, 10, 1))
    assert list(exc.value.field_errors) == [field]


def test_five_years_is_allowed_and_the_default_is_this_quarter():
    assert parse({"from": "2020-01-01", "to": "2024-12-31"}, today=dt.date(2026, 10, 1)).last.year == 2024
    assert parse({}, today=dt.date(2026, 11, 29)) == Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_median_of_a_histogram():
    assert sel.median({}) is None
    assert sel.median({2: 1}) == 2
    assert sel.median({2: 1, 5: 1}) == 3.5
    assert sel.median({1: 3, 9: 1}) == 1


@pytest.mark.parametrize("first, last", [
    ("2026-07-06", "2026-08-10"), ("2026-06-15", "2026-09-30"), ("2026-07-01", "2026-07-31"),
    ("2026-07-08", "2026-07-08"), ("2026-01-01", "2026-12-31"),
])
def test_whole_months_and_partial_days_add_up(q3, dave, frozen, first, last):
    """A period reads whole months from the monthly rollup and its partial months from the daily one: the same
    answer as summing the days."""
    from supervision.models import DailyFigure

    frozen(at(2026, 10, 15))
    period = Period(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    board = sel.dashboard(scope_for(dave), period)
    days = DailyFigure.objects.filter(day__gte=period.first, day__lte=period.last)
    assert board.total.received == sum(d.received for d in days)
    assert board.total.late == sum(d.late for d in days)
    assert board.total.on_time == sum(d.on_time for d in days)


def test_the_rollup_command_rebuilds_a_range(q3, dave, frozen):
    import io

    from django.core.management import CommandError, call_command

    from supervision.models import DailyFigure

    frozen(at(2026, 10, 15))
    DailyFigure.objects.all().delete()
    out = io.StringIO()
    call_command("supervision_rollup", "--from", "2026-06-01", "--to", "2026-10-31", stdout=out)
    assert "已重算" in out.getvalue()
    h = rows_by(sel.dashboard(scope_for(dave), Q3))[("LY-HOUSING", "referral")]
    assert (h.received, h.late) == (2, 2)
    with pytest.raises(CommandError, match="早于"):
        call_command("supervision_rollup", "--from", "2026-06-01", "--to", "2026-05-01")
