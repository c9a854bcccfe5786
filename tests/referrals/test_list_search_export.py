"""One filter definition serves the clue list page, its ledger export and the API: search by bidder name or USCC
(whole or partial), filters, real pagination with the total, CSV/XLSX of exactly what is shown."""

import csv
import io

import pytest
from openpyxl import load_workbook

from casework.clocks.models import Clock
from referrals import services
from tests.referrals.conftest import clue_input

USCC_A = "91410300MA9F1234XQ"


@pytest.fixture
def three(luoyang, alice):
    made = []
    for n, (name, uscc, signal) in enumerate([("甲建设有限公司", USCC_A, "bid_file_fingerprint"),
                                              ("乙工程集团", "", "related_bidders"),
                                              ("=HYPERLINK(\"x\")", "", "other")]):
        made.append(services.intake_clue(actor=alice, data=clue_input(
            luoyang, external_id=f"L-{n}", project_name=f"洛阳第{n}号工程", signal_type=signal,
            bidders=[{"name": name, "uscc": uscc}])).clue)
    return made


def test_api_search_by_uscc_name_and_part_of_a_code(monitor, three):
    def ids(query):
        body = monitor.get(f"/api/v1/clues/?{query}").json()
        assert body["count"] == len(body["results"])
        return {c["id"] for c in body["results"]}

    assert ids(f"search={USCC_A}") == {three[0].pk}
    assert ids("search=MA9F1234") == {three[0].pk}                  # part of a code
    assert ids("search=乙工程") == {three[1].pk}                     # part of a Chinese name
    assert ids("search=洛阳 工程") == {c.pk for c in three}          # every word must match
    # Words of one or two characters (no trigram; strpos on PostgreSQL): the same match as longer ones.
    assert ids("search=xq") == ids("search=1234xq") == {three[0].pk}  # case-insensitive
    assert ids("search=乙工") == {three[1].pk} and ids("search=甲 MA9F") == {three[0].pk}
    assert ids("search=_") == ids("search=%25") == set()  # taken literally, as icontains escapes them
    assert ids("signal_type=related_bidders") == {three[1].pk}
    assert ids("status=received&ordering=reference") == {c.pk for c in three}
    bad = monitor.get("/api/v1/clues/?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]
    paged = monitor.get("/api/v1/clues/?limit=2").json()
    assert paged["count"] == 3 and len(paged["results"]) == 2 and paged["next"]


def test_overdue_filter_follows_the_clocks(monitor, three):
    first = three[0]
    clock = Clock.objects.filter(subject_id=str(first.pk), rule_version__rule__key="referral.transfer").get()
    Clock.objects.filter(pk=clock.pk).update(state=Clock.State.BREACHED)
    body = monitor.get("/api/v1/clues/?overdue=true").json()
    assert [c["id"] for c in body["results"]] == [first.pk]
    assert {c["id"] for c in monitor.get("/api/v1/clues/?overdue=false").json()["results"]} == {
        three[1].pk, three[2].pk}


def test_page_filters_paginates_and_exports_what_it_shows(client, bob, three):
    client.force_login(bob)
    page = client.get("/referrals/?search=甲建设")
    assert page.status_code == 200 and page.context["page"].paginator.count == 1
    assert "共 1 条" in page.content.decode()
    csv_resp = client.get("/referrals/?search=工程&export=csv")
    text = csv_resp.content.decode("utf-8")
    assert text.startswith("\ufeff") and csv_resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["线索编号", "外部编号", "项目编号", "项目名称"]
    assert len(rows) == 1 + 3
    injected = next(r for r in rows if "HYPERLINK" in r[-1])
    assert injected[-1].startswith("'=")                             # formula neutralised
    xlsx = client.get("/referrals/?signal_type=bid_file_fingerprint&export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "线索编号" and len(values) == 2 and values[1][0] == three[0].reference
    assert sheet.cell(row=2, column=11).is_date                       # 接收时间 is a date, not text
    assert client.get("/referrals/?export=pdf").status_code == 400


def test_the_list_and_its_export_stay_scoped(client, erin, three):
    client.force_login(erin)  # transport: none of these clues
    assert client.get("/referrals/").context["page"].paginator.count == 0
    rows = list(csv.reader(io.StringIO(client.get("/referrals/?export=csv").content.decode().lstrip("\ufeff"))))
    assert len(rows) == 1


def index_plan(queryset) -> str:
    """PostgreSQL's plan for the ids of `queryset` with plain and B-tree scans priced out: the GIN index it uses."""
    from django.db import connection

    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def test_the_search_uses_the_trigram_index_on_postgresql(three):
    """icontains compares UPPER(search_text): the GIN index must be on that expression, or a search over a million
    clues is a sequential scan (3 s measured). Plain and B-tree scans priced out, the plan must use the index."""
    from django.db import connection

    from referrals.models import Clue

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    plan = index_plan(Clue.objects.filter(search_text__icontains="1234XQ"))
    assert "clue_search_trgm_upper" in plan, plan


def test_a_two_character_chinese_word_is_looked_up_in_the_pairs_index(monitor, three):
    """Most Chinese given names have two characters, and pg_trgm has no trigram for them: on PostgreSQL they are
    looked up in the index of the text's character pairs (referrals 0010), with the same matches as elsewhere."""
    from django.db import connection

    from referrals.filters import ClueFilter, has_pair
    from referrals.models import Clue, search_pairs_of

    assert has_pair("许朱") and has_pair("a座") and not has_pair("xq") and not has_pair("许")
    assert not has_pair("ß座") and not has_pair("许\u3000")  # longer in upper case; an ideographic space
    assert search_pairs_of("第1号 洛阳许朱 a座\u3000集团") == "1号 A座 洛阳 第1 许朱 阳许 集团"

    def ids(term):
        return {c["id"] for c in monitor.get("/api/v1/clues/", {"search": term}).json()["results"]}

    assert ids("乙工") == ids("程集") == {three[1].pk} and ids("建设 甲建") == {three[0].pk}
    assert ids("第1") == {three[1].pk} and ids("工甲") == set()  # a pair of digit and character; no such pair
    if connection.vendor != "postgresql":
        return
    plan = index_plan(ClueFilter({"search": "乙工"}, queryset=Clue.objects.all()).qs)
    assert "clue_search_pairs" in plan, plan


def test_the_page_and_the_api_say_when_the_total_is_not_exact(client, luoyang, alice, bob, monitor, monkeypatch):
    from casework import listing

    services.intake_clue(actor=alice, data=clue_input(luoyang))
    client.force_login(bob)
    page = client.get("/referrals/")
    assert page.context["page"].paginator.count == 1 and page.context["page"].paginator.count_note == ""
    heading = page.content.decode().split("<h1>")[1].split("</h1>")[0]
    assert "共 1 条" in heading and "约" not in heading and "超过" not in heading
    assert set(monitor.get("/api/v1/clues/").json()) == {"count", "next", "previous", "results"}

    monkeypatch.setattr(listing, "count_rows", lambda qs, cap=0: (10000, "at_least"))
    html = client.get("/referrals/").content.decode()
    assert "共 超过 10000 条" in html and '超过</span> <strong id="list-count">10000</strong>' in html
    body = monitor.get("/api/v1/clues/").json()
    assert body["count"] == 10000 and body["count_at_least"] is True and "count_estimated" not in body

    monkeypatch.setattr(listing, "count_rows", lambda qs, cap=0: (123456, "estimate"))
    html = client.get("/referrals/").content.decode()
    assert "共 约 123456 条" in html and '约</span> <strong id="list-count">123456</strong>' in html
    body = monitor.get("/api/v1/clues/").json()
    assert body["count"] == 123456 and body["count_estimated"] is True and len(body["results"]) == 1


def test_the_index_looks_for_a_words_distinctive_part():
    from referrals.filters import index_part

    common = {"914", "141", "410", "103", "030", "300", "000", "00m", "0ma"}  # every Luoyang USCC's
    assert index_part("91410300MA9F1234XQ", common) == "MA9F1234XQ"
    assert index_part("00ma9f12", common) == "ma9f12"
    assert index_part("乙工程", common) == "乙工程"  # no common trigram: the word itself
    assert index_part("9141030", common) == "9141030"  # nothing but common trigrams: the word itself
    assert index_part("91410300MA9F1234XQ", set()) == "91410300MA9F1234XQ"


def test_a_search_by_a_words_distinctive_part_finds_only_the_whole_word(monitor, three, monkeypatch):
    from referrals import filters

    monkeypatch.setattr(filters, "common_trigrams",
                        lambda: frozenset({"914", "141", "410", "103", "030", "300", "000", "00m", "0ma"}))

    def ids(term):
        return {c["id"] for c in monitor.get("/api/v1/clues/", {"search": term}).json()["results"]}

    assert ids(USCC_A) == ids("0300ma9f1234xq") == {three[0].pk}
    assert ids("3000MA9F1234XQ") == set()  # its part MA9F1234XQ is there, the whole word is not
    assert ids("洛阳 0300MA9F") == {three[0].pk}


def test_beyond_the_counting_cap_the_api_still_pages_on(monitor, three, monkeypatch):
    from casework import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 1)
    first = monitor.get("/api/v1/clues/?limit=1").json()
    assert first["count"] == 2 and first["count_at_least"] is True and first["next"]  # the page and one more row
    last = monitor.get("/api/v1/clues/?limit=1&offset=2").json()
    assert last["count"] == 3 and "count_at_least" not in last and not last["next"] and len(last["results"]) == 1
