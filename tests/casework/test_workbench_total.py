"""The workbench never stops silently: with more open clocks than it lists it says how many there are, shows the
first ones by due time, and links to the full clock list with the same filter (my departments' open clocks)."""

import datetime as dt

import pytest

from casework import selectors
from casework.clocks.models import Clock
from casework.handoffs import services as handoffs
from casework.views import WORKBENCH_ROWS
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(luoyang, alice, bob, frozen):
    """WORKBENCH_ROWS + 1 open clocks of the housing bureau (one real, the rest copies due a minute apart), and
    one closed copy that belongs on neither list."""
    frozen(at(2026, 11, 2, 9))
    handoffs.send_handoff(actor=alice, kind="clue_referral", title="疑似围标线索", sender=luoyang["trading_centre"],
                          receiver=luoyang["housing"], rule_key="referral.return")
    clock = selectors.workbench_clocks(bob).get()
    copies = []
    for n in range(WORKBENCH_ROWS + 1):
        copy = Clock.objects.get(pk=clock.pk)
        copy.pk, copy.due_at = None, clock.due_at + dt.timedelta(minutes=n + 1)
        copies.append(copy)
    copies[-1].closed_at, copies[-1].state = clock.started_at, Clock.State.MET
    Clock.objects.bulk_create(copies)
    return clock


def test_the_workbench_shows_the_total_and_links_to_all(client, many, bob, alice):
    total = WORKBENCH_ROWS + 1
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert page.count('data-urgency="') == WORKBENCH_ROWS
    assert f"共 <strong>{total}</strong> 项，显示前 {WORKBENCH_ROWS} 项" in page
    assert "另有 1 项未在此列出" in page
    assert "正常 301" in page  # the chips count every open clock, not the rows shown
    link = "/clocks/?open_only=true&amp;mine=true&amp;ordering=due_at"
    assert f'href="{link}" id="workbench-all"' in page
    full = client.get(link.replace("&amp;", "&"))
    assert full.status_code == 200 and f'id="list-count">{total}<' in full.content.decode()
    last = Clock.objects.filter(closed_at__isnull=True).order_by("-due_at").first()
    assert f'/clocks/{last.pk}/"' in client.get(link.replace("&amp;", "&") + "&page=7").content.decode()

    client.force_login(alice)  # the sender waits on the clocks: they are hers to see, not to act on
    assert 'id="list-count">0<' in client.get(link.replace("&amp;", "&")).content.decode()
    assert f'id="list-count">{total}<' in client.get("/clocks/?open_only=true&mine=false").content.decode()
    page = client.get("/").content.decode()
    assert "共 <strong>0</strong> 项" in page and "workbench-all" not in page


def test_a_short_workbench_has_no_link(client, luoyang, alice, bob, frozen):
    frozen(at(2026, 11, 2, 9))
    handoffs.send_handoff(actor=alice, kind="clue_referral", title="疑似围标线索", sender=luoyang["trading_centre"],
                          receiver=luoyang["housing"], rule_key="referral.return")
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert "共 <strong>1</strong> 项" in page and "workbench-all" not in page and "另有" not in page
