"""Shared fingerprints within one tender (Luoyang 三(一), Weihai (七)): two different bidders whose bid
files carry the same file fingerprint, were made or uploaded on the same machine (MAC) or network (IP),
or give the same contact phone or legal representative.

Score: 50 for the first kind of shared value, +15 for each further kind, +10 for each bidder beyond two,
capped at 100 (a file fingerprint alone already scores 70: it is the strongest single sign)."""

from __future__ import annotations

from operator import attrgetter

from risk.screens.base import Finding, join_names, mask_person, mask_phone

LABELS = {"file_fingerprint": "投标文件特征码", "mac": "网卡 MAC 地址", "ip": "IP 地址",
          "contact_phone": "联系电话", "legal_rep": "法定代表人"}


def _shown(field: str, value: str) -> str:
    if field == "contact_phone":
        return mask_phone(value)
    if field == "legal_rep":
        return mask_person(value)
    if field == "file_fingerprint":
        return value[:12] + ("…" if len(value) > 12 else "")
    return value


def screen_fingerprints(tenders, th: dict) -> list[Finding]:
    fields = th["fields"]
    read = attrgetter(*fields)
    out = []
    for t in tenders:
        if len(t.bids) < 2:
            continue
        columns = zip(*map(read, t.bids), strict=True) if len(fields) > 1 else [[read(b) for b in t.bids]]
        if all(len(set(filter(None, col))) == sum(1 for v in col if v) for col in columns):
            continue  # the usual case: every value differs (the intake stores them trimmed, lower-case)
        shared = []  # (field, value, [usccs])
        for f in fields:
            seen: dict[str, set] = {}
            for b in t.bids:
                value = getattr(b, f)
                if value:
                    seen.setdefault(value.strip().lower(), set()).add(b.uscc)
            for value, usccs in seen.items():
                if len(usccs) >= 2:
                    shared.append((f, value, sorted(usccs)))
        if not shared:
            continue
        names = {b.uscc: b.name for b in t.bids}
        involved = sorted({u for _, _, us in shared for u in us})
        kinds = {f for f, _, _ in shared}
        score = 50 + 15 * (len(kinds) - 1) + 10 * (len(involved) - 2) + (20 if "file_fingerprint" in kinds else 0)
        parts = [f"{join_names(us, names)} 的{LABELS[f]}相同（{_shown(f, v)}）" for f, v, us in shared]
        out.append(Finding(
            screen="fingerprint", key=f"fingerprint:{t.tender_id}", score=float(min(100, score)),
            tenders=[t.tender_id], bidders=involved,
            numbers={"shared": [{"field": f, "label": LABELS[f], "value": _shown(f, v), "bidders": us}
                                for f, v, us in shared]},
            explanation=f"招标 {t.tender_id} 中，" + "；".join(parts) + "。不同投标人的投标文件出自同一来源，"
                        "涉嫌串通投标。"))
    return out
