"""Query counts (issue 18): a push is a bounded number of queries, a clue's detail over the API stays under 10, its
page is bounded and does not grow with the clue's history, and the list pages' counts do not grow with their
length (every list page: tests/casework/test_list_query_counts.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from tests.referrals.conftest import clue_input, payload


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _statements(ctx, prefix: str) -> int:
    return sum(q["sql"].lstrip().upper().startswith(prefix) for q in ctx.captured_queries)


def test_clue_push_query_count(monitor, luoyang, bob, django_assert_max_num_queries):
    """66 queries before (issue 18), then 56, then 34 on PostgreSQL with the chain's after-commit step; now 18 on
    PostgreSQL, 19 on SQLite (MAX(seq) for the audit write): the chain is linked by the sequencer after commit
    (no lock, no query here), the five audit events in one INSERT, no savepoint per clock, the permission's id read
    once a process, reference data (rules, calendar) once a request, and the response shows the clocks just
    started without reading them back. Then 16 (17 on SQLite): the rules kept in memory while their revision token
    is unchanged (one read of the token instead of the profile and its rules), and the push clock, met or missed
    by the push itself, written once, closed."""
    monitor.post("/api/v1/clues/", payload(luoyang, external_id="warm"), format="json")  # per-process reads
    with django_assert_max_num_queries(17) as ctx:
        resp = monitor.post("/api/v1/clues/", payload(luoyang), format="json")
    assert resp.status_code == 201
    assert _statements(ctx, 'INSERT INTO "CASEWORK_CLOCK"') == 2 and _statements(ctx, 'UPDATE "CASEWORK_CLOCK"') == 0
    assert _statements(ctx, 'INSERT INTO "CASEWORK_EVENT"') == 1  # clue received, push clock met, transfer clock
    assert _statements(ctx, "SAVEPOINT") <= 1  # the push's own block (a savepoint only inside the test's transaction)
    assert "FOR UPDATE" not in " ".join(q["sql"] for q in ctx.captured_queries)  # no lock on the chain head


def test_clue_detail_api_under_ten_queries_and_page_bounded(client, monitor, luoyang, bob,
                                                            django_assert_max_num_queries):
    clue = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()
    monitor.get(f"/api/v1/clues/{clue['id']}/")  # warm the per-process caches (content types), as the page below
    with django_assert_max_num_queries(7):
        assert monitor.get(f"/api/v1/clues/{clue['id']}/").status_code == 200
    client.force_login(bob)
    client.get(f"/referrals/{clue['id']}/")  # warm the per-process caches (calendar, content types)
    # 39 before (the receiver suggestions per matter and level, the transfers read five times); now 20, of which
    # six are the session, the user, the account gate and the base template's context processors.
    with django_assert_max_num_queries(20):
        resp = client.get(f"/referrals/{clue['id']}/")
    assert resp.status_code == 200 and clue["reference"] in resp.content.decode()


def test_clue_page_for_its_fullest_readers_is_bounded_and_does_not_grow_with_transfers(client, luoyang, alice, bob,
                                                                                    carol):
    """The handling department's leader and the trading centre see the most of a clue. Their page is read with one
    transfer (its letters, evidence, clocks) and again after a second: what travelled with each transfer and each
    forward form are read for all transfers at once, and suggestions only for a department that may transfer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.models import Matter

    clue = services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", b"%PDF-1 x"))
    services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                           legal_basis="国务院第310号令", materials=[evidence.material_line, "线索摘要"])

    def read(user) -> int:
        client.force_login(user)
        client.get(clue.get_absolute_url())  # per-process caches warmed
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(clue.get_absolute_url())
        assert resp.status_code == 200 and clue.reference in resp.content.decode()
        return len(ctx.captured_queries)

    one = {"carol": read(carol), "alice": read(alice)}
    services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["market_regulation"]],
                           matter=Matter.QUALIFICATION_PENALTY, legal_basis="国务院第310号令", materials=["线索摘要"])
    two = {"carol": read(carol), "alice": read(alice)}
    assert two["carol"] <= one["carol"] and two["alice"] <= one["alice"], (one, two)
    # 24 and 19 before, and the leader's grew with every transfer. Issue 18's target (under 10) is not met: the
    # README names what the rest are.
    assert one["carol"] <= 22 and one["alice"] <= 14, one


@pytest.mark.parametrize("url", ["/referrals/", "/api/v1/clues/"])
def test_list_query_count_does_not_grow_with_length(client, monitor, luoyang, alice, bob, url):
    client.force_login(bob)
    api = url.startswith("/api/")

    def get():
        resp = monitor.get(url) if api else client.get(url)
        assert resp.status_code == 200

    services.intake_clue(actor=alice, data=clue_input(luoyang, external_id="Q-0"))
    get()  # warm caches
    one = _count(get)
    for i in range(1, 8):
        services.intake_clue(actor=alice, data=clue_input(luoyang, external_id=f"Q-{i}", summary=f"第{i}条线索"))
    assert _count(get) == one
