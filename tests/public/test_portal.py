"""The public portal at `/`: every public list in one layout with one search, paginated and exportable, the same
lists as open-data JSON; staff keep their workbench at `/`; personal data masked."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from credit.models import CreditRecord, CreditSubject
from public.lists import LISTS
from tests.conftest import at


@pytest.fixture
def records(luoyang, bob, frozen):
    frozen(at(2026, 10, 15))
    housing = luoyang["housing"]
    firm = CreditSubject.objects.create(type="enterprise", code="91410300MA9F1234XQ", name="=甲建设有限公司")
    person = CreditSubject.objects.create(type="individual", code="410302199001011234", name="张三丰")
    common = {"department": housing, "facts": "围标串标", "legal_basis": "招标投标法第五十三条", "penalty": "罚款",
              "valid_from": dt.date(2026, 9, 1), "created_by": bob, "decided_on": dt.date(2026, 9, 1)}
    made = [CreditRecord.objects.create(subject=firm, kind="penalty", decision_number="洛住建罚〔2026〕1号",
                                        serious=True, **common),
            CreditRecord.objects.create(subject=person, kind="penalty", decision_number="洛住建罚〔2026〕2号",
                                        serious=True, **common)]
    for i in range(25):
        made.append(CreditRecord.objects.create(
            subject=CreditSubject.objects.create(type="enterprise", code=f"9141030000000{i:05d}", name=f"乙公司{i}"),
            kind="penalty", decision_number=f"洛住建罚〔2026〕{10 + i}号", **common))
    CreditRecord.objects.create(subject=CreditSubject.objects.create(type="enterprise", code="X1", name="过期公司"),
                                kind="penalty", decision_number="洛住建罚〔2025〕9号",
                                **{**common, "valid_from": dt.date(2025, 1, 1), "valid_until": dt.date(2025, 12, 31)})
    return made


def test_anonymous_visitors_get_the_public_portal(client, records):
    html = client.get("/").content.decode()
    assert "信息公开" in html and 'action="/public/search/"' in html and "/login/" in html
    for lst in LISTS:
        assert f'id="section-{lst.key}"' in html
    assert "张*" in html and "张三丰" not in html and "410302199001011234" not in html   # natural persons masked
    assert "过期公司" not in html                                                       # out of its period


def test_staff_keep_their_workbench(client, records, bob):
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert 'id="workbench"' in html and 'id="section-penalties"' not in html


def test_a_list_is_paginated_searchable_and_exportable(client, records):
    page1 = client.get("/public/penalties/").content.decode()
    assert "共 27 条" in page1 and "第 1 / 2 页" in page1
    assert "共 27 条" in client.get("/public/penalties/?page=2").content.decode()
    found = client.get("/public/penalties/?q=乙公司1").content.decode()
    assert "乙公司1" in found and "甲建设" not in found
    resp = client.get("/public/penalties/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert len(rows) == 28 and rows[0][0] == "当事人"
    assert "'=甲建设有限公司" in [r[0] for r in rows]                                     # formula escaped
    csv = client.get("/public/penalties/?format=csv").content.decode("utf-8-sig")
    assert "'=甲建设有限公司" in csv and "张*" in csv
    assert client.get("/public/nothing/").status_code == 404


def test_one_search_across_every_list(client, records):
    html = client.get("/public/search/?q=甲建设").content.decode()
    assert 'id="result-penalties"' in html and 'id="result-blacklist"' in html
    assert 'id="result-inspections"' not in html


def test_open_data_json(client, records):
    index = client.get("/api/v1/public/").json()
    assert [x["key"] for x in index] == [x.key for x in LISTS]
    data = client.get("/api/v1/public/penalties/?q=甲建设").json()
    assert data["count"] == 1 and data["results"][0]["decision"] == "洛住建罚〔2026〕1号"
    black = client.get("/api/v1/public/blacklist/").json()
    assert {r["subject"] for r in black["results"]} == {"=甲建设有限公司", "张**"}
    assert all("410302199001011234" != r["code"] for r in black["results"])
    assert client.post("/api/v1/public/penalties/").status_code == 405
    assert client.get("/api/v1/public/nothing/").status_code == 404


def test_published_circulars_appear_with_their_pdf(client, q3, dave, leo, frozen, luoyang):
    from supervision.periods import Period
    from supervision.services import draft_circular, issue_circular, sign_circular

    frozen(at(2026, 10, 15))
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    hidden = draft_circular(actor=dave, office=office, period=Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30)))
    shown = draft_circular(actor=dave, office=office, period=Period(dt.date(2026, 7, 1), dt.date(2026, 8, 31)))
    for c, publish in ((hidden, False), (shown, True)):
        sign_circular(actor=leo, circular=c)
        issue_circular(actor=dave, circular=c, publish=publish)
    client.logout()
    data = client.get("/api/v1/public/circulars/").json()
    assert data["count"] == 1 and data["results"][0]["url"] == f"/public/circulars/{shown.pk}.pdf"
    assert client.get(f"/public/circulars/{shown.pk}.pdf")["Content-Type"] == "application/pdf"
    assert client.get(f"/public/circulars/{hidden.pk}.pdf").status_code == 404
