"""Hand-overs belong to their mechanism. Each kind of hand-over is registered by the mechanism that creates it,
with that mechanism's own service for every action it offers (its letters, counters, clocks and callbacks run)
and its page. The generic `/handoffs/<id>/<action>/` dispatches here, and refuses what the owner does not offer.

    registry.register(HandoffKind(kind="case_transfer", mechanism="线索移交", page=..., actions={
        "receive": lambda actor, handoff, data: ..., ...}))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from casework.errors import Conflict

ACTIONS = {"receive": "签收", "accept": "受理", "return": "退回", "complete": "办结", "forward": "转送"}

Action = Callable[[object, object, dict], object]  # (actor, handoff, posted data) -> result


@dataclass
class HandoffKind:
    kind: str
    mechanism: str                          # who owns it, in words: 线索移交, 投诉处理…
    page: Callable[[object], str]           # handoff -> the owning mechanism's page
    actions: dict[str, Action] = field(default_factory=dict)
    # the pages of many hand-overs of this kind in one query: {handoff pk: page} (a list page shows dozens)
    pages: Callable[[list], dict[int, str]] | None = None


_KINDS: dict[str, HandoffKind] = {}


def register(spec: HandoffKind) -> None:
    unknown = set(spec.actions) - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown hand-over actions for {spec.kind}: {sorted(unknown)}")
    _KINDS[spec.kind] = spec


def kinds() -> dict[str, HandoffKind]:
    return dict(_KINDS)


def get(kind: str) -> HandoffKind | None:
    return _KINDS.get(kind)


def page_for(handoff) -> str | None:
    spec = _KINDS.get(handoff.kind)
    return spec.page(handoff) if spec else None


def prime_pages(handoffs) -> None:
    """Work out the pages of a list's hand-overs a kind at a time (one query per kind, not one per row or two per
    row: a template asks `get_absolute_url` to test and again to link); Handoff.get_absolute_url then reads them."""
    by_kind: dict[str, list] = {}
    for handoff in handoffs:
        if "_page_url" not in handoff.__dict__:
            by_kind.setdefault(handoff.kind, []).append(handoff)
    for kind, group in by_kind.items():
        spec = _KINDS.get(kind)
        if spec is None or spec.pages is None:
            continue
        found = spec.pages(group)
        for handoff in group:
            handoff._page_url = found.get(handoff.pk, "")


def offered(handoff) -> list[str]:
    spec = _KINDS.get(handoff.kind)
    return [a for a in ACTIONS if spec and a in spec.actions]


def dispatch(*, actor, handoff, action: str, data: dict):
    """Act on `handoff` through its owner's service, or refuse (409) naming where it is handled."""
    spec = _KINDS.get(handoff.kind)
    if spec is None:
        raise Conflict(f"“{handoff.get_kind_display()}”类事项没有登记办理机制，不能在此办理")
    if action not in ACTIONS:
        raise Conflict(f"未知操作：{action}")
    fn = spec.actions.get(action)
    if fn is None:
        raise Conflict(f"{spec.mechanism}的移交事项不能在此{ACTIONS[action]}，请在{spec.mechanism}页面按其程序办理")
    return fn(actor, handoff, data)
