"""The one "in force on date D" rule, table-driven: the eligibility answer, the black list and the penalty list
read through the same selector, so for every case they agree (start and end boundaries, long-term, serious,
repaired, withdrawn, corrected)."""

import datetime as dt

import pytest

from casework.validators import uscc_with_check
from credit import selectors, services
from tests.conftest import at

D = dt.date
TODAY = D(2026, 6, 15)
CODE = uscc_with_check("91410300MA9F0001X")


def measure(kind, starts, ends, domains=("engineering",)):
    return services.MeasureInput(kind, list(domains), starts, ends)


# name, record kwargs, measures, what happens after recording, date asked, eligible in engineering, black-listed
CASES = [
    ("the day before the start", {"serious": True}, [measure("restriction", D(2026, 6, 20), D(2026, 12, 31))],
     None, D(2026, 6, 19), True, False),
    ("the first day", {"serious": True}, [measure("restriction", D(2026, 6, 20), D(2026, 12, 31))],
     None, D(2026, 6, 20), False, True),
    ("the last day", {"serious": True}, [measure("restriction", D(2026, 6, 1), D(2026, 12, 31))],
     None, D(2026, 12, 31), False, True),
    ("the day after the end", {"serious": True}, [measure("restriction", D(2026, 6, 1), D(2026, 12, 31))],
     None, D(2027, 1, 1), True, False),
    ("long-term", {"serious": True}, [measure("restriction", D(2026, 6, 1), None)],
     None, D(2031, 1, 1), False, True),
    ("a ban starting tomorrow is not listed today", {}, [measure("market_ban", D(2026, 6, 16), None)],
     None, TODAY, True, False),
    ("a ban starting tomorrow is listed tomorrow", {}, [measure("market_ban", D(2026, 6, 16), None)],
     None, D(2026, 6, 16), False, True),
    ("a ban that ended is not listed", {"decided_on": D(2025, 2, 20), "valid_from": D(2025, 2, 20)},
     [measure("market_ban", D(2025, 3, 1), D(2025, 9, 1))], None, TODAY, True, False),
    ("a restriction of a record not serious: restricted, not black-listed", {},
     [measure("restriction", D(2026, 6, 1), None)], None, TODAY, False, False),
    ("another domain only", {"serious": True}, [measure("restriction", D(2026, 6, 1), None, ["procurement"])],
     None, TODAY, True, True),
    ("a serious record without measures is listed for its publication period",
     {"serious": True, "valid_until": D(2026, 12, 31)}, [], None, TODAY, True, True),
    ("... and not after it", {"serious": True, "valid_until": D(2026, 12, 31)}, [], None, D(2027, 1, 1), True, False),
    ("repaired", {"serious": True}, [measure("market_ban", D(2026, 6, 1), None)], "repair", TODAY, True, False),
    ("withdrawn", {"serious": True}, [measure("market_ban", D(2026, 6, 1), None)], "withdraw", TODAY, True, False),
    ("corrected: the ban now ended before D", {"serious": True}, [measure("market_ban", D(2026, 6, 1), None)],
     ("correct", {"measures_ends_on": D(2026, 6, 10)}), TODAY, True, False),
    ("corrected: the ban now runs longer", {"serious": True}, [measure("market_ban", D(2026, 6, 1), D(2026, 6, 10))],
     ("correct", {"measures_ends_on": D(2026, 12, 31)}), TODAY, False, True),
    ("corrected: no longer published, still restricting", {"serious": True},
     [measure("restriction", D(2026, 6, 1), None)], ("correct", {"publishable": False}), TODAY, False, False),
]


@pytest.mark.parametrize("name,record,measures,after,on,eligible,listed", CASES, ids=[c[0] for c in CASES])
def test_eligibility_and_the_lists_agree(frozen, luoyang, bob, name, record, measures, after, on, eligible, listed):
    frozen(at(2026, 6, 15, 10))
    firm = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")
    args = dict(kind="penalty", decision_number="洛建罚〔2026〕7号", decided_on=D(2026, 6, 1), facts="串通投标",
                legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=D(2026, 6, 1))
    args.update(record)
    rec = services.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, measures=measures,
                                   **args)
    if after == "repair":
        services.repair_record(actor=bob, rec=rec, decision="信用修复决定：整改到位")
    elif after == "withdraw":
        services.withdraw_record(actor=bob, rec=rec, reason="原处罚决定被依法撤销")
    elif after:
        services.correct_record(actor=bob, rec=rec, reason="更正措施期限的录入错误", **after[1])

    answer = selectors.eligibility([CODE], "engineering", on)[CODE]
    assert answer.eligible is eligible
    assert (CODE in [r.subject.code for r in selectors.black_list(on=on)]) is listed
    for row in selectors.black_list(on=on):  # each listed measure is in force that day, with its period
        for m in row.in_force:
            assert m.starts_on <= on and (m.ends_on is None or m.ends_on >= on)
    # the answer's restrictions are exactly the engineering measures the lists show as in force
    shown = {(m.kind, m.starts_on, m.ends_on) for m in selectors.measures_in_force(on).filter(domain="engineering")}
    assert {(r.kind, r.starts_on, r.ends_on) for r in answer.restrictions} == shown


def test_the_pages_show_each_measure_with_its_domain_start_and_end(client, frozen, luoyang, bob):
    frozen(at(2026, 6, 15, 10))
    firm = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")
    services.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="penalty",
                             decision_number="洛建罚〔2026〕8号", decided_on=D(2026, 6, 1), facts="串通投标",
                             legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=D(2026, 6, 1),
                             serious=True, measures=[measure("restriction", D(2026, 6, 1), D(2027, 11, 29),
                                                             ["engineering", "procurement"])])
    page = client.get("/credit/blacklist/").content.decode()
    assert "限制参与（工程建设招标投标）2026-06-01 至 2027-11-29" in page
    assert "限制参与（政府采购）2026-06-01 至 2027-11-29" in page
    assert "长期" not in page
    penalties = client.get("/credit/penalties/").content.decode()
    assert "限制参与（工程建设招标投标）2026-06-01 至 2027-11-29" in penalties


def test_a_penalty_whose_publication_period_ended_is_no_longer_listed(client, frozen, luoyang, bob):
    frozen(at(2026, 6, 15, 10))
    firm = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")
    services.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="penalty",
                             decision_number="洛建罚〔2025〕3号", decided_on=D(2025, 1, 10), facts="串通投标",
                             legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=D(2025, 1, 10),
                             valid_until=D(2026, 1, 10))
    assert not selectors.published_penalties(on=TODAY).exists()
    assert selectors.published_penalties(on=D(2026, 1, 10)).count() == 1
    assert "洛建罚〔2025〕3号" not in client.get("/credit/penalties/").content.decode()
