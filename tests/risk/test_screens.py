"""Each screen on hand-made markets whose answer is known, and honest markets that raise nothing."""

import datetime as dt
import itertools
import math
import random

import pytest

from casework.validators import uscc_with_check
from risk.screens import Bid, Tender, merged, run_all
from risk.screens.fingerprints import screen_fingerprints
from risk.screens.prices import price_statistics, screen_fixed_ratios, screen_prices
from risk.screens.related import screen_related
from risk.screens.rings import screen_rings, screen_rotation
from risk.screens.thresholds import DEFAULTS, problems
from risk.screens.winrate import poisson_binomial_pmf, screen_win_rate, tails
from risk.synthetic import generate

TH = merged(None)
T0 = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NAMES = "甲乙丙丁戊己庚辛壬癸"


def firm(i: int) -> str:
    return uscc_with_check(f"91410300MA{i:07d}")


def bid(i, amount, winner=False, **extra):
    defaults = {"file_fingerprint": f"fp-{i}-{amount}", "ip": f"10.0.{i}.{int(amount) % 250}", "mac": f"mac-{i}",
                "legal_rep": f"代表{i}", "contact_phone": f"1390000{i:04d}", "key_staff": (f"员工{i}",)}
    defaults.update(extra)
    return Bid(uscc=firm(i), name=f"{NAMES[i % 10]}公司{i}", amount=float(amount), winner=winner, **defaults)


def tender(n, bids, estimate=1_000_000.0, ttype="engineering", day=0):
    return Tender(tender_id=f"T{n:04d}", trading_type=ttype, opened_at=T0 + dt.timedelta(days=day),
                  bids=tuple(bids), estimate=estimate)


def honest_market(n_tenders=400, pool=120, seed=1):
    """Independent bidders, prices spread like a competitive market, the lowest bid wins."""
    rng = random.Random(seed)
    out = []
    for n in range(n_tenders):
        firms = rng.sample(range(pool), rng.randint(3, 8))
        est = float(rng.randrange(200_000, 5_000_000))
        amounts = [round(est * (1 - rng.uniform(0, 0.2)), 2) for _ in firms]
        low = min(amounts)
        out.append(tender(n, [bid(f, a, a == low) for f, a in zip(firms, amounts, strict=True)], est, day=n))
    return out


# --- honest markets --------------------------------------------------------------------------------
def test_an_honest_market_raises_nothing():
    assert run_all(honest_market(), TH) == []


def test_an_empty_market_raises_nothing():
    assert run_all([], TH) == []


def test_the_synthetic_market_without_planted_groups_is_quiet_outside_them():
    market = generate(3000, seed=5)
    planted = set().union(*(g for k in ("ring", "rotation", "related", "cover", "king")
                            for g in market.truth[k]))
    for f in run_all(market.tenders, TH):
        if f.screen in ("ring", "rotation", "related", "cover", "king"):
            assert set(f.bidders) & planted, f.explanation


# --- shared fingerprints -----------------------------------------------------------------------------
def test_two_bidders_with_one_file_fingerprint_in_a_tender():
    t = tender(1, [bid(1, 900_000, True, file_fingerprint="abcdef0123456789"),
                   bid(2, 910_000, file_fingerprint="abcdef0123456789"), bid(3, 950_000)])
    [f] = screen_fingerprints([t], TH["fingerprint"])
    assert f.bidders == sorted([firm(1), firm(2)]) and f.tenders == ["T0001"]
    assert "投标文件特征码相同" in f.explanation and f.score == 70


def test_the_same_bidder_twice_or_values_in_different_tenders_are_not_shared():
    a = tender(1, [bid(1, 900_000, True, mac="m1"), bid(2, 950_000, mac="m2")])
    b = tender(2, [bid(3, 900_000, True, mac="m1"), bid(4, 950_000, mac="m4")])
    assert screen_fingerprints([a, b], TH["fingerprint"]) == []


def test_a_shared_phone_is_masked_in_the_explanation():
    t = tender(1, [bid(1, 900_000, True, contact_phone="13812345678"), bid(2, 910_000, contact_phone="13812345678")])
    [f] = screen_fingerprints([t], TH["fingerprint"])
    assert "138****5678" in f.explanation and "13812345678" not in f.explanation


# --- related bidders ----------------------------------------------------------------------------------
def test_firms_sharing_a_legal_representative_that_bid_against_each_other():
    tenders = [tender(1, [bid(1, 900_000, True, legal_rep="张三丰"), bid(2, 920_000, legal_rep="张三丰"), bid(3, 1)]),
               tender(2, [bid(1, 900_000, True, legal_rep="张三丰"), bid(4, 950_000)])]
    [f] = screen_related(tenders, TH["related"])
    assert f.bidders == sorted([firm(1), firm(2)]) and f.tenders == ["T0001"]
    assert "法定代表人相同（张**）" in f.explanation and "张三丰" not in f.explanation


def test_related_firms_that_never_meet_and_common_values_are_not_reported():
    apart = [tender(1, [bid(1, 9e5, True, legal_rep="李四"), bid(5, 1e6)]),
             tender(2, [bid(2, 9e5, True, legal_rep="李四"), bid(6, 1e6)])]
    assert screen_related(apart, TH["related"]) == []
    switchboard = [tender(1, [bid(i, 9e5 + i, i == 0, contact_phone="4000000000") for i in range(8)])]
    assert screen_related(switchboard, TH["related"]) == []


def test_ties_join_transitively_through_key_staff():
    t = tender(1, [bid(1, 9e5, True, key_staff=("王工",)), bid(2, 9.1e5, key_staff=("王工", "赵工")),
                   bid(3, 9.2e5, key_staff=("赵工",)), bid(4, 9.9e5)])
    [f] = screen_related([t], TH["related"])
    assert f.bidders == sorted([firm(1), firm(2), firm(3)])


# --- rings and rotation ----------------------------------------------------------------------------------
def ring_market(rotate: bool, together=11, same_winner=False):
    """Three firms (0, 1, 2) that bid together `together` times inside an honest market."""
    market = honest_market(n_tenders=600, pool=200, seed=3)
    ring = [500, 501, 502]
    rng = random.Random(9)
    for n in range(together):
        others = rng.sample(range(200), 2)
        amounts = {f: 900_000 + rng.randrange(90_000) for f in ring + others}
        if rotate or same_winner:
            winner = ring[n % 3] if rotate else ring[0]
            amounts[winner] = 850_000
        else:
            winner = min(amounts, key=amounts.get)
        market.append(tender(1000 + n, [bid(f, a, f == winner) for f, a in amounts.items()], day=n * 20))
    return market, sorted(firm(i) for i in ring)


def test_a_ring_is_found_with_its_lift_over_chance():
    market, ring = ring_market(rotate=False)
    [f] = screen_rings(market, TH["ring"])
    assert f.bidders == ring
    assert f.numbers["together"] == 11 and f.numbers["expected"] < 0.1 and f.numbers["lift"] > 100
    assert f"共同投标 11 次，随机预期 {f.numbers['expected']:.2g} 次" in f.explanation
    assert {(a, b) for a, b, _ in f.edges} == set(itertools.combinations(ring, 2))


def test_a_ring_that_does_not_take_turns_is_no_rotation():
    market, _ = ring_market(rotate=False, same_winner=True)  # one member always wins: covers, no turns
    assert screen_rotation(market, TH["ring"], TH["rotation"]) == []


def test_a_ring_taking_turns_is_a_rotation():
    market, ring = ring_market(rotate=True)
    [f] = screen_rotation(market, TH["ring"], TH["rotation"])
    assert f.bidders == ring and f.numbers["member_wins"] == 11 and f.numbers["changes"] == 10
    assert "轮流中标" in f.explanation


def test_pairs_below_min_cobids_make_no_ring():
    market, _ = ring_market(rotate=False, together=4)
    assert screen_rings(market, TH["ring"]) == []


# --- win rate ----------------------------------------------------------------------------------------------
def brute_force_pmf(ps):
    pmf = [0.0] * (len(ps) + 1)
    for outcome in itertools.product((0, 1), repeat=len(ps)):
        pmf[sum(outcome)] += math.prod(p if o else 1 - p for p, o in zip(ps, outcome, strict=True))
    return pmf


@pytest.mark.parametrize("ps", [[0.5], [0.2, 0.25, 1 / 3, 0.5], [0.1] * 6 + [0.9] * 4, [1 / k for k in range(2, 14)]])
def test_the_poisson_binomial_is_exact(ps):
    assert poisson_binomial_pmf(ps) == pytest.approx(brute_force_pmf(ps), abs=1e-12)


def test_tails_match_the_binomial_when_chances_are_equal():
    low, high = tails([0.25] * 40, 0)
    assert low == pytest.approx(0.75 ** 40, rel=1e-6) and high == pytest.approx(1.0)


def win_market(wins_of_9: int, n=40):
    """Firm 9 bids in n tenders of 4 against rotating honest firms and wins `wins_of_9` of them."""
    out = []
    for t in range(n):
        others = [10 + (t + j) % 30 for j in range(3)]
        winner = 9 if t < wins_of_9 else others[0]
        out.append(tender(t, [bid(f, 900_000 + f, f == winner) for f in [9, *others]]))
    return out


def test_a_cover_bidder_never_winning_in_forty_bids():
    [f] = [x for x in screen_win_rate(win_market(0), TH["win_rate"]) if x.bidders == [firm(9)]]
    assert f.screen == "cover" and f.numbers["expected"] == 10.0 and f.numbers["p_value"] == pytest.approx(0.75 ** 40)
    assert "投标 40 次，中标 0 次" in f.explanation


def test_a_king_winning_thirty_of_forty():
    [f] = [x for x in screen_win_rate(win_market(30), TH["win_rate"]) if x.bidders == [firm(9)]]
    assert f.screen == "king" and f.numbers["wins"] == 30 and "标王" in f.explanation


def test_chance_level_wins_and_too_few_bids_raise_nothing():
    assert [x for x in screen_win_rate(win_market(10), TH["win_rate"]) if x.bidders == [firm(9)]] == []
    assert [x for x in screen_win_rate(win_market(0, n=15), TH["win_rate"]) if x.bidders == [firm(9)]] == []


# --- prices ---------------------------------------------------------------------------------------------------
def test_price_statistics_by_hand():
    s = price_statistics([100, 110, 120, 130, 140])
    assert s["cv"] == pytest.approx(math.sqrt(250) / 120)
    assert s["rd"] == pytest.approx(10 / math.sqrt(166.6666667))
    assert s["spread"] == pytest.approx(0.4) and s["skewness"] == pytest.approx(0.0)
    assert s["kurtosis"] == pytest.approx(-1.3)


def test_covers_packed_above_a_designated_winner_trip_the_price_screen():
    rigged = tender(1, [bid(1, 940_000, True), bid(2, 962_000), bid(3, 965_000), bid(4, 968_500), bid(5, 971_000)])
    honest = tender(2, [bid(1, 840_000, True), bid(2, 905_000), bid(3, 951_000), bid(4, 882_000), bid(5, 990_000)])
    [f] = screen_prices([rigged, honest], TH["price"])
    assert f.tenders == ["T0001"] and "变异系数" in f.explanation and len(f.numbers["triggers"]) >= 3


def test_four_bids_are_too_few_for_the_price_screen():
    t = tender(1, [bid(1, 940_000, True), bid(2, 962_000), bid(3, 965_000), bid(4, 968_500)])
    assert screen_prices([t], TH["price"]) == []


def test_bids_at_fixed_per_mille_ratios_of_the_estimate():
    t = tender(1, [bid(1, 953_000, True), bid(2, 961_000), bid(3, 968_000), bid(4, 987_654.32)], estimate=1_000_000)
    [f] = screen_fixed_ratios([t], TH["fixed_ratio"])
    assert f.bidders == sorted([firm(1), firm(2), firm(3)]) and "95.3%" in f.explanation
    untouched = tender(2, [bid(1, 953_001.5, True), bid(2, 961_000), bid(3, 968_123)], estimate=1_000_000)
    assert screen_fixed_ratios([untouched], TH["fixed_ratio"]) == []


# --- thresholds as data -----------------------------------------------------------------------------------------
def test_a_profile_overrides_one_threshold_and_keeps_the_rest():
    th = merged({"ring": {"min_cobids": 12}})
    assert th["ring"]["min_cobids"] == 12 and th["ring"]["min_lift"] == DEFAULTS["ring"]["min_lift"]
    market, _ = ring_market(rotate=False)
    assert screen_rings(market, th["ring"]) == []


def test_bad_overrides_are_named():
    assert problems({"ring": {"min_cobids": -1, "nope": 1}, "other": {}}) == [
        "ring.min_cobids：须为非负数", "ring.nope：未知的阈值", "未知的筛查：other"]


def test_keys_are_stable_across_runs():
    market, _ = ring_market(rotate=True)
    first = sorted(f.key for f in run_all(market, TH))
    assert first == sorted(f.key for f in run_all(list(reversed(market)), TH)) and first
