"""A mechanism's meetings and solicitations on the shared list machinery: search (Chinese, a partial reference),
filters (status, kind, department, overdue replies), pagination with the total, the ledger equal to the page,
free text searched only where it is read unmasked, scope, and a query count that does not grow with the list."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import services
from consultations.models import Meeting, Solicitation
from tests.conftest import at
from tests.consultations.conftest import SET_UP, meeting_input
from tests.consultations.test_solicitations import data as solicit_data

pytestmark = pytest.mark.django_db


def schedule(luoyang, mechanism, bob, frozen, **kw):
    frozen(SET_UP)
    return services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                     data=meeting_input(luoyang, **kw))


def two_solicitations(luoyang, mechanism, drc, bob):
    """A rule asked of the default recipients, and a policy on on-site witnessing asked of the DRC and the police."""
    rule = services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                     data=solicit_data(luoyang, drc))
    site = services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                     data=solicit_data(luoyang, drc, kind=Solicitation.Kind.POLICY,
                                                       title="交易现场见证管理办法",
                                                       recipients=[drc, luoyang["police"]]))
    return rule, site


def clone(meeting, n, tag="c"):
    """n more rows like `meeting` (the list reads rows, not the flow that made them)."""
    for i in range(n):
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.pk, copy.reference, copy.submission_key = None, f"{meeting.reference}-{tag}{i}", None
        copy.save()


def count(page: str, attr: str) -> int:
    return page.count(f"data-{attr}=")


def test_meeting_list_search_filters_overdue_and_ledger(client, luoyang, mechanism, bob, erin, frozen):
    bridges = schedule(luoyang, mechanism, bob, frozen, title="研究桥梁工程围标线索",
                       purpose="举报人钟离晓东反映，电话13711112222。")
    roads = schedule(luoyang, mechanism, bob, frozen, title="研究道路工程评标专家问题",
                     invitees=[luoyang["police"]])
    url = f"/consultations/{mechanism.pk}/meetings/"
    client.force_login(bob)
    page = client.get(url, {"search": "桥梁"}).content.decode()
    assert bridges.reference in page and roads.reference not in page
    page = client.get(url, {"search": roads.reference[-4:]}).content.decode()  # the end of a reference
    assert roads.reference in page and bridges.reference not in page
    assert count(client.get(url, {"department": "LY-TRANSPORT"}).content.decode(), "meeting") == 1
    assert count(client.get(url, {"status": "held"}).content.decode(), "meeting") == 0
    assert count(client.get(url, {"search": "钟离晓东"}).content.decode(), "meeting") == 0  # masked free text
    frozen(at(2026, 3, 9, 9))  # the reply date (6 March) has passed: the invited units' clocks are late
    assert count(client.get(url, {"overdue": "true"}).content.decode(), "meeting") == 2
    frozen(SET_UP)
    assert count(client.get(url, {"overdue": "true"}).content.decode(), "meeting") == 0
    assert count(client.get(url, {"due_within": "5"}).content.decode(), "meeting") == 2

    page = client.get(url, {"ordering": "reference"}).content.decode()
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(url, {"ordering": "reference", "export": "xlsx"})
                                                   .content)).active.values)
    assert rows[0][:2] == ("编号", "会议主题") and [r[0] for r in rows[1:]] == [bridges.reference, roads.reference]
    assert page.index(bridges.reference) < page.index(roads.reference)
    assert rows[1][5].year == 2026  # a date cell

    client.force_login(erin)  # transport: invited to the first meeting only
    page = client.get(url).content.decode()
    assert bridges.reference in page and roads.reference not in page


def test_meeting_list_pagination_and_query_count(client, luoyang, mechanism, bob, frozen):
    first = schedule(luoyang, mechanism, bob, frozen)
    clone(first, 1)
    url = f"/consultations/{mechanism.pk}/meetings/"
    client.force_login(bob)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert count(client.get(url).content.decode(), "meeting") == 2
    clone(first, 18, tag="d")
    with CaptureQueriesContext(connection) as twenty:
        assert count(client.get(url).content.decode(), "meeting") == 20
    assert len(twenty.captured_queries) <= len(two.captured_queries)
    Meeting.objects.filter(reference__contains="-").delete()
    clone(first, 52, tag="e")
    page = client.get(url).content.decode()
    assert 'id="list-count">53<' in page and count(page, "meeting") == 50 and "第 1 / 2 页，共 53 条" in page
    assert count(client.get(url, {"page": 2}).content.decode(), "meeting") == 3


def test_solicitation_list_search_filters_ledger_and_query_count(client, luoyang, mechanism, drc, bob, erin, pete):
    rule, site = two_solicitations(luoyang, mechanism, drc, bob)
    url = f"/consultations/{mechanism.pk}/solicitations/"
    client.force_login(bob)
    page = client.get(url, {"search": "见证"}).content.decode()
    assert site.reference in page and rule.reference not in page
    page = client.get(url, {"search": rule.letter.doc_number[:5]}).content.decode()  # the letter's number
    assert count(page, "solicitation") == 2
    assert count(client.get(url, {"kind": "policy"}).content.decode(), "solicitation") == 1
    assert count(client.get(url, {"department": "LY-POLICE"}).content.decode(), "solicitation") == 1
    assert count(client.get(url, {"status": "final"}).content.decode(), "solicitation") == 0
    page = client.get(url, {"ordering": "reference"}).content.decode()
    assert "0 / 3" in page and "0 / 2" in page
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(url, {"ordering": "reference", "export": "xlsx"})
                                                   .content)).active.values)
    assert [r[0] for r in rows[1:]] == [rule.reference, site.reference] and rows[1][6] == 3 and rows[2][6] == 2
    assert page.index(rule.reference) < page.index(site.reference)

    client.force_login(pete)  # the police: consulted on the second only
    page = client.get(url).content.decode()
    assert site.reference in page and rule.reference not in page
    client.force_login(erin)
    with CaptureQueriesContext(connection) as one:
        assert count(client.get(url).content.decode(), "solicitation") == 1
    for n in range(5):
        services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                  data=solicit_data(luoyang, drc, title=f"第{n}号管理办法"))
    with CaptureQueriesContext(connection) as six:
        assert count(client.get(url).content.decode(), "solicitation") == 6
    assert len(six.captured_queries) <= len(one.captured_queries)
