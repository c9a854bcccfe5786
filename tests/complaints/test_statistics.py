"""Periodic complaint statistics (投诉定期统计分析): counts, timeliness on the official calendar,
who sees what, the XLSX export, and the page with its charts (ECharts; the SVG helpers serve the PDFs)."""

import datetime as dt
import io
import itertools
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from casework.clocks.models import Clock
from casework.clocks.services import complete_clock, start_clock
from casework.errors import Forbidden
from casework.org.selectors import forget_memberships
from casework.org.services import load_org_preset
from complaints.charts import column_chart, hbar_chart, nice_ceiling
from complaints.models import Complaint
from complaints.statistics import complaint_statistics, statistics_xlsx
from tests.conftest import at

SINCE, UNTIL = dt.date(2026, 7, 1), dt.date(2026, 10, 31)
SECRET_NAME, SECRET_ID, SECRET_PHONE = "郑秘密", "410300199001011234", "13912345678"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
_seq = itertools.count(1)


def make_complaint(dept, received, *, status=Complaint.Status.SUBMITTED, trading_type="engineering",
                   grounds="bid_rigging", channel="online", accepted=None, decided=None, outcome="",
                   clock="", clock_met=None):
    """A complaint with every required field; with `clock`, a decision clock started at acceptance
    and, for a decided complaint, completed at the decision."""
    n = next(_seq)
    complaint = Complaint.objects.create(
        reference=f"TJ-2026-{n:05d}", tracking_code=f"TJ{n:08d}", secret_hash=f"{n:064x}",
        submission_key=f"stats-test-{n}", content_hash=f"{n:064x}", channel=channel, department=dept,
        received_at=received, complainant_type=Complaint.ComplainantType.PERSON, complainant_name=SECRET_NAME,
        complainant_id_number=SECRET_ID, contact_phone=SECRET_PHONE, project_code=f"LY-2026-{n:04d}",
        project_name=f"某某工程第{n}标段", trading_type=trading_type, grounds_category=grounds,
        grounds="投诉事项和理由", requested_outcome="请求重新评标", status=status, accepted_at=accepted,
        decided_at=decided, outcome=outcome)
    if clock:
        started = start_clock(actor=None, subject=complaint, rule_key=clock, department=dept, started_at=accepted)
        if decided is not None:
            done = complete_clock(actor=None, clock=started, at=decided)
            assert (done.state == Clock.State.MET) is clock_met
    return complaint


@pytest.fixture
def book(luoyang):
    """Ten Luoyang complaints received in 2026-07-01..10-31 (eight housing, two transport), three
    outside the period, and one in Pingdingshan.

    Working days from acceptance to decision (official 2026 calendar):
      H1 07-07 → 07-20:  9   clock met
      H2 08-04 → 09-30: 41   clock breached (due 24:00 09-15); 09-20 (Sunday) is a make-up working day
      H3 09-28 → 10-12:  6   clock met; 09-29, 09-30, 10-08, 10-09, 10-10 (Saturday, worked), 10-12;
                             National Day 10-01..10-07 off; decided 00:30 Shanghai = 10-11 UTC
      H7 07-16 → 07-31: 11   no decision clock
      T2 09-11 → 09-18:  5   clock met
    """
    S, R = Complaint.Status, Complaint.Outcome
    housing, transport = luoyang["housing"], luoyang["transport"]
    c = {
        "H1": make_complaint(housing, at(2026, 7, 6), status=S.DECIDED, accepted=at(2026, 7, 7),
                             decided=at(2026, 7, 20, 16), outcome=R.UPHELD, clock="complaint.decide", clock_met=True),
        "H2": make_complaint(housing, at(2026, 8, 3), status=S.DECIDED, grounds="fraud", channel="paper",
                             accepted=at(2026, 8, 4), decided=at(2026, 9, 30), outcome=R.DISMISSED,
                             clock="complaint.decide", clock_met=False),
        "H3": make_complaint(housing, at(2026, 9, 25, 20), status=S.DECIDED, trading_type="procurement",
                             grounds="procedure", accepted=at(2026, 9, 28, 9), decided=at(2026, 10, 12, 0, 30),
                             outcome=R.UPHELD, clock="complaint.decide_procurement", clock_met=True),
        "H4": make_complaint(housing, at(2026, 10, 9), status=S.ACCEPTED, grounds="qualification",
                             accepted=at(2026, 10, 10), clock="complaint.decide"),
        "H5": make_complaint(housing, at(2026, 10, 15), trading_type="procurement", grounds="bid_documents",
                             channel="api"),
        "H6": make_complaint(housing, at(2026, 8, 20), status=S.REFUSED),
        "H7": make_complaint(housing, at(2026, 7, 15), status=S.DECIDED, trading_type="property_rights",
                             grounds="other", channel="phone", accepted=at(2026, 7, 16), decided=at(2026, 7, 31),
                             outcome=R.DISMISSED),
        "H9": make_complaint(housing, at(2026, 10, 31, 23, 59), status=S.TRANSFERRED, grounds="evaluation",
                             channel="phone"),
        "T1": make_complaint(transport, at(2026, 9, 1), status=S.REDIRECTED, grounds="evaluation", channel="api"),
        "T2": make_complaint(transport, at(2026, 9, 10), status=S.DECIDED, accepted=at(2026, 9, 11),
                             decided=at(2026, 9, 18), outcome=R.PARTLY_UPHELD, clock="complaint.decide",
                             clock_met=True),
        # outside the period, by Shanghai date
        "before": make_complaint(housing, at(2026, 6, 30, 23, 59)),
        "after": make_complaint(housing, at(2026, 11, 1, 0, 0)),
        "long_before": make_complaint(transport, at(2026, 3, 2), status=S.DECIDED, accepted=at(2026, 3, 3),
                                      decided=at(2026, 3, 10), outcome=R.UPHELD),
    }
    pds = load_org_preset(preset="pingdingshan")
    elsewhere = next(d for d in pds if d.type == "housing")
    c["PDS"] = make_complaint(elsewhere, at(2026, 9, 1))
    return c


def counts(rows):
    return {r["key"]: r["count"] for r in rows}


# --- the numbers -------------------------------------------------------------------------------
def test_supervisor_sees_all_of_luoyang(book, dave):
    stats = complaint_statistics(dave, since=SINCE, until=UNTIL)
    assert stats["totals"] == {
        "received": 10, "accepted": 6, "refused": 1, "transferred": 1, "redirected": 1, "decided": 5,
        "pending": 2, "awaiting_acceptance": 1, "in_progress": 1}
    t = stats["totals"]
    assert t["received"] == t["refused"] + t["transferred"] + t["redirected"] + t["decided"] + t["pending"]
    assert "洛阳市" in stats["scope"]

    assert stats["by_trading_type"] == [
        {"key": "engineering", "label": "工程建设招标投标", "count": 7},
        {"key": "procurement", "label": "政府采购", "count": 2},
        {"key": "property_rights", "label": "产权交易", "count": 1},
        {"key": "land_mining", "label": "土地和矿业权出让", "count": 0},
    ]
    assert counts(stats["by_grounds"]) == {"bid_rigging": 3, "fraud": 1, "qualification": 1, "evaluation": 2,
                                           "procedure": 1, "bid_documents": 1, "other": 1}
    assert [r["label"] for r in stats["by_grounds"]][:2] == ["串通投标", "弄虚作假骗取中标"]
    assert counts(stats["by_outcome"]) == {"upheld": 2, "partly_upheld": 1, "dismissed": 2}
    assert counts(stats["by_channel"]) == {"online": 5, "api": 2, "paper": 1, "phone": 2}
    housing, transport = book["H1"].department, book["T1"].department
    assert stats["by_department"] == [{"key": housing.pk, "label": housing.name, "count": 8},
                                      {"key": transport.pk, "label": transport.name, "count": 2}]


def test_on_time_rate_and_working_days_across_national_day(book, dave):
    stats = complaint_statistics(dave, since=SINCE, until=UNTIL)
    # H1, H3, T2 met; H2 breached; H7 had no decision clock
    assert stats["timeliness"] == {"decided": 5, "timed": 4, "on_time": 3, "late": 1, "untimed": 1,
                                   "on_time_rate": 0.75}
    # 9, 41, 6, 11, 5 working days
    w = stats["working_days"]
    assert w["count"] == 5
    assert w["mean"] == pytest.approx(14.4)
    assert w["median"] == 9 and w["max"] == 41
    assert w["provisional"] is False


def test_the_holiday_case_alone(luoyang, dave):
    # accepted Mon 09-28, decided Mon 10-12: 10-01..10-07 off, Sat 10-10 worked → 6 working days
    make_complaint(luoyang["housing"], at(2026, 9, 27), status=Complaint.Status.DECIDED,
                   accepted=at(2026, 9, 28), decided=at(2026, 10, 12), outcome=Complaint.Outcome.UPHELD,
                   clock="complaint.decide", clock_met=True)
    stats = complaint_statistics(dave, since=dt.date(2026, 9, 1), until=dt.date(2026, 9, 30))
    assert stats["working_days"] == {"count": 1, "mean": 6, "median": 6, "max": 6, "provisional": False}
    assert stats["timeliness"]["on_time_rate"] == 1


def test_monthly_series_by_month_of_receipt(book, dave):
    stats = complaint_statistics(dave, since=SINCE, until=UNTIL)
    assert stats["monthly"] == [
        {"month": "2026-07", "received": 2, "decided": 2},
        {"month": "2026-08", "received": 2, "decided": 1},
        {"month": "2026-09", "received": 3, "decided": 2},   # H3 received 09-25 20:00 Shanghai
        {"month": "2026-10", "received": 3, "decided": 0},   # H9 at 23:59 on 10-31 Shanghai (15:59 UTC)
    ]
    assert sum(m["received"] for m in stats["monthly"]) == stats["totals"]["received"]


def test_department_staff_see_their_own_department(book, bob, erin):
    housing = complaint_statistics(bob, since=SINCE, until=UNTIL)
    assert housing["totals"]["received"] == 8
    assert [r["count"] for r in housing["by_department"]] == [8]
    assert housing["timeliness"]["on_time_rate"] == pytest.approx(2 / 3)
    assert housing["working_days"]["median"] == 10          # 6, 9, 11, 41
    assert housing["working_days"]["mean"] == pytest.approx(16.75)

    transport = complaint_statistics(erin, since=SINCE, until=UNTIL)   # none of housing's
    assert transport["totals"]["received"] == 2 and transport["totals"]["decided"] == 1
    assert [r["label"] for r in transport["by_department"]] == [book["T1"].department.name]
    assert transport["working_days"] == {"count": 1, "mean": 5, "median": 5, "max": 5, "provisional": False}
    assert transport["timeliness"]["on_time_rate"] == 1


def test_no_department_is_forbidden(book):
    from django.contrib.auth.models import AnonymousUser

    nobody = get_user_model().objects.create_user(username="nobody", password="pw-nobody")
    with pytest.raises(Forbidden):
        complaint_statistics(nobody, since=SINCE, until=UNTIL)
    with pytest.raises(Forbidden):
        complaint_statistics(AnonymousUser(), since=SINCE, until=UNTIL)


def test_empty_period(book, dave):
    stats = complaint_statistics(dave, since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 31))
    assert stats["totals"]["received"] == 0
    assert stats["timeliness"]["on_time_rate"] is None
    assert stats["working_days"]["mean"] is None
    assert stats["by_department"] == [] and stats["monthly"] == [{"month": "2025-01", "received": 0, "decided": 0}]


def test_statistics_hold_no_complainant_identity(book, dave):
    text = repr(complaint_statistics(dave, since=SINCE, until=UNTIL))
    assert SECRET_NAME not in text and SECRET_ID not in text and SECRET_PHONE not in text


def test_a_fixed_number_of_queries(book, luoyang, dave):
    # aggregated in the database: the number of queries does not grow with the number of complaints
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        forget_memberships(dave)
        with CaptureQueriesContext(connection) as ctx:
            complaint_statistics(dave, since=SINCE, until=UNTIL)
        return len(ctx.captured_queries)

    before = queries()
    for day in range(1, 6):
        make_complaint(luoyang["housing"], at(2026, 8, 10 + day),
                       status=Complaint.Status.DECIDED, accepted=at(2026, 8, 17), decided=at(2026, 8, 28),
                       outcome=Complaint.Outcome.UPHELD, clock="complaint.decide", clock_met=True)
    assert queries() == before <= 18  # paused days left out of 受理至决定 take their own fixed queries


# --- XLSX --------------------------------------------------------------------------------------
def _sheet_rows(ws):
    return list(ws.iter_rows(values_only=True))


def test_xlsx_has_the_sheets_and_numbers(book, dave):
    stats = complaint_statistics(dave, since=SINCE, until=UNTIL)
    wb = load_workbook(io.BytesIO(statistics_xlsx(stats, since=SINCE, until=UNTIL)))
    assert wb.sheetnames == ["总览", "按交易类型", "按部门", "按投诉事由", "按处理结果", "按月"]
    overview = {row[0]: row[1] for row in _sheet_rows(wb["总览"]) if row and row[0]}
    assert "2026-07-01" in overview["统计期间"] and "2026-10-31" in overview["统计期间"]
    assert overview["收到投诉"] == 10 and overview["已作出处理决定"] == 5 and overview["不予受理"] == 1
    assert overview["按期办结率"] == 0.75
    assert overview["受理至决定工作日：平均"] == pytest.approx(14.4)
    assert overview["受理至决定工作日：中位数"] == 9 and overview["受理至决定工作日：最长"] == 41
    assert _sheet_rows(wb["按交易类型"])[0] == ("交易类型", "件数", "占比")
    assert ("工程建设招标投标", 7, 0.7) in _sheet_rows(wb["按交易类型"])
    assert (book["H1"].department.name, 8, 0.8) in _sheet_rows(wb["按部门"])
    assert ("串通投标", 3, 0.3) in _sheet_rows(wb["按投诉事由"])
    assert ("投诉部分成立", 1, 0.2) in _sheet_rows(wb["按处理结果"])
    assert _sheet_rows(wb["按月"])[1:] == [("2026-07", 2, 2), ("2026-08", 2, 1), ("2026-09", 3, 2),
                                          ("2026-10", 3, 0), ("合计", 10, 5)]
    assert wb["按部门"].column_dimensions["A"].width >= 20
    cells = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert SECRET_NAME not in cells and SECRET_ID not in cells and SECRET_PHONE not in cells


# --- charts ------------------------------------------------------------------------------------
def test_hbar_chart_scales_and_escapes():
    svg = str(hbar_chart([{"key": "a", "label": "<script>alert(1)</script> & 串通", "count": 4},
                          {"key": "b", "label": "弄虚作假", "count": 2},
                          {"key": "c", "label": "其他", "count": 0}], title="标题 <b>", chart_id="x"))
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg and "&amp;" in svg
    assert "<title>标题 &lt;b&gt;</title>" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)" height="16"', svg)]
    assert len(widths) == 3 and widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    assert "暂无数据" in str(hbar_chart([], title="空", chart_id="e"))


def test_column_chart_axis_and_labels():
    rows = [{"month": "2026-07", "received": 7, "decided": 3}, {"month": "2026-08", "received": 0, "decided": 0}]
    svg = str(column_chart(rows, series=(("received", "收到投诉", "#111"), ("decided", "已决定", "#222")),
                           title="按月", chart_id="m"))
    assert svg.count("<rect") == 2 + 4             # legend + columns
    assert ">2026-07</text>" in svg and ">2026-08</text>" in svg and ">收到投诉</text>" in svg
    assert nice_ceiling(7) == (8, 2) and nice_ceiling(0) == (1, 1) and nice_ceiling(1) == (1, 1)
    assert nice_ceiling(37) == (40, 10)


# --- pages ---------------------------------------------------------------------------------------
pytestmark_urls = pytest.mark.urls("tests.complaints.stats_urls")


@pytestmark_urls
def test_page_renders_totals_tables_and_charts(client, book, dave):
    client.force_login(dave)
    resp = client.get(reverse("complaints:statistics"), {"since": "2026-07-01", "until": "2026-10-31"})
    assert resp.status_code == 200
    html = resp.content.decode()
    # the charts are drawn by Apache ECharts (served locally) from json_script data: no inline script
    for chart in ("trading_type", "department", "grounds", "monthly"):
        assert f'data-chart="{chart}"' in html
    assert 'id="complaint-charts"' in html and "vendor/echarts/echarts.min.js" in html and "<script>" not in html
    import json

    data = json.loads(html.split('id="complaint-charts" type="application/json">')[1].split("</script>")[0])
    assert set(data["sections"]) == {"trading_type", "department", "grounds"}
    assert sum(r["received"] for r in data["monthly"]["rows"]) == int(
        html.split('<tfoot><tr><th>合计</th><th class="num">')[1].split("<")[0])
    assert "2026-07-01" in html and "2026-10-31" in html
    assert "75.0%" in html and "14.4" in html
    assert book["T1"].department.name in html and "投诉部分成立" in html
    assert SECRET_NAME not in html and SECRET_PHONE not in html
    assert reverse("complaints:statistics_export") + "?since=2026-07-01&amp;until=2026-10-31" in html


@pytestmark_urls
def test_page_defaults_to_the_current_quarter_so_far(client, book, dave, frozen):
    frozen(at(2026, 11, 20, 9))
    client.force_login(dave)
    html = client.get(reverse("complaints:statistics")).content.decode()
    assert "2026-10-01" in html and "2026-11-20" in html
    assert html.count('class="echart') == 4


@pytestmark_urls
@pytest.mark.parametrize("params, message", [
    ({"since": "2026-13-01", "until": "2026-10-31"}, "开始日期须为 YYYY-MM-DD 格式的有效日期"),
    ({"since": "2026-07-01", "until": "31/10/2026"}, "结束日期须为 YYYY-MM-DD 格式的有效日期"),
    ({"since": "2026-10-31", "until": "2026-07-01"}, "开始日期不能晚于结束日期"),
    ({"since": "2000-01-01", "until": "2026-07-01"}, "统计期间不能超过 5 年"),
])
def test_bad_dates_give_a_message_not_a_500(client, book, dave, params, message):
    client.force_login(dave)
    resp = client.get(reverse("complaints:statistics"), params)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert message in html and "<svg" not in html
    export = client.get(reverse("complaints:statistics_export"), params)
    assert export.status_code == 400 and message in export.content.decode()


@pytestmark_urls
def test_pages_need_login_and_a_department(client, book):
    url = reverse("complaints:statistics")
    assert client.get(url).status_code == 302
    client.force_login(get_user_model().objects.create_user(username="nobody", password="pw-nobody"))
    resp = client.get(url)
    assert resp.status_code == 403 and "投诉统计" in resp.content.decode()
    assert client.get(reverse("complaints:statistics_export")).status_code == 403


@pytestmark_urls
def test_export_is_an_xlsx_attachment_named_for_the_period(client, book, erin):
    client.force_login(erin)
    resp = client.get(reverse("complaints:statistics_export"), {"since": "2026-07-01", "until": "2026-10-31"})
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('投诉统计_2026-07-01_2026-10-31.xlsx')}" in disposition
    wb = load_workbook(io.BytesIO(resp.content))
    overview = {row[0]: row[1] for row in wb["总览"].iter_rows(values_only=True) if row and row[0]}
    assert overview["收到投诉"] == 2                    # erin: transport only
    assert [row[0] for row in wb["按部门"].iter_rows(values_only=True)][1:] == [book["T1"].department.name, "合计"]


# --- in the browser --------------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytestmark_urls
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_page_in_chromium(live_server, book, dave, monkeypatch):
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: run bin/setup --test (installs Debian chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "complaint-statistics.png"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "dave")
            page.fill("input[name=password]", "pw-dave")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            page.goto(f"{live_server.url}{reverse('complaints:statistics')}?since=2026-07-01&until=2026-10-31")
            # ECharts has drawn every chart (as SVG, data-rendered set by static/complaints/statistics.js)
            page.wait_for_selector(".echart[data-rendered='1'] svg")
            assert page.locator(".echart[data-rendered='1']").count() == 4
            assert "2026-07-01" in page.locator("#period").inner_text()
            for chart in page.locator(".echart[data-rendered='1']").all():
                box = chart.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 50
                assert chart.locator("svg path, svg rect").count() > 0   # bars or axes were drawn
            monthly = page.locator(".echart[data-chart='monthly'] svg").inner_html()
            assert "2026-07" in monthly and "收到投诉" in monthly
            page.screenshot(path=str(shot), full_page=True)
            browser.close()
    finally:
        connections.close_all()
    assert shot.stat().st_size > 20_000



def test_stats_urlconf_adds_the_pages_whatever_config_urls_holds():
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern, URLResolver

    from complaints.statistics_views import statistics_urlpatterns
    from tests.complaints.stats_urls import _with_statistics

    def view(request):  # pragma: no cover
        return None

    theirs = [path("x/", include(([path("", view, name="list")], "complaints")))]
    cases = {
        "no complaints namespace": ([path("a/", view, name="a")], "/complaints/statistics/"),
        "namespace without statistics": (theirs, "/x/statistics/"),
        "namespace with statistics": ([path("y/", include((statistics_urlpatterns, "complaints")))], "/y/statistics/"),
    }
    for case, (patterns, url) in cases.items():
        merged = _with_statistics(patterns)
        assert sum(getattr(p, "namespace", None) == "complaints" for p in merged) == 1, case
        match = URLResolver(RegexPattern(r"^/"), merged).resolve(url)
        assert (match.namespace, match.url_name) == ("complaints", "statistics"), case
    kept = URLResolver(RegexPattern(r"^/"), _with_statistics(theirs)).resolve("/x/")
    assert (kept.namespace, kept.url_name) == ("complaints", "list")
