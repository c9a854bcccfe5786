"""A list's total: exact up to a cap, "more than" the cap beyond it (a common word over a million clues), and the
planner's estimate when even that takes longer than its budget on PostgreSQL; the page says which ("超过", "约")."""

import pytest
from django.db import connection

from casework import listing
from casework.org.models import Department


def test_a_quick_count_is_exact(luoyang):
    assert listing.count_rows(Department.objects.all()) == (Department.objects.count(), "")
    assert listing.count_rows(Department.objects.none()) == (0, "")
    assert listing.count_rows(Department.objects.filter(pk__in=[])) == (0, "")


def test_beyond_the_cap_the_total_is_more_than_the_cap(luoyang, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    assert Department.objects.count() > 4
    assert listing.count_rows(Department.objects.all()) == (3, "at_least")
    three = list(Department.objects.values_list("pk", flat=True)[:3])
    assert listing.count_rows(Department.objects.filter(pk__in=three)) == (3, "")  # the cap itself is exact


def test_a_slow_count_gives_way_to_the_planners_estimate_and_leaves_the_session_as_it_was(luoyang, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts and planner estimates are PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        before = cur.fetchone()[0]
    monkeypatch.setattr(listing, "COUNT_BUDGET_MS", 20)
    slow = Department.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])  # 10 ms a row, dozens of rows
    total, note = listing.count_rows(slow)
    assert note == "estimate" and total == listing.estimated_rows(slow) >= 1
    with connection.cursor() as cur:  # the transaction is usable and the timeout is the session's again
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before
    assert listing.count_rows(Department.objects.all()) == (Department.objects.count(), "")
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before
