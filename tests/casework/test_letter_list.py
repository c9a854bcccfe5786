"""The letters list (/letters/): every letter the user may see through the shared list machinery: search (Chinese,
a partial 发文字号), filters, pagination with the total, the ledger equal to the page, a letter carrying a complainant's
identity masked (page, search and ledger) for staff not cleared, scope, and a query count that does not grow."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.letters import render
from casework.letters.services import issue_letter
from complaints import services as complaints
from tests.complaints.conftest import NAME, cleared, complaint_input, uncleared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fast_render(monkeypatch):
    """The list never opens the PDF: a few distinct bytes per letter."""
    monkeypatch.setattr(render, "render_pdf", lambda letter, subject=None: f"%PDF {letter.doc_number}".encode())


def send(luoyang, actor, title="关于洛阳市某桥梁维修工程串通投标问题线索的函", addressee="transport", kind="generic",
         subject=None, **kw):
    return issue_letter(actor=actor, issuer=luoyang["housing"], kind=kind, title=title,
                        body=["现将有关情况函告你单位，请依法处理。"], subject=subject or luoyang["housing"],
                        addressee=luoyang[addressee] if addressee else None, **kw)


@pytest.fixture
def refused(luoyang, cleared, fast_render):  # noqa: F811
    """A complaint refused in writing: its 告知书 names the complainant and opens for cleared staff only."""
    complaint = complaints.file_complaint(data=complaint_input(luoyang), channel="online",
                                          submission_key="web:letters").complaint
    complaint = complaints.refuse_complaint(actor=cleared, complaint=complaint,
                                            reasons="投诉事项已经超过法定投诉期限，依法不予受理。")
    return complaint.decision_letter


def _table(response) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


def test_search_filters_and_pagination(client, luoyang, bob, fast_render):
    bridge = send(luoyang, bob)
    road = send(luoyang, bob, title="关于洛阳市某道路改造工程的协助办理函", kind="assistance",
                addressee="trading_centre")
    client.force_login(bob)
    page = client.get("/letters/", {"search": "桥梁"}).content.decode()
    assert bridge.doc_number in page and road.doc_number not in page
    number = road.doc_number[2:6]  # a partial 发文字号, e.g. "协〔20"
    page = client.get("/letters/", {"search": number}).content.decode()
    assert road.doc_number in page and bridge.doc_number not in page
    page = client.get("/letters/", {"search": "交通"}).content.decode()  # the addressee's name
    assert bridge.doc_number in page and road.doc_number not in page
    page = client.get("/letters/", {"kind": "assistance"}).content.decode()
    assert road.doc_number in page and bridge.doc_number not in page
    assert client.get("/letters/", {"box": "received"}).content.decode().count('data-letter="') == 0
    assert client.get("/letters/", {"box": "sent"}).content.decode().count('data-letter="') == 2
    for ordering in ("doc_number", "-doc_number"):
        page = client.get("/letters/", {"ordering": ordering}).content.decode()
        first, second = sorted([road.doc_number, bridge.doc_number], reverse=ordering.startswith("-"))
        assert page.index(first) < page.index(second)
    bad = client.get("/letters/", {"issued_from": "2026-13-45"})
    assert bad.status_code == 400 and "成文日期自" in bad.content.decode()

    for n in range(51):
        send(luoyang, bob, title=f"关于第{n}批次材料的函")
    first = client.get("/letters/")
    assert 'id="list-count">53<' in first.content.decode() and first.content.decode().count('data-letter="') == 50
    assert "第 1 / 2 页，共 53 条" in first.content.decode()
    assert client.get("/letters/", {"page": 2}).content.decode().count('data-letter="') == 3


def test_scope_the_addressee_sees_it_another_department_does_not(client, luoyang, bob, erin, fast_render):
    bridge = send(luoyang, bob)
    own = send(luoyang, bob, title="关于某工程的协助办理函", addressee="trading_centre")
    client.force_login(erin)  # the transport bureau: the addressee of the first letter only
    page = client.get("/letters/").content.decode()
    assert bridge.doc_number in page and own.doc_number not in page
    assert client.get("/letters/", {"box": "received"}).content.decode().count('data-letter="') == 1
    assert f'href="/letters/{bridge.pk}.pdf"' in page


def test_ledger_equals_the_page(client, luoyang, bob, fast_render):
    letters = [send(luoyang, bob, title=f"=关于第{n}号工程的函") for n in range(3)]  # a formula-looking title
    client.force_login(bob)
    page = client.get("/letters/", {"ordering": "doc_number"}).content.decode()
    rows = _table(client.get("/letters/", {"ordering": "doc_number", "export": "xlsx"}))
    assert rows[0][:6] == ("发文字号", "文种", "标题", "发文单位", "主送", "所属事项")
    assert [r[0] for r in rows[1:]] == sorted(x.doc_number for x in letters)
    assert [r[0] for r in rows[1:]] == [x.doc_number for x in sorted(letters, key=lambda x: x.doc_number)]
    positions = [page.index(r[0]) for r in rows[1:]]
    assert positions == sorted(positions)  # same rows, same order as the page
    assert rows[1][2] == "'=关于第0号工程的函" and rows[1][4] == luoyang["transport"].name
    assert rows[1][6].year == letters[0].issued_at.year  # a date, not text
    csv = client.get("/letters/", {"export": "csv"}).content.decode("utf-8")
    assert csv.startswith("\ufeff发文字号") and all(x.doc_number in csv for x in letters)


def test_restricted_letter_masked_for_uncleared_staff_in_page_search_and_ledger(client, refused, cleared,  # noqa: F811
                                                                                uncleared):  # noqa: F811
    client.force_login(uncleared)  # a housing handler without complaints.view_complainant
    page = client.get("/letters/").content.decode()
    assert refused.doc_number in page and NAME not in page and "周**" in page
    assert f"/letters/{refused.pk}.pdf" not in page and f'href="/letters/{refused.pk}/"' not in page
    assert "身份信息保密" in page
    assert refused.doc_number not in client.get("/letters/", {"search": NAME}).content.decode()  # no oracle
    # its title and addressee are searched only by those who read them; its 发文字号 by everyone who sees the row
    assert refused.doc_number not in client.get("/letters/", {"search": "不予受理"}).content.decode()
    assert refused.doc_number in client.get("/letters/", {"search": refused.doc_number[:4]}).content.decode()
    rows = _table(client.get("/letters/", {"export": "xlsx"}))
    assert rows[1][0] == refused.doc_number and rows[1][4] == "周**" and rows[1][-1] == "否"
    assert NAME not in " ".join(str(v) for r in rows for v in r if v is not None)
    assert NAME not in client.get("/letters/", {"export": "csv"}).content.decode("utf-8")

    client.force_login(cleared)  # bob: the handling department's cleared handler
    page = client.get("/letters/", {"search": NAME}).content.decode()
    assert refused.doc_number in page and NAME in page and f'href="/letters/{refused.pk}.pdf"' in page
    assert refused.doc_number in client.get("/letters/", {"search": "不予受理"}).content.decode()
    rows = _table(client.get("/letters/", {"export": "xlsx"}))
    assert rows[1][4] == NAME and rows[1][-1] == "是"


@pytest.mark.parametrize("persona", ["cleared", "uncleared"])
def test_query_count_does_not_grow_with_the_list(client, request, luoyang, refused, cleared,  # noqa: F811
                                                 persona, fast_render):
    from tests.complaints.conftest import complaint_input as data

    send(luoyang, cleared)
    client.force_login(request.getfixturevalue(persona))
    client.get("/letters/")
    with CaptureQueriesContext(connection) as two:
        assert client.get("/letters/").content.decode().count('data-letter="') == 2
    for n in range(9):  # nine more letters, and nine more restricted ones about nine more complaints
        send(luoyang, cleared, title=f"关于第{n}号工程的函")
        complaint = complaints.file_complaint(data=data(luoyang, project_code=f"LYGC2026-5{n}"),
                                              channel="online", submission_key=f"web:q{n}").complaint
        complaints.refuse_complaint(actor=cleared, complaint=complaint, reasons="投诉事项已经超过法定投诉期限。")
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/letters/").content.decode().count('data-letter="') == 20
    assert len(twenty.captured_queries) <= len(two.captured_queries)
