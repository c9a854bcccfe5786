"""Credit on the dashboard, on synthetic data whose right answer is known: records entered per department, pushes
to the credit platform against their clock, expert-ban notices and their acknowledgement, and eligibility checks
that stopped a listed bidder (recorded with the asking department). Also: "received" counts items, not steps."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from casework.validators import uscc_with_check
from credit import services as credit
from credit.models import CreditRecord, CreditSubject, EligibilityQuery, ExpertBanNotice, Measure
from supervision import selectors as sel
from supervision.access import scope_for
from supervision.periods import Period
from tests.conftest import at
from tests.supervision.conftest import make_clock, make_item

Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
LISTED = uscc_with_check("91410300MA9K0007X")
CLEAN = uscc_with_check("91410300MA9K0008X")


def record(dept, subject, number, created, user):
    rec = CreditRecord.objects.create(subject=subject, kind="penalty", department=dept, decision_number=number,
                                      decided_on=created.date(), facts="串通投标", legal_basis="《招标投标法》",
                                      penalty="罚款", valid_from=created.date(), created_by=user)
    CreditRecord.objects.filter(pk=rec.pk).update(created_at=created)
    return rec


@pytest.fixture
def credit_q3(luoyang, alice, bob, carol, dave, erin, frozen):
    """Housing enters r1 (07-10, pushed on time 07-15) and r2 (08-20, pushed late 09-02), and r0 in Q2 (06-30,
    pushed on time 07-02); transport
    enters r4 (09-01, due 09-08, not pushed by the end of Q3). Transport receives two expert-ban notices: 08-05
    (acknowledged on time 08-06) and 09-29 (due 10-08, open). The trading centre's handler (alice) checks a listed
    firm (stopped) and a clean one on 09-10."""
    housing, transport, prtc = luoyang["housing"], luoyang["transport"], luoyang["trading_centre"]
    firm = CreditSubject.objects.create(type="enterprise", code=LISTED, name="洛阳失信建设有限公司")
    person = CreditSubject.objects.create(type="expert", code="EXP-0009", name="张三专家")
    r0 = record(housing, firm, "洛建罚〔2026〕0号", at(2026, 6, 30), bob)
    r1 = record(housing, firm, "洛建罚〔2026〕1号", at(2026, 7, 10), bob)
    r2 = record(housing, person, "洛建罚〔2026〕2号", at(2026, 8, 20), bob)
    r4 = record(transport, firm, "洛交罚〔2026〕4号", at(2026, 9, 1), erin)
    Measure.objects.create(record=r1, subject=firm, kind="restriction", domain="engineering",
                           starts_on=dt.date(2026, 7, 10), ends_on=dt.date(2027, 7, 9))
    c = {
        "p0": make_clock(r0, housing, "credit.penalty_publish", at(2026, 6, 30), dt.date(2026, 7, 7),
                         closed=at(2026, 7, 2)),
        "p1": make_clock(r1, housing, "credit.penalty_publish", at(2026, 7, 10), dt.date(2026, 7, 17),
                         closed=at(2026, 7, 15)),
        "p2": make_clock(r2, housing, "credit.penalty_publish", at(2026, 8, 20), dt.date(2026, 8, 27),
                         closed=at(2026, 9, 2)),
        "p4": make_clock(r4, transport, "credit.penalty_publish", at(2026, 9, 1), dt.date(2026, 9, 8)),
    }
    n1 = ExpertBanNotice.objects.create(record=r2, to_department=transport, pool="construction")
    n2 = ExpertBanNotice.objects.create(record=r2, to_department=transport, pool="construction")
    ExpertBanNotice.objects.filter(pk=n1.pk).update(created_at=at(2026, 8, 5), acknowledged_at=at(2026, 8, 6))
    ExpertBanNotice.objects.filter(pk=n2.pk).update(created_at=at(2026, 9, 29))
    c["b1"] = make_clock(n1, transport, "credit.expert_ban_notify", at(2026, 8, 5), dt.date(2026, 8, 7),
                         closed=at(2026, 8, 6))
    c["b2"] = make_clock(n2, transport, "credit.expert_ban_notify", at(2026, 9, 29), dt.date(2026, 10, 8))
    frozen(at(2026, 9, 10, 10))
    answers = credit.check_eligibility(actor=alice, codes=[LISTED, CLEAN], domain="engineering", bulk=True,
                                       project_code="LYGC-2026-77")
    assert answers[LISTED].eligible is False and answers[CLEAN].eligible is True
    from supervision.rollup import refresh

    refresh(dt.date(2026, 6, 1), dt.date(2026, 10, 31))
    c.update(r1=r1, r2=r2, r4=r4, n1=n1, n2=n2, prtc=prtc)
    return c


def login(client, user):
    client.force_login(user)
    return client


def credit_rows(user):
    return {r.department.code: r for r in sel.dashboard(scope_for(user), Q3).rows if r.mechanism == "credit"}


def test_a_stopping_check_records_the_asking_department_and_an_eligible_one_costs_nothing(credit_q3, luoyang):
    stopped = EligibilityQuery.objects.get(subject_code=LISTED)
    assert stopped.department == luoyang["trading_centre"] and not stopped.eligible
    assert EligibilityQuery.objects.get(subject_code=CLEAN).department is None


def test_every_credit_figure(credit_q3, dave, frozen):
    frozen(at(2026, 10, 15))
    rows = credit_rows(dave)
    h, t = rows["LY-HOUSING"], rows["LY-TRANSPORT"]
    prtc = rows[credit_q3["prtc"].code]
    # r0 was entered in Q2 but pushed (on time) on 07-02: a push counts in the period it is made
    assert (h.records, h.push_on_time, h.push_late, h.push_overdue) == (2, 2, 1, 0)
    assert (h.ban_notices, h.ban_on_time, h.ban_late, h.stopped) == (0, 0, 0, 0)
    assert (t.records, t.push_on_time, t.push_late, t.push_overdue) == (1, 0, 0, 1)   # r4 due 09-08, not pushed
    assert (t.ban_notices, t.ban_on_time, t.ban_late, t.ban_overdue) == (2, 1, 0, 0)  # n2 due 10-08: not yet
    assert prtc.stopped == 1 and prtc.records == 0
    frozen(at(2026, 10, 9, 10))  # the current quarter: n2's acknowledgement is now overdue
    now = sel.dashboard(scope_for(dave), Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), mechanism="credit")
    t = next(r for r in now.rows if r.department.code == "LY-TRANSPORT")
    assert (t.ban_overdue, t.push_overdue, t.records) == (1, 1, 0)


def test_credit_drill_downs_list_the_items(credit_q3, dave, luoyang, frozen):
    frozen(at(2026, 10, 15))
    housing, transport = [luoyang["housing"].id], [luoyang["transport"].id]
    assert [r.pk for r in sel.drill_credit(housing, Q3, "records")] == [credit_q3["r2"].pk, credit_q3["r1"].pk]
    pushed = {c.pk for c in sel.drill_clocks(housing, Q3, "push_on_time", None)}
    assert pushed == {credit_q3["p0"].pk, credit_q3["p1"].pk}
    assert {c.pk for c in sel.drill_clocks(housing, Q3, "push_late", None)} == {credit_q3["p2"].pk}
    assert {c.pk for c in sel.drill_clocks(transport, Q3, "push_overdue", None)} == {credit_q3["p4"].pk}
    assert {n.pk for n in sel.drill_credit(transport, Q3, "ban_notices")} == {credit_q3["n1"].pk, credit_q3["n2"].pk}
    assert {c.pk for c in sel.drill_clocks(transport, Q3, "ban_on_time", None)} == {credit_q3["b1"].pk}
    assert [q.subject_code for q in sel.drill_credit([credit_q3["prtc"].id], Q3, "stopped")] == [LISTED]


def test_credit_panel_links_to_the_items_and_exports(client, credit_q3, dave, frozen):
    frozen(at(2026, 10, 15))
    login(client, dave)
    html = client.get("/supervision/dashboard/?from=2026-07-01&to=2026-09-30").content.decode()
    panel = html.split('id="credit"')[1].split("</section>")[0]
    row = panel.split('data-department="LY-HOUSING"')[1].split("</tr>")[0]
    assert 'data-metric="records"' in row and "metric=records\">2</a>" in row and "66.7%" in row
    items = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department=LY-HOUSING"
                       "&metric=records").content.decode()
    assert "洛建罚〔2026〕1号" in items and "洛建罚〔2026〕0号" not in items
    assert "张三专家" not in items and "张*" in items              # an expert's name is masked on the dashboard
    stopped = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department="
                         f"{credit_q3['prtc'].code}&metric=stopped").content.decode()
    assert LISTED in stopped and "LYGC-2026-77" in stopped
    wb = load_workbook(io.BytesIO(client.get("/supervision/dashboard/?from=2026-07-01&to=2026-09-30"
                                             "&format=xlsx").content))
    sheet = {r[0]: r for r in wb["信用惩戒"].iter_rows(values_only=True)}
    assert sheet["LY-HOUSING"][2:7] == (2, 2, 1, 0, "66.7%") and sheet[credit_q3["prtc"].code][-1] == 1
    xlsx = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department=LY-TRANSPORT"
                      "&metric=ban_notices&format=xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 3


def test_a_department_leader_sees_own_credit_row_and_the_city_average(client, credit_q3, carol, frozen):
    frozen(at(2026, 10, 15))
    assert set(credit_rows(carol)) == {"LY-HOUSING"}
    html = login(client, carol).get("/supervision/dashboard/?from=2026-07-01&to=2026-09-30").content.decode()
    assert 'data-average="credit"' in html and 'data-department="LY-TRANSPORT"' not in html


def test_received_counts_an_item_once_however_many_steps(luoyang, alice, dave, frozen):
    """One case with three steps (clocks) in housing's referrals in Q3, and a second case with one: two items
    received. Its later steps in Q4 do not make it received again; in transport it is a new item received."""
    from supervision.rollup import refresh

    housing, transport, prtc = luoyang["housing"], luoyang["transport"], luoyang["trading_centre"]
    case = make_item(housing, prtc, alice, "多环节的线索")
    for day in (3, 10, 17):
        make_clock(case, housing, "referral.return", at(2026, 8, day), dt.date(2026, 8, day + 3))
    make_clock(make_item(housing, prtc, alice, "单环节的线索"), housing, "referral.return", at(2026, 8, 4),
               dt.date(2026, 8, 7))
    make_clock(case, housing, "referral.return", at(2026, 10, 12), dt.date(2026, 10, 15))
    make_clock(case, transport, "referral.return", at(2026, 10, 12), dt.date(2026, 10, 15))
    frozen(at(2026, 10, 20))
    refresh(dt.date(2026, 8, 1), dt.date(2026, 10, 20))
    scope = scope_for(dave)
    rows = {(r.department.code, r.mechanism): r for r in sel.dashboard(scope, Q3).rows}
    assert rows[("LY-HOUSING", "referral")].received == 2 and rows[("LY-HOUSING", "referral")].open == 4
    q4 = {(r.department.code, r.mechanism): r.received
          for r in sel.dashboard(scope, Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))).rows}
    assert q4 == {("LY-HOUSING", "referral"): 0, ("LY-TRANSPORT", "referral"): 1}
    year = sel.dashboard(scope, Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), department=housing)
    assert year.total.received == 2
    assert len(sel.drill_clocks([housing.id], Q3, "received", "referral")) == 2


def test_the_quarterly_report_carries_the_credit_figures(credit_q3, luoyang, frozen):
    from supervision import reports

    frozen(at(2026, 10, 15))
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    data = reports.build_data(office, Q3)
    assert {d["code"]: d["records"] for d in data["credit"]} == {"LY-HOUSING": 2, "LY-TRANSPORT": 1,
                                                                   credit_q3["prtc"].code: 0}
    _title, paras = reports.draft_paragraphs(office, data)
    assert ("信用惩戒方面，各单位录入信用记录3条；向信用平台报送按期2条、超期1条，季度末逾期未报送1条；收到专家禁入相互"
            "通报2件，按期确认1件、超期确认0件；资格核查拦截失信主体1次。") in "".join(paras)
    sheet = {r[0]: r for r in load_workbook(io.BytesIO(reports.xlsx_bytes(data)))["信用惩戒"].iter_rows(
        values_only=True)}
    assert sheet["LY-TRANSPORT"][2:] == (1, 0, 0, 1, 2, 1, 0, 0, 0)


def test_push_and_notice_clock_lists_name_the_record_with_persons_masked(client, credit_q3, dave, frozen):
    frozen(at(2026, 10, 15))
    base = "/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department="
    late = login(client, dave).get(base + "LY-HOUSING&metric=push_late").content.decode()
    assert f'data-clock="{credit_q3["p2"].pk}"' in late and "洛建罚〔2026〕2号" in late
    assert "张三专家" not in late and "张*" in late
    bans = client.get(base + "LY-TRANSPORT&metric=ban_on_time").content.decode()
    assert "专家禁入通报：张*" in bans and "ExpertBanNotice" not in bans


def test_a_credit_clock_list_reads_the_subjects_in_a_fixed_number_of_queries(credit_q3, django_assert_max_num_queries):
    from supervision.views import _clock_item, _with_subjects

    clocks = list(sel.drill_clocks([credit_q3["p1"].department_id], Period(dt.date(2026, 6, 1),
                                                                           dt.date(2026, 9, 30)), "received", None))
    assert len(clocks) == 3
    with django_assert_max_num_queries(3):
        names = [_clock_item(c)["name"] for c in _with_subjects(clocks)]
    assert all(n.startswith("行政处罚：") for n in names)
