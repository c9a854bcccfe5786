"""The pure draw: reproducible from (inputs, seed), different with another seed, fair over many seeds with exact
per-stratum counts, conflicts never drawn, and bad inputs refused with a message naming what is wrong.
No database."""

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import pytest

from inspections import drawing

N_SEEDS = 2000
ALPHA = 0.001  # family-wise false-alarm rate of a fairness check


def seeds(n=N_SEEDS):
    return [hashlib.sha256(f"fairness-{i}".encode()).hexdigest() for i in range(n)]


def inputs(high=20, medium=30, low=40, ratios=("30", "10", "5"), team=None, inspectors=None, conflicts=None):
    return {
        "algorithm": drawing.ALGORITHM,
        "strata": [{"level": "high", "ratio": ratios[0], "candidates": [f"H{i:03d}" for i in range(high)]},
                   {"level": "medium", "ratio": ratios[1], "candidates": [f"M{i:03d}" for i in range(medium)]},
                   {"level": "low", "ratio": ratios[2], "candidates": [f"L{i:03d}" for i in range(low)]}],
        "team": team if team is not None else [{"speciality": "housing", "label": "房屋建筑和市政工程", "count": 2}],
        "inspectors": inspectors if inspectors is not None else [
            {"id": i, "specialities": ["housing"]} for i in range(1, 9)],
        "conflicts": conflicts or {},
    }


def tolerance(p: float, n: int, m: int) -> float:
    """Half-width of the acceptance band for m binomial frequencies (n trials, probability p each), with a
    Bonferroni-corrected two-sided normal bound: all m fall inside with probability >= 1 - ALPHA."""
    z = NormalDist().inv_cdf(1 - ALPHA / (2 * m))
    return z * math.sqrt(p * (1 - p) / n)


def frequencies_within_band(counts: dict, p: float, n: int) -> list:
    band = tolerance(p, n, len(counts))
    return [(code, c / n) for code, c in counts.items() if abs(c / n - p) > band]


# --- reproducibility ----------------------------------------------------------------------------------
def test_same_inputs_and_seed_give_the_identical_result_and_another_seed_does_not():
    data = inputs()
    first = drawing.draw(data, "a1" * 32)
    again = drawing.draw(json.loads(json.dumps(data)), "a1" * 32)  # after a round trip through storage
    assert drawing.canonical(first) == drawing.canonical(again)
    other = drawing.draw(data, "b2" * 32)
    assert [t["code"] for t in other["targets"]] != [t["code"] for t in first["targets"]]
    assert drawing.verify({"seed": "a1" * 32, "inputs": data, "result": first}) == (True, first, "")
    ok, _, why = drawing.verify({"seed": "b2" * 32, "inputs": data, "result": first})
    assert not ok and "不一致" in why


def test_the_draw_does_not_depend_on_python_randomness_or_state():
    data = inputs()
    import random

    random.seed(1)
    first = drawing.draw(data, "seed")
    random.seed(2)
    assert drawing.draw(data, "seed") == first
    # The lottery number is documented: anyone can recompute it by hand.
    code = first["strata"][0]["selected"][0]
    expected = hashlib.sha256(f"sjyg-v1|seed|stratum:high|{code}".encode()).hexdigest()
    assert first["targets"][0]["lottery"] == expected


def test_standalone_command_re_runs_a_record_without_django(tmp_path):
    data = inputs()
    record = {"seed": "cafe" * 16, "inputs": data, "result": drawing.draw(data, "cafe" * 16)}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    ok = subprocess.run([sys.executable, "-m", "inspections.drawing", str(path)], cwd=root, env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "一致" in ok.stdout
    record["seed"] = "beef" * 16
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "inspections.drawing", str(path)], cwd=root, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "不一致" in bad.stdout


# --- quotas ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("population,ratio,expected", [
    (0, "30", 0), (10, "0", 0), (1, "5", 1), (7, "5", 1), (10, "30", 3), (7, "30", 2), (15, "10", 2),
    (14, "10", 1), (25, "10", 3), (3, "100", 3), (9, "33.33", 3), (40, "5", 2), (5, "99.99", 5)])
def test_quota_rounds_half_up_with_at_least_one(population, ratio, expected):
    assert drawing.quota(population, ratio) == expected


# --- fairness -------------------------------------------------------------------------------------------
def test_each_object_is_drawn_with_its_stratum_probability_and_counts_are_exact():
    data = inputs()
    counts = {c: 0 for s in data["strata"] for c in s["candidates"]}
    for seed in seeds():
        result = drawing.draw(data, seed)
        quotas = {s["level"]: s["quota"] for s in result["strata"]}
        assert quotas == {"high": 6, "medium": 3, "low": 2}
        for s in result["strata"]:
            assert len(s["selected"]) == len(set(s["selected"])) == s["quota"]
        levels = [t["level"] for t in result["targets"]]
        assert levels.count("high") == 6 and levels.count("medium") == 3 and levels.count("low") == 2
        for t in result["targets"]:
            counts[t["code"]] += 1
    for prefix, p in (("H", 6 / 20), ("M", 3 / 30), ("L", 2 / 40)):
        stratum = {c: n for c, n in counts.items() if c.startswith(prefix)}
        assert frequencies_within_band(stratum, p, N_SEEDS) == [], f"{prefix}: outside {tolerance(p, N_SEEDS, 20):.4f}"
    # 30 % of 20 high-risk objects: each is drawn with frequency close to the ratio itself.
    high = [n / N_SEEDS for c, n in counts.items() if c.startswith("H")]
    assert max(abs(f - 0.30) for f in high) <= tolerance(0.30, N_SEEDS, 20)


def test_the_fairness_band_is_tight_enough_to_catch_a_biased_draw():
    """The same check, fed a draw that favours early candidates only slightly, must fail."""
    counts = {f"H{i:03d}": 0 for i in range(20)}
    for i, seed in enumerate(seeds()):
        ranked = drawing.pick(seed, "stratum:high", list(counts), 7)
        chosen = [c for c, _ in ranked][:6]
        if i % 4 == 0 and "H000" not in chosen:  # a quarter of the time, swap in the first candidate
            chosen[-1] = "H000"
        for c in chosen:
            counts[c] += 1
    assert [c for c, _ in frequencies_within_band(counts, 0.30, N_SEEDS)] == ["H000"]


def test_inspectors_are_drawn_evenly_among_the_eligible_and_conflicts_never():
    data = inputs(high=3, medium=0, low=0, ratios=("100", "0", "0"),
                  inspectors=[{"id": i, "specialities": ["housing"]} for i in range(1, 7)],
                  conflicts={"H000": [[1, "所在单位为该项目的行政监督部门"], [2, "申报关联"]]})
    counts = {i: 0 for i in range(1, 7)}
    for seed in seeds():
        for t in drawing.draw(data, seed)["targets"]:
            ids = [m["id"] for m in t["inspectors"]]
            assert len(ids) == len(set(ids)) == 2
            if t["code"] == "H000":
                assert not {1, 2} & set(ids)
                for i in ids:
                    counts[i] += 1
    assert counts[1] == counts[2] == 0
    eligible = {i: counts[i] for i in range(3, 7)}
    assert frequencies_within_band(eligible, 2 / 4, N_SEEDS) == []


def test_team_by_speciality_takes_no_one_twice_and_names_the_missing_speciality():
    team = [{"speciality": "housing", "label": "房屋建筑和市政工程", "count": 1},
            {"speciality": "agency", "label": "招标代理", "count": 1}]
    people = [{"id": 1, "specialities": ["housing", "agency"]}, {"id": 2, "specialities": ["agency"]},
              {"id": 3, "specialities": ["housing"]}]
    for seed in seeds(200):
        for t in drawing.draw(inputs(high=2, medium=0, low=0, team=team, inspectors=people), seed)["targets"]:
            ids = [m["id"] for m in t["inspectors"]]
            assert len(set(ids)) == 2 and [m["speciality"] for m in t["inspectors"]] == ["housing", "agency"]
    with pytest.raises(drawing.DrawError, match="专长“招标代理”可抽取的执法人员不足：检查对象 H00[01] 需要 1") as exc:
        drawing.draw(inputs(high=2, medium=0, low=0, team=team, inspectors=people[:1],
                            ratios=("100", "0", "0")), "s")
    assert exc.value.field == "team"


# --- bad input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change,field,message", [
    (lambda d: d.update(algorithm="v0"), "algorithm", "算法版本"),
    (lambda d: d["strata"].pop(), "strata", "high、medium、low"),
    (lambda d: d["strata"][0].update(ratio="120"), "ratio_high", "0 到 100"),
    (lambda d: d["strata"][1].update(ratio="abc"), "ratio_medium", "不是数字"),
    (lambda d: d["strata"][2]["candidates"].append("H001"), "strata.low", "候选对象重复：H001"),
    (lambda d: d["team"][0].update(count=0), "team.0", "正整数"),
    (lambda d: d["inspectors"].append({"id": 1, "specialities": []}), "inspectors", "重复"),
    (lambda d: [s.update(ratio="0") for s in d["strata"]], "strata", "没有可抽取的检查对象"),
])
def test_bad_inputs_are_refused_naming_the_field(change, field, message):
    data = inputs()
    change(data)
    with pytest.raises(drawing.DrawError, match=message) as exc:
        drawing.draw(data, "seed")
    assert exc.value.field == field


def test_missing_seed_is_refused():
    with pytest.raises(drawing.DrawError, match="随机种子") as exc:
        drawing.draw(inputs(), " ")
    assert exc.value.field == "seed"
