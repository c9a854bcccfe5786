"""The decisions board (议定事项落实情况) on the shared list machinery: its state computed in the database by the rule
of selectors.decision_state, filters (state, owner, due dates, search incl. a masked name), the chips' counts,
pagination with the total, the ledger equal to the page, a big export as a background job narrowed to the page's
mechanism, and the API list with the same filters.

The board of Luoyang's mechanism on 25 March 2026, after housing's meeting of 10 March (convened by bob):
- transport must check the bidders a whistle-blower named (due 20 March): nobody reported, overdue before any sweep;
- the police must open a case (due 29 May): open;
- housing reported its check on 12 March (due 31 March): done on time;
- transport reported its audit on 25 March (due 20 March): done late;
- a police item entered by mistake was withdrawn: not on the board.
lena (the DRC, lead department) reads every decision masked; bob (housing, the convener) is cleared for the free
text once he holds casework.view_personal_data."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.http import QueryDict
from django.test import override_settings
from rest_framework.test import APIClient

from casework.clocks import escalation
from casework.exportjobs import services as jobs
from casework.exportjobs.models import ExportJob
from casework.listing import bind, get_ledger
from consultations import selectors, services
from consultations.models import Decision
from tests.conftest import at

from .conftest import held_meeting

pytestmark = pytest.mark.django_db

WHISTLE = "钟离晓东"
CHECK = f"交通运输局核查举报人{WHISTLE}反映的国道养护工程投标人关联关系"
CASE = "公安机关立案侦查并通报结果"
OWN = "住建局核查中学教学楼工程评标专家回避情况"
AUDIT = "交通运输局审计国道养护工程资金拨付情况"


def decide(meeting, bob, luoyang, owner, due, text):
    return services.add_decision(actor=bob, meeting=meeting, text=text, owner=luoyang[owner],
                                 due_on=at(*due).date())


@pytest.fixture
def board(mechanism, luoyang, bob, erin, frozen):
    meeting = held_meeting(luoyang, mechanism, bob, frozen)
    rows = {
        "check": decide(meeting, bob, luoyang, "transport", (2026, 3, 20), CHECK),
        "case": decide(meeting, bob, luoyang, "police", (2026, 5, 29), CASE),
        "own": decide(meeting, bob, luoyang, "housing", (2026, 3, 31), OWN),
        "audit": decide(meeting, bob, luoyang, "transport", (2026, 3, 20), AUDIT),
        "mistake": decide(meeting, bob, luoyang, "police", (2026, 4, 30), "公安机关调取全部投标文件"),
    }
    services.withdraw_decision(actor=bob, decision=rows["mistake"], reason="重复录入")
    frozen(at(2026, 3, 12, 10))
    services.complete_decision(actor=bob, decision=rows["own"], result="已核查，评标专家均已按规定回避")
    frozen(at(2026, 3, 25, 10))  # no sweep has run: "check" is overdue by its date alone
    services.complete_decision(actor=erin, decision=rows["audit"], result="资金拨付情况已审计完毕")
    return rows


@pytest.fixture
def cleared_bob(bob):
    bob.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return type(bob).objects.get(pk=bob.pk)  # a fresh object: permission caches start empty


def url(board) -> str:
    return f"/consultations/{board['check'].meeting.mechanism_id}/decisions/"


def shown(client, board, **params) -> list[str]:
    """The references on the board page, in the page's order (each decision's pk in its row id)."""
    page = client.get(url(board), params)
    assert page.status_code == 200, page.content.decode()[:500]
    html = page.content.decode()
    by_pk = {d.pk: name for name, d in board.items()}
    found = [(html.index(f'id="board-{pk}"'), name) for pk, name in by_pk.items() if f'id="board-{pk}"' in html]
    return [name for _, name in sorted(found)]


def test_the_state_computed_in_the_database_is_decision_state(board, lena, mechanism):
    rows = selectors.decisions_board(lena, mechanism)
    states = {r.decision.pk: r.state for r in rows}
    assert states == {board["check"].pk: "overdue", board["case"].pk: "open", board["own"].pk: "done",
                      board["audit"].pk: "done-late"}  # the withdrawn one is not on the board
    for row in rows:
        assert row.state == selectors.decision_state(Decision.objects.select_related("clock").get(pk=row.decision.pk))
    escalation.sweep()  # the sweep marks the clock breached: still overdue, by the clock's state now
    assert {r.decision.pk: r.state for r in selectors.decisions_board(lena, mechanism)} == states


def test_board_filters_counts_and_keeps_typed_values(client, board, lena):
    client.force_login(lena)
    page = client.get(url(board)).content.decode()
    assert "已超期 1" in page and "落实中 1" in page and "已落实 2" in page
    assert 'id="list-count">4<' in page
    assert shown(client, board, state="overdue") == ["check"]
    assert shown(client, board, state="open") == ["case"]
    assert sorted(shown(client, board, state="done")) == ["audit", "own"]  # on time and late
    assert shown(client, board, state="done-late") == ["audit"]
    assert shown(client, board, overdue="true") == ["check"]
    assert shown(client, board, owner="LY-POLICE") == ["case"]
    assert sorted(shown(client, board, department="LY-TRANSPORT")) == ["audit", "check"]
    assert shown(client, board, due_from="2026-03-21", due_to="2026-04-30") == ["own"]
    assert shown(client, board, ordering="-due_on")[:2] == ["case", "own"]
    assert shown(client, board, state="done", ordering="completed_at") == ["own", "audit"]
    # the counts stay those of the whole board whatever the filter; the typed values stay in the form
    page = client.get(url(board), {"state": "open", "owner": "LY-POLICE", "search": "立案",
                                   "due_from": "2026-05-01", "ordering": "-due_on"}).content.decode()
    assert "已超期 1" in page and 'id="list-count">1<' in page
    assert 'value="立案"' in page and '<option value="LY-POLICE" selected>' in page
    assert 'name="state" value="open"' in page and 'value="2026-05-01"' in page
    assert '<option value="-due_on" selected>' in page
    bad = client.get(url(board), {"state": "late", "due_to": "2026-02-30"})
    assert bad.status_code == 400 and "状态" in bad.content.decode() and "完成期限至" in bad.content.decode()


def test_search_finds_the_text_only_as_the_user_reads_it(client, board, lena, cleared_bob):
    client.force_login(lena)  # the lead department: every decision, the whistle-blower's name masked
    page = client.get(url(board)).content.decode()
    assert WHISTLE not in page and "举报人钟**" in page
    assert shown(client, board, search=WHISTLE) == []  # no oracle for what the page masks
    assert shown(client, board, search="钟离") == []
    assert shown(client, board, search="关联关系") == ["check"]  # the rest of the text is searched
    assert shown(client, board, search="立案侦查") == ["case"]
    assert sorted(shown(client, board, search="交通运输局")) == ["audit", "check"]  # the owner's name (and text)
    assert shown(client, board, search="市公安局") == ["case"]  # the owner's short name
    assert sorted(shown(client, board, search="围标串标")) == ["audit", "case", "check", "own"]  # the meeting
    assert shown(client, board, search=board["own"].reference[-4:]) == ["own"]  # the end of a reference
    assert shown(client, board, search=f"国道 {WHISTLE}") == []

    client.force_login(cleared_bob)  # the convener's cleared handler reads and searches the original
    assert WHISTLE in client.get(url(board)).content.decode()
    assert shown(client, board, search=WHISTLE) == ["check"]
    assert shown(client, board, search=f"国道 {WHISTLE}") == ["check"]


def test_pagination_with_the_total(client, board, lena):
    case = Decision.objects.get(pk=board["case"].pk)
    for n in range(50):
        case.pk, case.reference = None, f"{board['case'].reference}-p{n}"
        case.save()
    client.force_login(lena)
    page = client.get(url(board)).content.decode()
    assert 'id="list-count">54<' in page and page.count("data-state=") == 50 and "第 1 / 2 页，共 54 条" in page
    assert "落实中 51" in page
    assert client.get(url(board), {"page": 2}).content.decode().count("data-state=") == 4
    assert client.get(url(board), {"state": "open", "page": 2}).content.decode().count("data-state=") == 1


def _table(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.values)


def test_the_ledger_equals_the_page_and_is_masked(client, board, lena):
    client.force_login(lena)
    order = shown(client, board, ordering="reference")
    rows = _table(client.get(url(board), {"ordering": "reference", "export": "xlsx"}).content)
    assert rows[0] == ("编号", "议定事项", "责任单位", "会议", "完成期限", "状态", "最新进展", "落实时间")
    assert [r[0] for r in rows[1:]] == [board[name].reference for name in order]
    by_ref = {r[0]: r for r in rows[1:]}
    check, audit = by_ref[board["check"].reference], by_ref[board["audit"].reference]
    assert check[5] == "已超期" and audit[5] == "逾期落实" and by_ref[board["own"].reference][5] == "按期落实"
    assert "举报人钟**" in check[1] and check[2] == "洛阳市交通运输局" and check[4].year == 2026
    assert audit[6] == "资金拨付情况已审计完毕" and audit[7].day == 25
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert WHISTLE not in text
    filtered = _table(client.get(url(board), {"state": "done", "export": "xlsx"}).content)
    assert sorted(r[0] for r in filtered[1:]) == sorted([board["own"].reference, board["audit"].reference])
    csv = client.get(url(board), {"search": "关联关系", "export": "csv"}).content.decode("utf-8")
    assert csv.startswith("\ufeff编号") and board["check"].reference in csv and WHISTLE not in csv
    assert csv.count("\n") == 2
    assert client.get(url(board), {"export": "pdf"}).status_code == 400


def test_a_big_export_runs_in_the_background_for_this_mechanism_only(client, board, lena, mechanism):
    client.force_login(lena)
    inline = _table(client.get(url(board), {"export": "xlsx", "search": "国道"}).content)
    assert len(inline) == 3 and not ExportJob.objects.exists()
    with override_settings(PORTAL_EXPORT_INLINE_ROWS=1):
        response = client.get(url(board), {"export": "xlsx", "search": "国道", "page": "2"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.owner, job.ledger, job.format) == (lena, "consultations.decisions", "xlsx")
    assert job.title == "议定事项落实台账"
    assert QueryDict(job.query).dict() == {"search": "国道", "mechanism": str(mechanism.pk)}
    assert "搜索：国道" in client.get(f"/exports/{job.pk}/").content.decode()
    assert jobs.run(job.pk) == ExportJob.State.DONE
    download = client.get(f"/exports/{job.pk}/download/")
    assert _table(b"".join(download.streaming_content)) == inline  # exactly the page's ledger

    # the worker rebuilds the list from the name alone: the mechanism filter narrows it, the owner's scope bounds it
    source = get_ledger("consultations.decisions")(lena)
    assert bind(source.filterset_class, QueryDict(f"mechanism={mechanism.pk}"), source.queryset, None).qs.count() == 4
    assert bind(source.filterset_class, QueryDict(f"mechanism={mechanism.pk + 1}"), source.queryset,
                None).qs.count() == 0


def test_the_api_takes_the_same_filters(board, lena, cleared_bob, mechanism):
    api = APIClient()
    api.force_authenticate(lena)
    path = f"/api/v1/consultations/{mechanism.pk}/decisions/"
    body = api.get(path).json()
    assert body["count"] == 4 and body["next"] is None and body["previous"] is None
    first = body["results"][0]
    assert set(first) == {"id", "reference", "text", "source", "owner", "owner_name", "due_on", "status", "state",
                          "meeting", "meeting_title", "minutes", "result", "completed_at", "clock"}
    states = {d["id"]: d["state"] for d in body["results"]}
    assert states == {board["check"].pk: "overdue", board["case"].pk: "open", board["own"].pk: "done",
                      board["audit"].pk: "done-late"}
    check = next(d for d in body["results"] if d["id"] == board["check"].pk)
    assert WHISTLE not in check["text"] and "举报人钟**" in check["text"]
    assert check["clock"]["rule"] == "consultation.decision" and check["owner"] == "LY-TRANSPORT"

    def ids(**params):
        response = api.get(path, params)
        assert response.status_code == 200, response.content
        return [d["id"] for d in response.json()["results"]]

    assert sorted(ids(state="done")) == sorted([board["own"].pk, board["audit"].pk])
    assert ids(owner="LY-POLICE") == [board["case"].pk]
    assert ids(due_from="2026-03-21", due_to="2026-04-30") == [board["own"].pk]
    assert ids(ordering="-due_on")[0] == board["case"].pk
    assert ids(search=WHISTLE) == [] and ids(search="关联关系") == [board["check"].pk]
    paged = api.get(path, {"limit": 2, "ordering": "reference"}).json()
    assert paged["count"] == 4 and len(paged["results"]) == 2 and "offset=2" in paged["next"]
    bad = api.get(path, {"state": "late"})
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]
    assert api.get(path, {"mechanism": "9" * 20}).status_code == 400  # never past the database's integer
    assert api.get(path, {"mechanism": mechanism.pk}).json()["count"] == 4

    api.force_authenticate(cleared_bob)
    found = api.get(path, {"search": WHISTLE}).json()["results"]
    assert [d["id"] for d in found] == [board["check"].pk] and WHISTLE in found[0]["text"]
