"""A list's total: exact, unless counting takes longer than its budget on PostgreSQL (a common word over a million
clues): then the planner's estimate, which the page says is one ("约") and the API flags (`count_estimated`)."""

import pytest
from django.db import connection

from casework import listing
from casework.org.models import Department


def test_a_quick_count_is_exact(luoyang):
    total, estimated = listing.count_rows(Department.objects.all())
    assert (total, estimated) == (Department.objects.count(), False)
    assert listing.count_rows(Department.objects.none()) == (0, False)
    assert listing.count_rows(Department.objects.filter(pk__in=[])) == (0, False)


def test_a_slow_count_gives_way_to_the_planners_estimate_and_leaves_the_session_as_it_was(luoyang, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts and planner estimates are PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        before = cur.fetchone()[0]
    monkeypatch.setattr(listing, "COUNT_BUDGET_MS", 20)
    slow = Department.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])  # 10 ms a row, dozens of rows
    total, estimated = listing.count_rows(slow)
    assert estimated and total >= 1
    assert total == listing.estimated_rows(slow)
    with connection.cursor() as cur:  # the transaction is usable and the timeout is the session's again
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before
    assert listing.count_rows(Department.objects.all()) == (Department.objects.count(), False)
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before
