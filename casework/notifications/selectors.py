"""Reads of the inbox: a person's notices, filtered by category, read state and case."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from casework.notifications.models import Notification


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    kinds: tuple[str, ...] = ()      # exact kinds
    prefixes: tuple[str, ...] = ()   # kinds starting with one of these

    def q(self) -> Q:
        q = Q(kind__in=self.kinds) if self.kinds else Q(pk__in=[])
        for prefix in self.prefixes:
            q |= Q(kind__startswith=prefix)
        return q


# Every mechanism's notice kinds fall into one of these; anything new lands in 其他 until it is given a home.
CATEGORIES = (
    Category("deadline", "临期、超期与督办", kinds=("reminder", "breach", "supervision", "circular")),
    Category("referral", "线索移交", prefixes=("clue", "transfer", "jurisdiction")),
    Category("complaint", "投诉举报", prefixes=("complaint",)),
    Category("assistance", "协助办理与联合执法", prefixes=("assistance", "jointaction")),
    Category("inspection", "双随机抽查", prefixes=("inspection",)),
    Category("consultation", "会商与征求意见", prefixes=("consultation", "trading_rule")),
    Category("credit", "信用", kinds=("penalty", "expert_ban"), prefixes=("credit",)),
)
BY_KEY = {c.key: c for c in CATEGORIES}
OTHER_LABEL = "其他"


def category_of(kind: str) -> str:
    for c in CATEGORIES:
        if kind in c.kinds or any(kind.startswith(p) for p in c.prefixes):
            return c.label
    return OTHER_LABEL


def inbox(user, *, category: str = "", state: str = "", case_url: str = ""):
    """The user's notices, newest first. `category` is a key of CATEGORIES or "other"; `state` "unread" or
    "read"; `case_url` the page of one case (every notice about it links there)."""
    qs = Notification.objects.filter(recipient=user)
    if category == "other":
        known = Q(pk__in=[])
        for c in CATEGORIES:
            known |= c.q()
        qs = qs.exclude(known)
    elif category in BY_KEY:
        qs = qs.filter(BY_KEY[category].q())
    if state == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif state == "read":
        qs = qs.filter(read_at__isnull=False)
    if case_url:
        qs = qs.filter(url=case_url)
    return qs.order_by("-created_at", "-id")
