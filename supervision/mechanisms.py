"""Which mechanism a statutory clock belongs to, by its rule key: the dashboard counts every mechanism
through the one thing they all share, the clock (see DESIGN.md, "the one idea")."""

from __future__ import annotations

from casework.handoffs.models import Handoff

# (code, label, rule-key prefixes). Order is the order of the dashboard's columns.
MECHANISMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("referral", "线索移交", ("referral.",)),
    ("complaint", "投诉与举报", ("complaint.", "objection.")),
    ("assistance", "协助办理", ("assistance.",)),
    ("joint", "联合执法与双随机抽查", ("jointaction.", "inspection.")),
    ("consultation", "会商联席", ("consultation.",)),
    ("credit", "信用惩戒", ("credit.",)),
    ("supervision", "督办与报告", ("supervision.",)),
)
CODES = tuple(m[0] for m in MECHANISMS)
LABELS = {m[0]: m[1] for m in MECHANISMS}
OTHER = "other"
LABELS[OTHER] = "其他"

HANDOFF_KINDS = {
    Handoff.Kind.CLUE_REFERRAL: "referral", Handoff.Kind.CASE_TRANSFER: "referral",
    Handoff.Kind.COMPLAINT_TRANSFER: "complaint", Handoff.Kind.ASSISTANCE: "assistance",
}


def of_rule(key: str) -> str:
    for code, _label, prefixes in MECHANISMS:
        if key.startswith(prefixes):
            return code
    return OTHER


def rule_filter(code: str, field: str = "rule_version__rule__key"):
    """A Q matching the clocks of one mechanism."""
    from django.db.models import Q

    prefixes = next(m[2] for m in MECHANISMS if m[0] == code)
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field}__startswith": p})
    return q


_versions: dict = {"key": None, "map": {}}


def version_map() -> dict[int, str]:
    """{rule version id: mechanism}. Counting by the clock's own rule_version_id spares the dashboard a join over
    the clocks; rebuilt when a rule version is added (one cheap query per call)."""
    from django.db.models import Count, Max

    from casework.rules.models import RuleVersion

    key = tuple(RuleVersion.objects.aggregate(n=Count("id"), m=Max("id")).values())
    if _versions["key"] != key:
        _versions["map"] = {vid: of_rule(k) for vid, k in RuleVersion.objects.values_list("id", "rule__key")}
        _versions["key"] = key
    return _versions["map"]


def version_ids(code: str) -> list[int]:
    return [vid for vid, mech in version_map().items() if mech == code]


def versions_by_mechanism() -> dict[str, list[int]]:
    """{mechanism: [rule version ids]}, every mechanism with at least one version (other included)."""
    out: dict[str, list[int]] = {}
    for vid, mech in version_map().items():
        out.setdefault(mech, []).append(vid)
    return out


def rule_version_ids(key: str) -> list[int]:
    """The versions of the rules with this key (every profile)."""
    from casework.rules.models import RuleVersion

    return list(RuleVersion.objects.filter(rule__key=key).values_list("id", flat=True))
