"""Plain data the screens read and write. No Django here: the screens are pure functions of tenders
and thresholds, so the nightly run, the bench and the tests call exactly the same code."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Bid:
    uscc: str
    name: str
    amount: float
    winner: bool = False
    file_fingerprint: str = ""
    ip: str = ""
    mac: str = ""
    legal_rep: str = ""
    contact_phone: str = ""
    key_staff: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tender:
    tender_id: str
    trading_type: str
    opened_at: dt.datetime | dt.date
    bids: tuple[Bid, ...]
    estimate: float | None = None
    project_name: str = ""


@dataclass
class Finding:
    """One warning as a screen sees it. `key` is stable across runs for the same pattern, so a re-run
    updates the warning it raised before instead of raising a second one."""

    screen: str
    key: str
    score: float  # 0-100, higher is more suspicious; each screen documents its formula
    tenders: list[str]
    bidders: list[str]
    numbers: dict
    explanation: str
    edges: list[tuple[str, str, int]] = field(default_factory=list)  # for the network picture


def group_key(screen: str, members) -> str:
    digest = hashlib.sha256("|".join(sorted(members)).encode()).hexdigest()[:24]
    return f"{screen}:{digest}"


def names_of(tenders) -> dict[str, str]:
    """USCC -> the name the bidder last used."""
    out: dict[str, str] = {}
    for t in tenders:
        for b in t.bids:
            out[b.uscc] = b.name
    return out


def join_names(usccs, names: dict[str, str], limit: int = 8) -> str:
    shown = [names.get(u, u) for u in usccs[:limit]]
    text = "、".join(shown)
    if len(usccs) > limit:
        text += f" 等 {len(usccs)} 家"
    return text


def mask_person(name: str) -> str:
    """张三丰 -> 张**: personal names are masked in warnings."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * len(phone)


def times(x: float) -> str:
    """An expected count as an officer reads it: 1.3, 0.15, 0.0021."""
    if x >= 0.95 or x == 0:
        return f"{x:.1f}"
    return f"{x:.2g}"


class Columns:
    """The market as arrays, built once per run for the screens that count over all bids: bidder ids,
    the tender of each bid, amounts, winners, and per tender its size and estimate."""

    def __init__(self, tenders):
        import numpy as np

        size = [len(t.bids) for t in tenders]
        all_usccs = [b.uscc for t in tenders for b in t.bids]
        ids: dict[str, int] = {}
        self.bidder = np.fromiter((ids.setdefault(u, len(ids)) for u in all_usccs), dtype=np.int64,
                                  count=len(all_usccs))
        self.usccs = list(ids)
        self.size = np.asarray(size, dtype=np.int64)
        self.tender = np.repeat(np.arange(len(tenders), dtype=np.int64), self.size)
        self.amount = np.fromiter((b.amount for t in tenders for b in t.bids), dtype=float, count=len(all_usccs))
        self.winner = np.fromiter((b.winner for t in tenders for b in t.bids), dtype=bool, count=len(all_usccs))
        self.estimate = np.fromiter((t.estimate or 0.0 for t in tenders), dtype=float, count=len(tenders))
        self.start = np.concatenate(([0], np.cumsum(self.size)[:-1])).astype(np.int64) if size else self.size
