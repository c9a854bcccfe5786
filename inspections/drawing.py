"""The random draw of 双随机一公开, as a pure function: `draw(inputs, seed) -> result`.

No database, no clock, no Django: everything the draw depends on is in `inputs` (the exact ordered candidate
lists, ratios, team sizes, conflicts of interest, the algorithm version) and `seed`. Anyone holding a draw's
record can re-run it, here or with the standalone command

    python -m inspections.drawing record.json

and must get the identical result; a different seed gives a different result.

Algorithm sjyg-v1
-----------------
Lottery number of an item in a step: SHA-256 of the UTF-8 text ``sjyg-v1|<seed>|<step>|<item>`` as a
hexadecimal string. A step picks the k items with the smallest lottery numbers (ties, which do not occur in
practice, go to the earlier item in the list). With a uniformly random seed every k-subset is equally likely,
so each item of a list of n is picked with probability k/n, whatever the order of the list.

1. Objects, per risk stratum (高, 中, 低; step ``stratum:<level>``): the stratum's quota is
   population × ratio ÷ 100 rounded half up (0.5 goes up), at least 1 when the stratum has objects and its
   ratio is above 0, at most the population; 0 when the ratio is 0.
2. Inspectors, per drawn object and per required speciality in the order the plan lists them (step
   ``team:<object code>:<speciality>``): from the inspectors having that speciality, less those with a conflict
   of interest for that object and those already on its team, pick the required count. Too few → DrawError
   naming the speciality and the object.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from fractions import Fraction

ALGORITHM = "sjyg-v1"
LEVELS = ("high", "medium", "low")
LEVEL_LABELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
ROUNDING = "按比例计算后四舍五入取整；层内有对象且比例大于0时至少抽取1个，最多不超过层内对象数"


# The same, for readers of the public page.
DESCRIPTION = (
    "1. 抽签号：对每一步的每个候选编号，计算“sjyg-v1|随机种子|步骤|编号”（UTF-8）的 SHA-256 十六进制值；"
    "每一步取抽签号最小的 k 个（抽签号相同时取列表中靠前者，实际不会发生）。随机种子均匀随机时，任意 k 个的组合"
    "被抽中的可能性相同，n 个候选中每个被抽中的概率都是 k/n，与候选名单的顺序无关。\n"
    "2. 检查对象：按高、中、低风险层分别抽取（步骤“stratum:层”）。每层抽取数 = 候选数 × 比例 ÷ 100，"
    "四舍五入取整；层内有对象且比例大于 0 时至少 1 个，最多不超过候选数；比例为 0 时不抽取。\n"
    "3. 执法人员：对每个抽中的对象，按计划列出的专长依次抽取（步骤“team:对象编号:专长”），候选为具备该专长、"
    "与该对象无利益冲突、且尚未入组的执法人员；人数不足时抽取失败，并指明专长和对象。\n"
    "4. 结果只取决于随机种子和记录的输入：用同一记录重新运行，结果必然相同；换一个种子，结果随之改变。"
    "也可下载记录后用命令 python -m inspections.drawing 记录.json 自行核验。"
)


class DrawError(ValueError):
    """The inputs cannot be drawn from. `field` names what is wrong (for forms and API errors)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def canonical(value) -> str:
    """The one JSON text of a value that every hash is taken over."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def lottery(seed: str, step: str, item: str) -> str:
    return hashlib.sha256(f"{ALGORITHM}|{seed}|{step}|{item}".encode()).hexdigest()


def pick(seed: str, step: str, items: list[str], k: int) -> list[tuple[str, str]]:
    """The k items with the smallest lottery numbers, smallest first, as (item, lottery number)."""
    ranked = sorted(((lottery(seed, step, item), i, item) for i, item in enumerate(items)))
    return [(item, number) for number, _, item in ranked[:k]]


def parse_ratio(raw, field: str = "ratio") -> Fraction:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise DrawError(field, f"抽查比例“{raw}”不是数字") from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise DrawError(field, f"抽查比例须在 0 到 100 之间，收到 {raw}")
    return Fraction(value)


def quota(population: int, ratio) -> int:
    """How many objects a stratum of `population` gives at `ratio` percent (rule stated in ROUNDING)."""
    r = parse_ratio(ratio)
    if population <= 0 or r == 0:
        return 0
    k = int(Fraction(population) * r / 100 + Fraction(1, 2))  # floor(x + 1/2): half up
    return min(population, max(1, k))


def _check(inputs, seed) -> None:
    if not isinstance(seed, str) or not seed.strip():
        raise DrawError("seed", "缺少随机种子（seed）")
    if not isinstance(inputs, dict):
        raise DrawError("inputs", "抽取输入须为对象")
    if inputs.get("algorithm") != ALGORITHM:
        raise DrawError("algorithm", f"算法版本“{inputs.get('algorithm')}”无法执行，本程序执行 {ALGORITHM}")
    strata = inputs.get("strata")
    levels = [s.get("level") if isinstance(s, dict) else None for s in strata] if isinstance(strata, list) else []
    if levels != list(LEVELS):
        raise DrawError("strata", "strata 须依次列出 high、medium、low 三个风险层")
    seen: set[str] = set()
    for s in strata:
        candidates = s.get("candidates")
        if not isinstance(candidates, list) or not all(isinstance(c, str) and c for c in candidates):
            raise DrawError(f"strata.{s['level']}", f"{LEVEL_LABELS[s['level']]}层的候选对象须为编号列表")
        dup = seen.intersection(candidates) | {c for c, n in Counter(candidates).items() if n > 1}
        if dup:
            raise DrawError(f"strata.{s['level']}", f"候选对象重复：{'、'.join(sorted(dup))}")
        seen.update(candidates)
        parse_ratio(s.get("ratio"), f"ratio_{s['level']}")
    team = inputs.get("team")
    if not isinstance(team, list):
        raise DrawError("team", "team 须为列表")
    for i, slot in enumerate(team):
        if not isinstance(slot, dict) or not isinstance(slot.get("speciality"), str):
            raise DrawError(f"team.{i}", "每个执法人员要求须有专长（speciality）")
        if not isinstance(slot.get("count"), int) or slot["count"] < 1:
            raise DrawError(f"team.{i}", "每个专长的抽取人数须为正整数")
    inspectors = inputs.get("inspectors")
    if not isinstance(inspectors, list) or not all(
            isinstance(p, dict) and isinstance(p.get("id"), int) and isinstance(p.get("specialities"), list)
            for p in inspectors):
        raise DrawError("inspectors", "inspectors 须为含 id 和 specialities 的列表")
    if len({p["id"] for p in inspectors}) != len(inspectors):
        raise DrawError("inspectors", "执法人员名单中有重复")
    if not isinstance(inputs.get("conflicts", {}), dict):
        raise DrawError("conflicts", "conflicts 须为以对象编号为键的对象")


def draw(inputs: dict, seed: str) -> dict:
    """Draw objects per risk stratum and a team of inspectors per object. Deterministic in (inputs, seed)."""
    _check(inputs, seed)
    strata_out, targets = [], []
    for s in inputs["strata"]:
        k = quota(len(s["candidates"]), s["ratio"])
        chosen = pick(seed, f"stratum:{s['level']}", s["candidates"], k)
        strata_out.append({"level": s["level"], "population": len(s["candidates"]), "ratio": str(s["ratio"]),
                           "quota": k, "selected": [code for code, _ in chosen]})
        targets += [{"code": code, "level": s["level"], "lottery": number} for code, number in chosen]
    if not targets:
        raise DrawError("strata", "按所设比例没有可抽取的检查对象（名录库范围内没有项目，或比例均为 0）")
    conflicts = inputs.get("conflicts") or {}
    for target in targets:
        excluded = {entry[0] if isinstance(entry, list) else entry for entry in conflicts.get(target["code"], [])}
        on_team: set[int] = set()
        team = []
        for slot in inputs["team"]:
            speciality, count = slot["speciality"], slot["count"]
            eligible = [str(p["id"]) for p in inputs["inspectors"]
                        if speciality in p["specialities"] and p["id"] not in excluded and p["id"] not in on_team]
            if len(eligible) < count:
                label = slot.get("label") or speciality
                raise DrawError("team", f"专长“{label}”可抽取的执法人员不足：检查对象 {target['code']} "
                                        f"需要 {count} 名，排除利益冲突和已入组人员后仅有 {len(eligible)} 名")
            for pid, number in pick(seed, f"team:{target['code']}:{speciality}", eligible, count):
                on_team.add(int(pid))
                team.append({"id": int(pid), "speciality": speciality, "lottery": number})
        target["inspectors"] = team
    return {"algorithm": ALGORITHM, "strata": strata_out, "targets": targets}


def verify(record: dict) -> tuple[bool, dict | None, str]:
    """Re-run a stored record {"seed", "inputs", "result"}: (identical?, the recomputed result, why not)."""
    if not isinstance(record, dict):
        return False, None, "记录须为含 seed、inputs、result 的 JSON 对象"
    try:
        again = draw(record.get("inputs"), record.get("seed"))
    except DrawError as exc:
        return False, None, exc.message
    if "result" not in record:
        return False, again, "记录中没有 result，无法比对（已给出重新计算的结果）"
    if canonical(again) != canonical(record["result"]):
        return False, again, "重新计算的结果与记录的结果不一致"
    return True, again, ""


def main(argv: list[str]) -> int:  # pragma: no cover - a convenience for people outside the portal
    if len(argv) != 2:
        print("用法：python -m inspections.drawing 抽取记录.json")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        record = json.load(fh)
    ok, again, why = verify(record)
    print(canonical(again) if again else "")
    print("一致：重新抽取的结果与记录相同" if ok else f"不一致：{why}")
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
