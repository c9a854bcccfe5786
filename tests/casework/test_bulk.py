"""casework.bulk: the sweep's COPY inserts write the same rows bulk_create would (issue 18)."""

import pytest
from django.db import connection
from django.utils import timezone

from casework import bulk
from casework.clocks.models import EscalationStep
from casework.events.models import Event
from casework.events.services import Entry, record_many, verify_chain
from casework.notifications.models import Notification


def test_many_notices_get_their_ids_and_values(bob):
    now = timezone.now()
    notes = [Notification(recipient=bob, kind=EscalationStep.Kind.BREACH, title=f"超期{i}", body="正文",
                          url="/clocks/1/", created_at=now) for i in range(bulk.COPY_FROM + 5)]
    bulk.insert(Notification, notes, with_ids=True)
    assert all(n.pk for n in notes) and len({n.pk for n in notes}) == len(notes)
    stored = {n.pk: n for n in Notification.objects.filter(pk__in=[n.pk for n in notes])}
    assert len(stored) == len(notes)
    first = stored[notes[0].pk]
    assert (first.kind, first.title, first.body, first.recipient_id, first.created_at, first.emailed_at) == (
        "breach", "超期0", "正文", bob.pk, now, None)


def test_rows_of_plain_values_get_ids_in_order_and_the_defaults_of_unnamed_fields(bob):
    """insert_rows (the sweep's rungs and notices, no model instance per row): ids in row order, fields not named
    take their default (email_claimed_at, read_at: none; a step's skipped: its own value)."""
    from casework.notifications.services import NewNotice

    now = timezone.now()
    rows = [NewNotice(bob.pk, "breach", f"超期{i}", "正文", "/clocks/1/", None, now)
            for i in range(bulk.COPY_FROM + 5)]
    ids = bulk.insert_rows(Notification, NewNotice._fields, rows, with_ids=True)
    stored = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    assert len(ids) == len(rows) == len(stored) and [stored[i].title for i in ids] == [r.title for r in rows]
    first = stored[ids[0]]
    assert (first.recipient_id, first.created_at, first.read_at, first.emailed_at, first.clock_id) == (
        bob.pk, now, None, None, None)
    few = bulk.insert_rows(Notification, NewNotice._fields, rows[:2], with_ids=True)  # the bulk_create path
    assert len(few) == 2 and Notification.objects.filter(pk__in=few, title="超期0").count() == 1
    assert bulk.insert_rows(Notification, NewNotice._fields, rows[:2]) == []


def test_many_events_are_numbered_in_order_and_chain(luoyang):
    dept = luoyang["housing"]
    entries = [Entry(dept, "test.bulk", {"n": None}, {"n": i, "名称": "住建局"}) for i in range(bulk.COPY_FROM + 5)]
    record_many(entries)
    rows = list(Event.objects.filter(action="test.bulk").order_by("seq"))
    assert [e.after["n"] for e in rows] == list(range(len(entries)))
    assert rows[0].after["名称"] == "住建局" and rows[0].before == {"n": None} and rows[0].ip is None
    assert verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere it is bulk_create")
def test_postgresql_uses_copy():
    assert bulk.use_copy(bulk.COPY_FROM) and not bulk.use_copy(bulk.COPY_FROM - 1)
