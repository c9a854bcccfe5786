"""The shared machinery's own lists (clocks, hand-overs) and the list machinery itself: filters, due within N
working days, ledger, scope, and a bad filter named in the error."""

import io

import openpyxl
import pytest

from tests.conftest import at
from tests.jointaction.conftest import mark  # noqa: F401, F811  (the market regulator persona)
from tests.jointaction.test_assistance import ask

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


def test_clock_and_handoff_lists(client, bob, erin, mark, luoyang, frozen):  # noqa: F811
    frozen(at(2026, 11, 20, 9))  # a Friday
    req, _ = ask(bob, luoyang)
    client.force_login(bob)
    page = client.get("/handoffs/", {"kind": "assistance"}).content.decode()
    assert req.handoff.reference in page
    assert req.handoff.reference not in client.get("/handoffs/", {"kind": "clue_referral"}).content.decode()
    assert req.handoff.reference in client.get("/handoffs/", {"search": "市场监督"}).content.decode()
    rows = _rows(client.get("/handoffs/?export=xlsx"))
    assert rows[0][:3] == ("编号", "类型", "事项") and rows[1][0] == req.handoff.reference

    client.force_login(mark)  # the market regulator runs the review clock
    listed = client.get("/clocks/", {"open_only": "true"})
    assert listed.status_code == 200 and "s-running" in listed.content.decode()
    assert "s-running" not in client.get("/clocks/", {"overdue": "true"}).content.decode()
    assert "s-running" in client.get("/clocks/", {"due_within": "10"}).content.decode()
    rows = _rows(client.get("/clocks/", {"open_only": "true", "export": "xlsx"}))
    assert rows[0][:2] == ("环节", "事项") and len(rows) >= 2
    frozen(at(2027, 2, 1, 9))
    client.force_login(mark)
    assert "s-running" in client.get("/clocks/", {"overdue": "true"}).content.decode()
    bad = client.get("/clocks/", {"due_within": "many"})
    assert bad.status_code == 400 and "工作日内到期" in bad.content.decode()

    client.force_login(erin)  # transport: neither end of the hand-over
    assert req.handoff.reference not in client.get("/handoffs/").content.decode()
    assert len(_rows(client.get("/clocks/?export=xlsx"))) == 1
