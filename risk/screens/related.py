"""Related bidders across tenders (Pingdingshan 20): different companies that share a legal
representative, key staff or a contact phone, found over every tender of the period, reported when
they have bid against each other (min_cobids).

Values shared by more than `max_sharing` bidders are ignored (an agency's switchboard, a very common
name). Companies are joined transitively (A shares a phone with B, B a manager with C: one group).
Score: 40 + 10 per tender they bid in together + 10 per kind of tie, capped at 100."""

from __future__ import annotations

from risk.screens.base import Finding, group_key, join_names, mask_person, mask_phone, names_of

LABELS = {"legal_rep": "法定代表人", "key_staff": "主要人员", "contact_phone": "联系电话"}


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x):
        parent = self.parent
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def screen_related(tenders, th: dict) -> list[Finding]:
    fields = th["fields"]
    holders: dict[tuple[str, str], set] = {}
    # a firm's ties are the same from bid to bid: read each distinct identity once
    identities = {(b.uscc, b.legal_rep, b.contact_phone, b.key_staff) for t in tenders for b in t.bids}
    for uscc, legal_rep, contact_phone, key_staff in identities:
        row = {"legal_rep": (legal_rep,), "contact_phone": (contact_phone,), "key_staff": key_staff}
        for f in fields:
            for v in row[f]:
                if v:
                    v = v.strip()
                    if v:
                        holders.setdefault((f, v), set()).add(uscc)
    uf = _Union()
    ties: list[tuple[str, str, list[str]]] = []
    for (f, v), usccs in holders.items():
        if 2 <= len(usccs) <= th["max_sharing"]:
            members = sorted(usccs)
            ties.append((f, v, members))
            for other in members[1:]:
                uf.union(members[0], other)
    if not ties:
        return []
    groups: dict[str, set] = {}
    for _, _, members in ties:
        groups.setdefault(uf.find(members[0]), set()).update(members)
    member_of = {u: root for root, us in groups.items() for u in us}
    together: dict[str, list[str]] = {root: [] for root in groups}
    met = []
    for t in tenders:
        counts: dict[str, int] = {}
        for b in t.bids:
            root = member_of.get(b.uscc)
            if root is not None:
                counts[root] = counts.get(root, 0) + 1
        for root, n in counts.items():
            if n >= 2:
                together[root].append(t.tender_id)
                met.append(t)
    names = names_of(met)
    out = []
    for root, members in groups.items():
        cobids = together[root]
        if len(cobids) < th["min_cobids"]:
            continue
        members = sorted(members)
        group_ties = [(f, v, us) for f, v, us in ties if member_of[us[0]] == root]
        kinds = {f for f, _, _ in group_ties}
        shown = [(LABELS[f], mask_phone(v) if f == "contact_phone" else mask_person(v), us)
                 for f, v, us in group_ties]
        parts = [f"{join_names(us, names)} 的{label}相同（{v}）" for label, v, us in shown]
        score = min(100.0, 40 + 10 * len(cobids) + 10 * len(kinds))
        out.append(Finding(
            screen="related", key=group_key("related", members), score=float(score), tenders=sorted(cobids),
            bidders=members,
            numbers={"ties": [{"label": label, "value": v, "bidders": us} for label, v, us in shown],
                     "cobids": len(cobids)},
            explanation="；".join(parts) + f"。这些关联企业在 {len(cobids)} 次招标中相互竞争投标，"
                        "可能为同一实际控制人围标。"))
    return out
