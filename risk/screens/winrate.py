"""陪标专业户 and 标王 (Pingdingshan 20): a bidder's wins against what chance gives over its own tenders.

In a tender with k bidders, chance gives each one a 1/k probability to win, so a bidder's wins over its
tenders follow a Poisson-binomial distribution (a sum of Bernoulli(1/k_t)). The test is exact: the
distribution is computed by the discrete Fourier transform of its characteristic function (Hong 2013),
and the tail probability of the observed count is compared with `alpha`.

- 陪标专业户 (cover bidder): at least `min_bids` bids, wins <= cover_max_ratio x expected and
  P(X <= wins) <= alpha: bids a lot, almost never wins, not bidding to win.
- 标王: wins >= king_min_ratio x expected and P(X >= wins) <= alpha.
Score: 50 + 5 x -log10(p), capped at 100."""

from __future__ import annotations

import math

import numpy as np

from risk.screens.base import Finding, times


def poisson_binomial_pmf(probabilities) -> np.ndarray:
    """P(X = k), k = 0..n, for X a sum of independent Bernoulli(p_j)."""
    p = np.asarray(probabilities, dtype=float)
    n = p.size
    if n == 0:
        return np.ones(1)
    omega = 2 * np.pi / (n + 1)
    z = np.exp(1j * omega * np.arange(n + 1))
    # log of prod_j (1 - p_j + p_j z_l), summed in logs so long products do not underflow
    terms = 1 - p[None, :] + p[None, :] * z[:, None]
    chi = np.exp(np.log(terms).sum(axis=1))
    pmf = np.fft.fft(chi).real / (n + 1)
    return np.clip(pmf, 0.0, 1.0)


def tails(probabilities, observed: int) -> tuple[float, float]:
    """(P(X <= observed), P(X >= observed))."""
    pmf = poisson_binomial_pmf(probabilities)
    return float(min(1.0, pmf[: observed + 1].sum())), float(min(1.0, pmf[observed:].sum()))


def screen_win_rate(tenders, th: dict, cols=None) -> list[Finding]:
    from risk.screens.base import Columns

    cols = cols if cols is not None else Columns(tenders)
    if not tenders:
        return []
    # A failed tender (流标, no winner) or a single bid says nothing about chances.
    has_winner = np.bincount(cols.tender, weights=cols.winner, minlength=len(tenders)) > 0
    valid_tender = has_winner & (cols.size >= 2)
    valid = valid_tender[cols.tender]
    p = np.where(valid, 1.0 / np.maximum(cols.size[cols.tender], 1), 0.0)
    n_ids = len(cols.usccs)
    n = np.bincount(cols.bidder, weights=valid, minlength=n_ids)
    expected = np.bincount(cols.bidder, weights=p, minlength=n_ids)
    wins = np.bincount(cols.bidder, weights=cols.winner & valid, minlength=n_ids)
    candidates = np.flatnonzero((n >= th["min_bids"]) & ((wins <= th["cover_max_ratio"] * expected)
                                                         | (wins >= th["king_min_ratio"] * expected)))
    if not len(candidates):
        return []
    order = np.argsort(cols.bidder, kind="stable")
    bounds = np.searchsorted(cols.bidder[order], np.arange(n_ids + 1))
    names = {}
    stats = {}
    for c in candidates.tolist():
        rows = order[bounds[c]:bounds[c + 1]]
        rows = rows[valid[rows]]
        uscc = cols.usccs[c]
        t_idx = cols.tender[rows]
        names[uscc] = tenders[int(t_idx[-1])].bids[int(rows[-1] - cols.start[t_idx[-1]])].name
        stats[uscc] = [names[uscc], int(wins[c]), p[rows].tolist(), [tenders[int(i)].tender_id for i in t_idx]]
    out = []
    for uscc, (name, wins, ps, ids) in stats.items():
        n = len(ps)
        if n < th["min_bids"]:
            continue
        expected = sum(ps)
        cover = wins <= th["cover_max_ratio"] * expected
        king = wins >= th["king_min_ratio"] * expected
        if not (cover or king):
            continue  # the exact test only runs where the effect is large enough to matter
        low, high = tails(ps, wins)
        p = low if cover else high
        if p > th["alpha"]:
            continue
        kind = "cover" if cover else "king"
        score = min(100.0, 50 + 5 * -math.log10(max(p, 1e-300)))
        label = "陪标专业户" if cover else "标王"
        tail = f"中标不超过 {wins} 次" if cover else f"中标不少于 {wins} 次"
        out.append(Finding(
            screen=kind, key=f"{kind}:{uscc}", score=float(round(score, 1)), tenders=ids, bidders=[uscc],
            numbers={"bids": n, "wins": wins, "expected": round(expected, 2), "p_value": p,
                     "win_rate": round(wins / n, 4), "chance_rate": round(expected / n, 4)},
            explanation=f"{name} 投标 {n} 次，中标 {wins} 次（中标率 {wins / n:.1%}）；按各次招标的竞争人数随机预期"
                        f"中标 {times(expected)} 次。随机情况下{tail}的概率为 {p:.1e}，疑似{label}"
                        + ("，投标而不求中标。" if cover else "。")))
    return out
