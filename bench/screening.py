"""Risk screening on a seeded synthetic market: recall and precision of each screen against the
planted groups at the default thresholds, and the run time (also at a quarter and half of the size,
to show how the cost grows). Prints figures; asserts nothing about time.

    .venv/bin/python bench/screening.py                 # 100,000 tenders (about 600,000 bids)
    .venv/bin/python bench/screening.py --smoke         # 3,000 tenders, seconds
    .venv/bin/python bench/screening.py --tenders 20000 --seed 7

A planted group counts as found when a warning of its screen names a set of bidders with a Jaccard
similarity of at least 0.5 to it (one tender for the per-tender screens); a warning counts as correct
when it matches a planted group of its screen. cover and king are reported together as win_rate."""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from risk.screens import merged, run_all  # noqa: E402
from risk.synthetic import generate  # noqa: E402

GROUP_SCREENS = ("ring", "rotation", "related", "cover", "king")
TENDER_SCREENS = ("fingerprint", "price", "fixed_ratio")


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def evaluate(market, findings) -> dict[str, tuple[int, int, int, int]]:
    """screen -> (planted, found, warnings, correct warnings)."""
    out = {}
    for screen in GROUP_SCREENS + TENDER_SCREENS:
        mine = [f for f in findings if f.screen == screen]
        truth = market.truth[screen]
        if screen in TENDER_SCREENS:
            planted = set(truth)
            flagged = {f.tenders[0] for f in mine}
            out[screen] = (len(planted), len(planted & flagged), len(flagged), len(planted & flagged))
        else:
            groups = [frozenset(f.bidders) for f in mine]
            found = sum(1 for g in truth if any(jaccard(g, w) >= 0.5 for w in groups))
            correct = sum(1 for w in groups if any(jaccard(g, w) >= 0.5 for g in truth))
            out[screen] = (len(truth), found, len(groups), correct)
    return out


def run(n_tenders: int, seed: int, verbose: bool = True):
    start = time.perf_counter()
    market = generate(n_tenders, seed)
    generated = time.perf_counter() - start
    timings: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    findings = run_all(market.tenders, merged(None), timings=timings)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if verbose:
        print(f"市场：{len(market.tenders):,} 次招标，{market.bids:,} 个投标（生成 {generated:.1f} s，种子 {seed}）")
    return market, findings, elapsed, timings, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--smoke", action="store_true", help="3,000 tenders, no scaling runs")
    args = parser.parse_args()
    n = 3000 if args.smoke else args.tenders
    market, findings, elapsed, timings, cpu = run(n, args.seed)
    print(f"{'screen':<12}{'planted':>8}{'found':>7}{'warnings':>9}{'correct':>8}{'recall':>8}{'precision':>10}")
    ok = True
    for screen, (planted, found, warned, correct) in evaluate(market, findings).items():
        recall = found / planted if planted else 1.0
        precision = correct / warned if warned else 1.0
        ok &= recall >= 0.9 and precision >= 0.8
        print(f"{screen:<12}{planted:>8}{found:>7}{warned:>9}{correct:>8}{recall:>8.1%}{precision:>10.1%}")
    print("时间：" + "，".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    print(f"全部筛查 {elapsed:.2f} s，本进程 CPU {cpu:.2f} s"
          f"（{len(market.tenders):,} 次招标，{market.bids:,} 个投标；"
          f"每千次招标 {1000 * elapsed / len(market.tenders):.3f} s）")
    load = os.getloadavg()[0]
    print(f"机器负载（1 分钟平均）{load:.1f}，{os.cpu_count()} 核：负载高于核数时墙钟时间含等待 CPU 的时间")
    print("目标：召回率 ≥ 90%、精确率 ≥ 80%：" + ("达到" if ok else "未达到"))
    if not args.smoke:
        for part in (4, 2):
            size = n // part
            m, _, t, _, c = run(size, args.seed, verbose=False)
            print(f"规模 {size:>7,} 次招标 / {m.bids:>9,} 个投标：{t:.2f} s，CPU {c:.2f} s"
                  f"（每千次招标 CPU {1000 * c / size:.3f} s）")


if __name__ == "__main__":
    main()
