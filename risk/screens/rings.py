"""抱团 (bidding rings) and rotation (Pingdingshan 20 "经常抱团投标").

The co-bidding network: bidders are nodes, and two bidders are joined by the number of tenders both bid
in. Chance is a market where each bidder keeps its number of bids but places them at random, a tender
with k bidders being k times as likely to hold a given bid: a pair (a, b) with n_a and n_b bids is then
expected together E = n_a n_b sum_t k_t^2 / B^2 times (B = all bids), computed per trading type, since
engineering and procurement bidders do not meet. A pair is a strong tie when it bid together at least
`min_cobids` times, `min_lift` times more than E, with a Poisson tail P(X >= c | E) <= max_pair_p.
Rings are the connected groups of strong ties (split by Louvain modularity when a group is large).

For each ring the officer sees: in how many tenders at least two members met, in how many "they bid
together" (at least `together_share` of the members), and how often that happens by chance (the sum over
tenders of a Poisson-binomial tail with p_i = min(1, n_i k / B)). Score: 40 + 20 log10(lift) + 2 per
tender together, capped at 100.

Rotation: inside a ring's joint tenders, ordered by opening time, the ring wins most of them
(min_member_win_share), with at least `min_distinct_winners` different winners and an even share
(normalised entropy >= min_evenness): members take turns to win. Score: 50 + 30 x evenness + 20 x the
share of consecutive wins that change hands."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import combinations

from scipy.stats import poisson

from risk.screens.base import Finding, group_key, join_names, names_of, times
from risk.screens.winrate import poisson_binomial_pmf

LOUVAIN_ABOVE = 8


def _segments(tenders):
    out = defaultdict(list)
    for t in tenders:
        out[t.trading_type].append(t)
    return out


def _groups(nodes_edges: dict[int, dict[int, float]]) -> list[list[int]]:
    seen, comps = set(), []
    for start in nodes_edges:
        if start in seen:
            continue
        stack, comp = [start], []
        seen.add(start)
        while stack:
            x = stack.pop()
            comp.append(x)
            for y in nodes_edges[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        if len(comp) > LOUVAIN_ABOVE:
            import networkx as nx

            g = nx.Graph()
            for x in comp:
                for y, w in nodes_edges[x].items():
                    g.add_edge(x, y, weight=w)
            comps.extend(sorted(c) for c in nx.community.louvain_communities(g, weight="weight", seed=7))
        else:
            comps.append(sorted(comp))
    return comps


def find_rings(tenders, th: dict, cols=None) -> list[dict]:
    """The rings with their numbers (used by screen_rings and screen_rotation). Pairs are counted with
    numpy: tenders of the same size form a matrix of bidder ids, and each column pair gives a pair key."""
    import numpy as np

    from risk.screens.base import Columns

    cols = cols if cols is not None else Columns(tenders)
    if not tenders:
        return []
    n_ids = len(cols.usccs)
    segment_of = np.asarray([t.trading_type for t in tenders])
    rings = []
    for segment in sorted(set(segment_of.tolist())):
        ts = np.flatnonzero(segment_of == segment)
        sizes = cols.size[ts]
        bid_idx = _bid_index(cols, ts)
        members_of_bid = cols.bidder[bid_idx]
        n = np.bincount(members_of_bid, minlength=n_ids)
        total = int(sizes.sum())
        if total == 0:
            continue
        factor = float((sizes.astype(float) ** 2).sum()) / (total * total)
        keys = []
        for k in np.unique(sizes):
            if k < 2 or k > th["max_tender_size"]:
                continue
            sel = ts[sizes == k]
            matrix = np.sort(cols.bidder[cols.start[sel][:, None] + np.arange(k)[None, :]], axis=1)
            for i, j in combinations(range(int(k)), 2):
                keys.append(matrix[:, i] * n_ids + matrix[:, j])
        if not keys:
            continue
        pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
        keep = counts >= th["min_cobids"]
        pair_keys, counts = pair_keys[keep], counts[keep]
        a, b = pair_keys // n_ids, pair_keys % n_ids
        expected = n[a] * n[b] * factor
        keep = counts >= th["min_lift"] * expected
        a, b, counts, expected = a[keep], b[keep], counts[keep], expected[keep]
        p = poisson.sf(counts - 1, expected)
        keep = p <= th["max_pair_p"]
        strong: dict[int, dict[int, float]] = defaultdict(dict)
        for x, y, c, e in zip(a[keep].tolist(), b[keep].tolist(), counts[keep].tolist(), expected[keep].tolist(),
                              strict=True):
            strong[x][y] = strong[y][x] = c / e
        if not strong:
            continue
        groups = [g for g in _groups(strong) if len(g) >= th["min_group_size"]]
        if not groups:
            continue
        group_of = np.full(n_ids, -1, dtype=np.int64)
        for gi, g in enumerate(groups):
            group_of[g] = gi
        hit_g = group_of[members_of_bid]
        hit = hit_g >= 0
        tender_of_hit = cols.tender[bid_idx][hit]
        key = tender_of_hit * len(groups) + hit_g[hit]
        tg, hits = np.unique(key, return_counts=True)
        per_group: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for tk, h in zip(tg.tolist(), hits.tolist(), strict=True):
            per_group[tk % len(groups)].append((tk // len(groups), h))
        size_count = Counter(sizes.tolist())
        for gi, group in enumerate(groups):
            m = len(group)
            q = max(2, math.ceil(th["together_share"] * m))
            any_two = [tenders[t] for t, h in per_group[gi] if h >= 2]
            together = [tenders[t] for t, h in per_group[gi] if h >= q]
            exp = 0.0
            for k, count in size_count.items():
                ps = [min(1.0, n[i] * k / total) for i in group]
                exp += count * float(poisson_binomial_pmf(ps)[q:].sum())
            members = set(group)
            pair_counts: Counter = Counter()
            for t in any_two:
                inside = sorted(i for i in (_id(cols, bd.uscc) for bd in t.bids) if i in members)
                pair_counts.update(combinations(inside, 2))
            edges = [(cols.usccs[x], cols.usccs[y], c) for (x, y), c in sorted(pair_counts.items())]
            rings.append({
                "segment": segment, "members": sorted(cols.usccs[i] for i in group), "q": q,
                "any_two": any_two, "together": together, "expected": exp,
                "bids": {cols.usccs[i]: int(n[i]) for i in group}, "edges": edges,
            })
    return rings


def _bid_index(cols, ts):
    import numpy as np

    sizes = cols.size[ts]
    starts = np.repeat(cols.start[ts], sizes)
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return starts + offsets


def _id(cols, uscc):
    index = getattr(cols, "_index", None)
    if index is None:
        index = cols._index = {u: i for i, u in enumerate(cols.usccs)}
    return index[uscc]


def screen_rings(tenders, th: dict, rings=None) -> list[Finding]:
    rings = find_rings(tenders, th) if rings is None else rings
    names = names_of(t for ring in rings for t in ring["any_two"])
    out = []
    for ring in rings:
        members, together, expected = ring["members"], ring["together"], ring["expected"]
        if not together:
            continue
        lift = len(together) / max(expected, 1e-9)
        m, q = len(members), ring["q"]
        who = join_names(members, names)
        how = "共同投标" if q == m else f"至少 {q} 家共同投标"
        score = min(100.0, 40 + 20 * math.log10(max(lift, 1.0)) + 2 * len(together))
        out.append(Finding(
            screen="ring", key=group_key("ring", members), score=float(round(score, 1)),
            tenders=[t.tender_id for t in together], bidders=members,
            numbers={"members": m, "met": len(ring["any_two"]), "together": len(together),
                     "expected": float(f"{expected:.3g}"), "lift": round(lift, 1), "q": q,
                     "bids": ring["bids"], "segment": ring["segment"]},
            explanation=f"{who} 在 {len(ring['any_two'])} 次招标中{how} {len(together)} 次，"
                        f"随机预期 {times(expected)} 次（{lift:.0f} 倍于随机），疑似抱团投标。",
            edges=ring["edges"]))
    return out


def screen_rotation(tenders, th_ring: dict, th: dict, rings=None) -> list[Finding]:
    rings = find_rings(tenders, th_ring) if rings is None else rings
    names = names_of(t for ring in rings for t in ring["any_two"])
    out = []
    for ring in rings:
        members = set(ring["members"])
        together = sorted(ring["together"], key=lambda t: (t.opened_at, t.tender_id))
        if len(together) < th["min_tenders"]:
            continue
        winners = []
        for t in together:
            w = next((b.uscc for b in t.bids if b.winner), None)
            if w in members:
                winners.append(w)
        share = len(winners) / len(together)
        counts = Counter(winners)
        if share < th["min_member_win_share"] or len(counts) < th["min_distinct_winners"]:
            continue
        entropy = -sum(c / len(winners) * math.log(c / len(winners)) for c in counts.values())
        evenness = entropy / math.log(len(members)) if len(members) > 1 else 0.0
        if evenness < th["min_evenness"]:
            continue
        changes = sum(1 for a, b in zip(winners, winners[1:], strict=False) if a != b)
        turn = changes / max(1, len(winners) - 1)
        score = min(100.0, 50 + 30 * evenness + 20 * turn)
        tally = "、".join(f"{names.get(u, u)} {c} 次" for u, c in counts.most_common())
        out.append(Finding(
            screen="rotation", key=group_key("rotation", ring["members"]), score=float(round(score, 1)),
            tenders=[t.tender_id for t in together], bidders=ring["members"],
            numbers={"together": len(together), "member_wins": len(winners), "winners": dict(counts),
                     "evenness": round(evenness, 3), "changes": changes, "sequence": winners},
            explanation=f"{join_names(ring['members'], names)} 共同投标的 {len(together)} 次招标中，成员中标 "
                        f"{len(winners)} 次，由 {len(counts)} 家轮流中标（{tally}）；按时间先后，"
                        f"{len(winners) - 1} 次相邻中标中换人 {changes} 次，疑似轮流坐庄。",
            edges=ring["edges"]))
    return out
