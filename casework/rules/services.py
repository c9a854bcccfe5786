"""Rule profiles: loading presets, versioned edits, and the lookup clocks use."""

from __future__ import annotations

import threading
import uuid

from django.db import connection, transaction

from casework import presets
from casework.errors import DomainError
from casework.events.services import record
from casework.letters.models import Letter
from casework.org.models import Department, Jurisdiction
from casework.rules.models import Rule, RuleProfile, RulesRevision, RuleVersion, Source, StartsOn, Unit

TERMS = ("amount", "unit", "starts_on", "source", "clause", "note")


def _validate_terms(terms: dict) -> dict:
    errors: dict[str, list[str]] = {}
    amount = terms.get("amount")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount < 1):
        errors["amount"] = ["时限须为正整数，或留空表示不设固定时限"]
    if terms.get("unit") not in Unit.values:
        errors["unit"] = [f"单位须为 {', '.join(Unit.values)} 之一"]
    if terms.get("starts_on") not in StartsOn.values:
        errors["starts_on"] = [f"起算须为 {', '.join(StartsOn.values)} 之一"]
    if terms.get("source") not in Source.values:
        errors["source"] = [f"来源须为 {', '.join(Source.values)} 之一"]
    if terms.get("source") != Source.SEED and not (terms.get("note") or "").strip():
        errors["note"] = ["非本地文件规定的时限须说明采用的默认值及理由"]
    if errors:
        raise DomainError("规则内容有误：" + "；".join(f"{k}：{v[0]}" for k, v in errors.items()),
                          field_errors=errors)
    return {k: (terms.get(k) if k == "amount" else (terms.get(k) or "")) for k in TERMS}


@transaction.atomic
def _role_powers(table: dict) -> dict:
    """A preset's `[roles]` table: power -> roles, checked against the known powers and roles."""
    from casework.org.models import Membership
    from casework.rules.powers import POWERS

    for power, roles in table.items():
        if power not in POWERS or not roles or any(r not in Membership.Role.values for r in roles):
            raise DomainError(f"预设的角色权限有误：{power} = {roles}")
    return {power: list(roles) for power, roles in table.items()}


def load_rule_preset(*, actor=None, jurisdiction: Jurisdiction, preset: str) -> RuleProfile:
    """Create the jurisdiction's profile from a preset file; existing rules are left as edited."""
    from casework.memo import forget

    forget()  # the rules/calendar change: no memo of them for the rest of this request
    data = presets.read("rules", preset)
    meta, ladder, referral = data["profile"], data.get("escalation", {}), data.get("referral", {})
    letters = data.get("letters", {})
    unknown = [k for k in letters.get("signoff", []) if k not in Letter.Kind.values]
    if unknown:
        raise DomainError(f"预设的签发文种有误：{unknown}")
    profile, created = RuleProfile.objects.get_or_create(
        jurisdiction=jurisdiction,
        defaults={"preset": preset, "name": meta["name"], "document": meta["document"],
                  **{k: v for k, v in ladder.items() if k != "escalation_note"},
                  "escalation_note": ladder.get("escalation_note", ""),
                  "copy_bid_rigging_to_police": referral.get("copy_bid_rigging_to_police", False),
                  "copy_clause": referral.get("copy_clause", ""),
                  "role_powers": _role_powers(data.get("roles", {})),
                  "signoff_kinds": list(letters.get("signoff", [])), "signoff_note": letters.get("signoff_note", "")})
    if created:
        record(actor=actor, obj=profile, action="rules.profile_created", after={"preset": preset})
    for item in data["rules"]:
        if Rule.objects.filter(profile=profile, key=item["key"]).exists():
            continue
        terms = _validate_terms(item)
        rule = Rule.objects.create(profile=profile, key=item["key"], name=item["name"],
                                   reminder_working_days=item.get("reminder_working_days"))
        version = RuleVersion.objects.create(rule=rule, number=1, created_by=actor,
                                             change_reason=f"预设 {preset}", **terms)
        rule.current_version = version
        rule.save(update_fields=["current_version"])
    return profile


@transaction.atomic
def update_rule(*, actor, rule: Rule, reason: str, **terms) -> RuleVersion:
    """Write a new version of a rule. Running clocks keep the version they started under."""
    from casework.memo import forget

    forget()  # the rules/calendar change: no memo of them for the rest of this request
    if not (reason or "").strip():
        raise DomainError.for_field("change_reason", "修改规则须填写原因")
    caller_rule, rule = rule, Rule.objects.select_for_update().get(pk=rule.pk)
    current = rule.current_version
    merged = {k: terms.get(k, getattr(current, k)) for k in TERMS}
    clean = _validate_terms(merged)
    if all(clean[k] == getattr(current, k) for k in TERMS):
        raise DomainError("规则内容未改变")
    version = RuleVersion.objects.create(rule=rule, number=current.number + 1, created_by=actor,
                                         change_reason=reason.strip(), **clean)
    rule.current_version = caller_rule.current_version = version
    rule.save(update_fields=["current_version"])
    record(actor=actor, obj=rule, action="rules.rule_updated", reason=reason,
           before={"version": current.number, **{k: getattr(current, k) for k in TERMS}},
           after={"version": version.number, **clean})
    return version


# --- the rules kept in memory ------------------------------------------------------------------------------------
# A push starts two clocks and a filing checks three rules: reading the profile and its ~30 rules again in every
# request was about a sixth of a push (issue 18). Inside a request they come from this process's copy while the
# revision token (RulesRevision, one indexed row read once a request) is the one they were read under. Outside a
# request (a task, a command, a test calling a service), or in a request that changed rules (casework.memo.forget),
# they are read from the database every time, as before.
_kept: dict[str, tuple[str, dict]] = {}
_kept_lock = threading.Lock()


def _revision_token() -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT token FROM casework_rulesrevision WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else None


def _kept_rules(key, compute):
    from casework.memo import active, memo

    if not active():
        return compute()
    token = memo("rules.revision", _revision_token)
    if token is None:  # no revision row (a database flushed by a test): per request only
        return memo(key, compute)
    with _kept_lock:
        entry = _kept.get(connection.alias)
        if entry is None or entry[0] != token:
            entry = _kept[connection.alias] = (token, {})
    try:
        return entry[1][key]
    except KeyError:
        value = entry[1][key] = compute()
        return value


def rules_changed(**kwargs) -> None:
    """A profile, rule, version or jurisdiction was saved or deleted: a new revision token (with the change's
    transaction), and no memo of the rules for the rest of this request. Connected in casework.apps."""
    from casework.memo import forget

    token = uuid.uuid4().hex
    if not RulesRevision.objects.filter(pk=1).update(token=token):
        RulesRevision.objects.update_or_create(pk=1, defaults={"token": token})
    forget()


def profile_for(jurisdiction: Jurisdiction) -> RuleProfile:
    """The nearest profile at or above the jurisdiction: a district uses its city's rules
    unless it has its own. Kept in memory while the rules are unchanged (_kept_rules)."""
    profile = _kept_rules(("rules.profile", jurisdiction.pk), lambda: _nearest_profile(jurisdiction))
    if profile is not None:
        return profile
    raise DomainError(f"{jurisdiction.name}及其上级均未配置时限规则", code="no_rule_profile")


def _nearest_profile(jurisdiction: Jurisdiction) -> RuleProfile | None:
    for node in jurisdiction.lineage():
        profile = RuleProfile.objects.filter(jurisdiction=node).first()
        if profile:
            return profile
    return None


def _profile_rules(profile: RuleProfile) -> dict[str, Rule]:
    rules = {}
    for rule in Rule.objects.select_related("current_version").filter(profile=profile):
        rule.profile = profile
        if rule.current_version is not None:
            rule.current_version.rule = rule  # a clock's ladder reads version.rule: no second query
        rules[rule.key] = rule
    return rules


def rule_for(department: Department, key: str) -> Rule:
    """The department's rule `key`. Within a request the profile's rules come together from memory (a complaint
    filing compares three of them; _kept_rules)."""
    from casework.memo import active

    profile = profile_for(department.jurisdiction)
    if active():
        rule = _kept_rules(("rules.rules", profile.pk), lambda: _profile_rules(profile)).get(key)
    else:
        rule = Rule.objects.select_related("current_version", "profile").filter(profile=profile, key=key).first()
        if rule is not None and rule.current_version is not None:
            rule.current_version.rule = rule
    if rule is None:
        raise DomainError(f"{profile.name}中没有规则“{key}”", code="no_rule")
    return rule
