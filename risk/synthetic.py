"""A seeded synthetic tender market with planted misconduct, for the bench and the tests.

Honest market: four trading types, each with its own pool of bidders whose activity varies (log-normal
weights); a tender draws 3-10 bidders from its pool, each bids the estimate less a uniform 0-20 %
(a coefficient of variation near 6 %, as in Imhof's competitive Swiss tenders) and the lowest bid wins,
so every honest bidder has the same 1/k chance.

Planted, each recorded in `Market.truth`:
- rotating rings (5-6 firms): rig 12-20 tenders alone, the designated winner in turn, covers packed
  2-4 % above the winner (also the price screen's truth);
- plain rings (3-4 firms): bid together in 8-14 tenders next to 3-6 honest bidders, honest prices;
- cover bidders (陪标专业户): join 60-90 tenders and bid at 99.5-100 % of the estimate;
- 标王: join 50-70 tenders and bid 17-21 % under the estimate;
- shared fingerprints: two bidders of a tender with the same file fingerprint, MAC or IP;
- related firms: two or three firms sharing a legal representative, a phone or key staff, meeting in
  2-4 tenders;
- fixed ratios: three bids of a tender at exact per-mille ratios of the estimate.
Counts scale with the number of tenders (20 rotating rings per 100,000 tenders ...)."""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys
from dataclasses import dataclass, field

from casework.exports import SafeWriter
from casework.validators import USCC_CHARSET, uscc_with_check
from risk.screens.base import Bid, Tender

TYPES = ("engineering", "procurement", "property_rights", "land_mining")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉健波宁建林国文志海斌浩亮成峰春梅琳云凯宇晨博"
WORDS = "豫洛河嵩伊龙瀍涧宏达鑫华中建恒信泰安兴隆盛源通顺昌荣祥瑞金鼎宇辰东方正大新远航力天元"
KINDS = {"engineering": "建设工程有限公司", "procurement": "商贸有限公司", "property_rights": "投资有限公司",
         "land_mining": "实业有限公司"}
START = dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _b31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(USCC_CHARSET[r])
    return "".join(reversed(out))


def uscc_for(i: int) -> str:
    return uscc_with_check("91410300MA" + _b31(i, 7))


def person(i: int) -> str:
    s = SURNAMES[i % len(SURNAMES)]
    rest = i // len(SURNAMES)
    a, b = GIVEN[rest % len(GIVEN)], GIVEN[(rest // len(GIVEN)) % len(GIVEN)]
    return s + a + b


@dataclass
class Firm:
    uscc: str
    name: str
    legal_rep: str
    phone: str
    staff: tuple[str, ...]
    mac: str


@dataclass
class Market:
    tenders: list[Tender]
    truth: dict = field(default_factory=dict)  # screen -> list of frozensets (groups) or tender ids

    @property
    def bids(self) -> int:
        return sum(len(t.bids) for t in self.tenders)


class _Builder:
    def __init__(self, n_tenders: int, seed: int):
        self.rng = random.Random(seed)
        self.n = n_tenders
        self.firms: list[Firm] = []
        self.pools: dict[str, list[int]] = {}
        self.cum: dict[str, list[float]] = {}
        self.used: set[int] = set()  # firms given a planted role
        self.tenders: list[dict] = []  # mutable drafts

    def firm(self, segment: str) -> int:
        i = len(self.firms)
        rng = self.rng
        w1, w2 = WORDS[i % len(WORDS)], WORDS[(i // len(WORDS)) % len(WORDS)]
        name = f"{w1}{w2}{_b31(i, 3)}{KINDS[segment]}"
        self.firms.append(Firm(uscc=uscc_for(i), name=name, legal_rep=person(3 * i), phone=f"13{i:09d}",
                               staff=(person(3 * i + 1), person(3 * i + 2)),
                               mac=":".join(f"{rng.randrange(256):02x}" for _ in range(6))))
        return i

    def build_pools(self):
        per_segment = max(60, self.n * 6 // 30 // len(TYPES))
        for seg in TYPES:
            ids = [self.firm(seg) for _ in range(per_segment)]
            weights = [self.rng.lognormvariate(0, 0.8) for _ in ids]
            self.pools[seg] = ids
            self.cum[seg] = list(itertools.accumulate(weights))

    def draw(self, seg: str, k: int, exclude=()) -> list[int]:
        pool, cum = self.pools[seg], self.cum[seg]
        total, out = cum[-1], []
        chosen = set(exclude)
        while len(out) < k:
            i = pool[bisect.bisect(cum, self.rng.random() * total)]
            if i not in chosen and i not in self.used:
                chosen.add(i)
                out.append(i)
        return out

    def pick_role(self, seg: str) -> int:
        while True:
            i = self.rng.choice(self.pools[seg])
            if i not in self.used:
                self.used.add(i)
                return i

    def honest_amount(self, est: float) -> float:
        return round(est * (1 - self.rng.uniform(0.0, 0.20)), 2)

    def new_tender(self, seg: str, firms: list[int], amounts: list[float] | None = None,
                   winner: int | None = None) -> dict:
        rng = self.rng
        est = float(round(10 ** rng.uniform(5, 7.3)))
        if amounts is None:
            amounts = [self.honest_amount(est) for _ in firms]
        draft = {"id": f"T{len(self.tenders) + 1:07d}", "seg": seg, "est": est, "firms": list(firms),
                 "amounts": list(amounts), "winner": winner, "shared": {},
                 "opened": START + dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))}
        self.tenders.append(draft)
        return draft

    def finish(self) -> list[Tender]:
        rng = self.rng
        out = []
        for d in self.tenders:
            amounts = d["amounts"]
            win = d["winner"] if d["winner"] is not None else min(range(len(amounts)), key=amounts.__getitem__)
            bids = []
            for j, (i, amount) in enumerate(zip(d["firms"], amounts, strict=True)):
                f = self.firms[i]
                extra = d["shared"].get(j, {})
                bids.append(Bid(
                    uscc=f.uscc, name=f.name, amount=amount, winner=(j == win),
                    file_fingerprint=extra.get("file_fingerprint", f"{rng.getrandbits(128):032x}"),
                    ip=extra.get("ip", f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"),
                    mac=extra.get("mac", f.mac), legal_rep=f.legal_rep, contact_phone=f.phone, key_staff=f.staff))
            out.append(Tender(tender_id=d["id"], trading_type=d["seg"], opened_at=d["opened"], bids=tuple(bids),
                              estimate=d["est"], project_name=f"合成项目{d['id']}"))
        return out


def generate(n_tenders: int = 100_000, seed: int = 2026, minimum: int | None = None) -> Market:
    """The market; `minimum` (default: 3 rings, 5 related groups ...) sets the smallest number of each plant,
    for small demo markets."""
    b = _Builder(n_tenders, seed)
    rng = b.rng
    b.build_pools()
    scale = n_tenders / 100_000
    truth: dict[str, list] = {k: [] for k in ("ring", "rotation", "cover", "king", "fingerprint", "related",
                                              "price", "fixed_ratio")}
    planted_tenders = 0

    # rotating rings: rig tenders alone, winner in turn, covers packed above
    for _ in range(max(minimum or 3, round(20 * scale))):
        seg = rng.choice(TYPES)
        members = [b.pick_role(seg) for _ in range(rng.randint(5, 6))]
        for turn in range(rng.randint(12, 20)):
            est = float(round(10 ** rng.uniform(5, 7.3)))
            w = turn % len(members)
            low = round(est * (1 - rng.uniform(0.03, 0.08)), 2)
            amounts = [low if j == w else round(low * (1.02 + rng.uniform(0, 0.02)), 2)
                       for j in range(len(members))]
            d = b.new_tender(seg, members, amounts, winner=w)
            d["est"] = est
            d["opened"] = START + dt.timedelta(days=30 * turn + rng.randrange(20))
            truth["price"].append(d["id"])
            planted_tenders += 1
        truth["ring"].append(frozenset(b.firms[i].uscc for i in members))
        truth["rotation"].append(frozenset(b.firms[i].uscc for i in members))

    # plain rings: bid together among honest bidders, honest prices
    for _ in range(max(minimum or 3, round(20 * scale))):
        seg = rng.choice(TYPES)
        members = [b.pick_role(seg) for _ in range(rng.randint(3, 4))]
        for _ in range(rng.randint(8, 14)):
            b.new_tender(seg, members + b.draw(seg, rng.randint(3, 6), exclude=members))
            planted_tenders += 1
        truth["ring"].append(frozenset(b.firms[i].uscc for i in members))

    # related firms: shared legal representative, phone or key staff; meet in 2-4 tenders
    for _ in range(max(minimum or 5, round(40 * scale))):
        seg = rng.choice(TYPES)
        members = [b.pick_role(seg) for _ in range(rng.randint(2, 3))]
        head = b.firms[members[0]]
        tie = rng.choice(("legal_rep", "phone", "staff"))
        for i in members[1:]:
            f = b.firms[i]
            if tie == "legal_rep":
                f.legal_rep = head.legal_rep
            elif tie == "phone":
                f.phone = head.phone
            else:
                f.staff = (head.staff[0], f.staff[1])
        for _ in range(rng.randint(2, 4)):
            d = b.new_tender(seg, members + b.draw(seg, rng.randint(2, 5), exclude=members))
            planted_tenders += 1
            if tie != "staff":  # a shared legal representative or phone inside one tender is a fingerprint
                truth["fingerprint"].append(d["id"])
        truth["related"].append(frozenset(b.firms[i].uscc for i in members))

    roles = []
    for role, count, bids, lo, hi in (("cover", 30, (60, 90), 0.0, 0.005), ("king", 10, (50, 70), 0.17, 0.21)):
        for _ in range(max(minimum or 2, round(count * scale))):
            roles.append((role, count, bids, lo, hi, b.pick_role(rng.choice(TYPES))))

    # the honest market
    honest_start = len(b.tenders)
    n_honest = max(0, n_tenders - planted_tenders)
    for _ in range(n_honest):
        seg = TYPES[rng.randrange(len(TYPES))]
        k = 3 + sum(rng.random() < 3 / 7 for _ in range(7))
        b.new_tender(seg, b.draw(seg, k))
    honest = list(range(honest_start, len(b.tenders)))
    by_seg: dict[str, list[int]] = {s: [] for s in TYPES}
    for j in honest:
        by_seg[b.tenders[j]["seg"]].append(j)
    touched: set[int] = set()

    def free_tenders(seg, count):
        """`count` honest tenders of the segment, untouched by other plants while there are such (small
        markets run out of them; then a tender may carry two plants, never the same one twice)."""
        candidates = by_seg[seg]
        fresh = [j for j in candidates if j not in touched]
        rng.shuffle(fresh)
        chosen = fresh[:count]
        if len(chosen) < count:
            rest = [j for j in candidates if j not in set(chosen)]
            chosen += rng.sample(rest, min(len(rest), count - len(chosen)))
        touched.update(chosen)
        return chosen

    # cover bidders and 标王 (chosen before the honest market, so they bid only in their role)
    for role, _count, bids, lo, hi, i in roles:
        seg = next(sg for sg in TYPES if i in b.pools[sg])
        for j in free_tenders(seg, rng.randint(*bids)):
            d = b.tenders[j]
            d["firms"].append(i)
            d["amounts"].append(round(d["est"] * (1 - rng.uniform(lo, hi)), 2))
        truth[role].append(frozenset([b.firms[i].uscc]))

    # shared fingerprints
    for _ in range(max(minimum or 5, round(200 * scale))):
        j = free_tenders(rng.choice(TYPES), 1)[0]
        d = b.tenders[j]
        x, y = rng.sample(range(len(d["firms"])), 2)
        fld = rng.choice(("file_fingerprint", "mac", "ip"))
        value = (f"{rng.getrandbits(128):032x}" if fld == "file_fingerprint" else
                 ":".join(f"{rng.randrange(256):02x}" for _ in range(6)) if fld == "mac" else
                 f"172.16.{rng.randrange(256)}.{rng.randrange(1, 255)}")
        d["shared"] = {x: {fld: value}, y: {fld: value}}
        truth["fingerprint"].append(d["id"])

    # fixed ratios to the estimate
    for _ in range(max(minimum or 5, round(100 * scale))):
        j = free_tenders(rng.choice(TYPES), 1)[0]
        d = b.tenders[j]
        d["est"] = float(round(d["est"]))
        for x in rng.sample(range(len(d["firms"])), 3):
            d["amounts"][x] = round(d["est"] * rng.randint(900, 985) / 1000, 2)
        truth["fixed_ratio"].append(d["id"])

    tenders = b.finish()
    tenders.sort(key=lambda t: (t.opened_at, t.tender_id))
    return Market(tenders=tenders, truth=truth)


def write_csv(market: Market, out, supervising: dict[str, str]) -> None:
    """The import_tenders CSV (one row per bid); `supervising` maps a trading type to a department code."""

    w = SafeWriter(out)
    w.writerow(["tender_id", "project_code", "project_name", "trading_type", "supervising_department", "opened_at",
                "estimate", "uscc", "name", "amount", "winner", "file_fingerprint", "ip", "mac", "legal_rep",
                "contact_phone"])
    for t in market.tenders:
        for bid in t.bids:
            w.writerow([t.tender_id, f"P-{t.tender_id}", t.project_name, t.trading_type, supervising[t.trading_type],
                        t.opened_at.isoformat(), f"{t.estimate:.2f}" if t.estimate else "", bid.uscc, bid.name,
                        f"{bid.amount:.2f}", "1" if bid.winner else "0", bid.file_fingerprint, bid.ip, bid.mac,
                        bid.legal_rep, bid.contact_phone])


if __name__ == "__main__":  # python -m risk.synthetic --tenders 2000 > market.json (truth only)
    parser = argparse.ArgumentParser(description="合成招投标市场（含植入的串通模式）")
    parser.add_argument("--tenders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    m = generate(args.tenders, args.seed)
    json.dump({k: [sorted(g) if isinstance(g, frozenset) else g for g in v] for k, v in m.truth.items()},
              sys.stdout, ensure_ascii=False, indent=1)
