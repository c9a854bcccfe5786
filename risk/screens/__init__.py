"""The screens: pure functions from tenders (risk.screens.base.Tender) and thresholds to findings.

    findings = run_all(tenders, thresholds.merged(profile_overrides))

Each module documents its statistic, its default thresholds live in thresholds.DEFAULTS."""

from __future__ import annotations

from risk.screens.base import Bid, Finding, Tender
from risk.screens.fingerprints import screen_fingerprints
from risk.screens.prices import screen_fixed_ratios, screen_prices
from risk.screens.related import screen_related
from risk.screens.rings import find_rings, screen_rings, screen_rotation
from risk.screens.thresholds import DEFAULTS, merged
from risk.screens.winrate import screen_win_rate

SCREENS = ("fingerprint", "related", "ring", "rotation", "cover", "king", "price", "fixed_ratio")


def run_all(tenders, th: dict | None = None, timings: dict | None = None) -> list[Finding]:
    """Every screen over `tenders`; `timings`, if given, gets the seconds each took."""
    import gc

    th = th or merged(None)
    # The screens build millions of small containers and no reference cycles; the cyclic collector would
    # rescan them over and over (cost growing faster than the data), so it waits until the run is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(tenders, th, timings)
    finally:
        if collecting:
            gc.enable()


def _run(tenders, th, timings) -> list[Finding]:
    import time

    out: list[Finding] = []

    def timed(name, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        return result

    from risk.screens.base import Columns

    cols = timed("columns", Columns, tenders)
    out += timed("fingerprint", screen_fingerprints, tenders, th["fingerprint"])
    out += timed("related", screen_related, tenders, th["related"])
    rings = timed("ring", find_rings, tenders, th["ring"], cols)
    out += timed("ring", screen_rings, tenders, th["ring"], rings)
    out += timed("rotation", screen_rotation, tenders, th["ring"], th["rotation"], rings)
    out += timed("win_rate", screen_win_rate, tenders, th["win_rate"], cols)
    out += timed("price", screen_prices, tenders, th["price"], cols)
    out += timed("fixed_ratio", screen_fixed_ratios, tenders, th["fixed_ratio"], cols)
    return out


__all__ = ["Bid", "DEFAULTS", "Finding", "SCREENS", "Tender", "merged", "run_all"]
