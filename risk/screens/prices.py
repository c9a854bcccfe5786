"""Price screens per tender.

Variance and asymmetry screens (Imhof 2019; Huber & Imhof 2019): collusive bids are packed together
and the designated winner stands apart from its covers. For the bids b_1 <= ... <= b_n of a tender:
- CV = sample standard deviation / mean (low under collusion);
- RD = (b_2 - b_1) / sample standard deviation of the losing bids b_2..b_n (high: a gap before the covers);
- spread = (b_n - b_1) / b_1 (low);
- excess kurtosis m4/m2^2 - 3 and skewness m3/m2^1.5 of the bids (population moments; collusion gives
  a peaked distribution with the winner alone in the left tail: high kurtosis, negative skewness).
Each one past its threshold is a trigger; a tender is reported when CV and RD both trigger (the two
screens Imhof found most telling) and at least `min_triggers` do in all.
Score: 20 per trigger.

Fixed ratios: bids that are an exact multiple of `step` of the estimate (95.0%, 96.2% ...) within
`tolerance_yuan`. Honest prices are not computed from the estimate to the yuan; three or more such bids
in one tender mean someone wrote the prices from one table. Score: 40 + 15 per such bid, capped at 100."""

from __future__ import annotations

import math

from risk.screens.base import Finding, join_names


def price_statistics(amounts) -> dict | None:
    """The five statistics of a tender's bids, or None when they are undefined (fewer than 3 bids,
    or no variation at all)."""
    b = sorted(float(a) for a in amounts)
    n = len(b)
    if n < 3 or b[0] <= 0:
        return None
    mean = sum(b) / n
    var = sum((x - mean) ** 2 for x in b) / (n - 1)
    if var <= 0:
        return None
    sd = math.sqrt(var)
    losers = b[1:]
    lm = sum(losers) / len(losers)
    lsd = math.sqrt(sum((x - lm) ** 2 for x in losers) / (len(losers) - 1)) if len(losers) >= 2 else 0.0
    rd = (b[1] - b[0]) / lsd if lsd > 0 else math.inf
    m2 = var * (n - 1) / n
    m3 = sum((x - mean) ** 3 for x in b) / n
    m4 = sum((x - mean) ** 4 for x in b) / n
    return {"n": n, "cv": sd / mean, "rd": rd, "spread": (b[-1] - b[0]) / b[0],
            "kurtosis": m4 / (m2 * m2) - 3, "skewness": m3 / m2 ** 1.5}


def _fmt(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:.3f}"


def _candidates(tenders, th, cols) -> list[int]:
    """Tenders that may pass the two required triggers, found with numpy per tender size (a superset:
    each is then checked exactly by price_statistics)."""
    import numpy as np

    out = []
    for k in np.unique(cols.size):
        if k < max(3, th["min_bids"]):
            continue
        sel = np.flatnonzero(cols.size == k)
        x = np.sort(cols.amount[cols.start[sel][:, None] + np.arange(k)[None, :]], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = x.std(axis=1, ddof=1) / x.mean(axis=1)
            lsd = x[:, 1:].std(axis=1, ddof=1)
            rd = np.where(lsd > 0, (x[:, 1] - x[:, 0]) / np.where(lsd > 0, lsd, 1), np.inf)
        keep = (x[:, 0] > 0) & (cv <= th["cv_max"] * 1.001) & (rd >= th["rd_min"] * 0.999)
        out.extend(sel[keep].tolist())
    return sorted(out)


def screen_prices(tenders, th: dict, cols=None) -> list[Finding]:
    from risk.screens.base import Columns

    cols = cols if cols is not None else Columns(tenders)
    out = []
    for i in _candidates(tenders, th, cols) if tenders else []:
        t = tenders[i]
        s = price_statistics([b.amount for b in t.bids])
        if s is None:
            continue
        triggers = []
        if s["cv"] <= th["cv_max"]:
            triggers.append(f"变异系数 {s['cv']:.3f} ≤ {th['cv_max']}")
        if s["rd"] >= th["rd_min"]:
            triggers.append(f"最低两价相对距离 {_fmt(s['rd'])} ≥ {th['rd_min']}")
        if s["spread"] <= th["spread_max"]:
            triggers.append(f"极差率 {s['spread']:.1%} ≤ {th['spread_max']:.0%}")
        if s["kurtosis"] >= th["kurtosis_min"]:
            triggers.append(f"峰度 {s['kurtosis']:.2f} ≥ {th['kurtosis_min']}")
        if s["skewness"] <= th["skewness_max"]:
            triggers.append(f"偏度 {s['skewness']:.2f} ≤ {th['skewness_max']}")
        core = s["cv"] <= th["cv_max"] and s["rd"] >= th["rd_min"]
        if not core or len(triggers) < th["min_triggers"]:
            continue
        numbers = {k: (None if isinstance(v, float) and math.isinf(v) else round(v, 4)) for k, v in s.items()}
        numbers["triggers"] = triggers
        out.append(Finding(
            screen="price", key=f"price:{t.tender_id}", score=float(min(100, 20 * len(triggers))),
            tenders=[t.tender_id], bidders=sorted(b.uscc for b in t.bids), numbers=numbers,
            explanation=f"招标 {t.tender_id} 的 {s['n']} 个报价高度集中、最低价与其余报价明显拉开："
                        + "；".join(triggers) + "。符合“陪标报价围绕中标价”的串通报价特征。"))
    return out


def screen_fixed_ratios(tenders, th: dict, cols=None) -> list[Finding]:
    import numpy as np

    from risk.screens.base import Columns

    step, tol = th["step"], th["tolerance_yuan"]
    cols = cols if cols is not None else Columns(tenders)
    if not tenders:
        return []
    est = cols.estimate[cols.tender]
    with np.errstate(divide="ignore", invalid="ignore"):
        grid = np.round(cols.amount / np.where(est > 0, est, 1) / step) * step
    on_grid = (est > 0) & (np.abs(cols.amount - grid * est) <= tol * 1.001) & (grid > 0) & (grid < 2)
    per_tender = np.bincount(cols.tender[on_grid], minlength=len(tenders))
    out = []
    for i in np.flatnonzero(per_tender >= th["min_bids"]).tolist():
        t = tenders[i]
        hits = []
        for b in t.bids:
            ratio = b.amount / t.estimate
            grid = round(ratio / step) * step
            if abs(b.amount - grid * t.estimate) <= tol and 0 < grid < 2:
                hits.append((b, grid))
        if len(hits) < th["min_bids"]:
            continue
        names = {b.uscc: b.name for b in t.bids}
        usccs = sorted(b.uscc for b, _ in hits)
        ratios = "、".join(f"{names[b.uscc]} {g:.1%}" for b, g in sorted(hits, key=lambda h: h[1]))
        out.append(Finding(
            screen="fixed_ratio", key=f"fixed_ratio:{t.tender_id}", score=float(min(100, 40 + 15 * len(hits))),
            tenders=[t.tender_id], bidders=usccs,
            numbers={"estimate": t.estimate, "ratios": {b.uscc: round(g, 6) for b, g in hits}},
            explanation=f"招标 {t.tender_id} 中 {join_names(usccs, names)} 的报价恰为招标控制价的整千分比"
                        f"（{ratios}），误差不超过 {tol} 元，疑似按同一比例表编制报价。"))
    return out
