"""Demo data for clue referrals that the org presets cannot carry (idempotent):

- where a preset has a comprehensive law-enforcement organ (综合执法), one industry authority's penalty power is
  recorded as moved there (Luoyang 三(二)4–5), so the routing table's "处罚权已划转综合执法" suggestion shows. Which
  authority moved is a local decision no seed names: the demo picks the water bureau and says so in the basis;
- a district branch under a city's police (the same system at a second level), with demo logins, so that the
  police can forward a transferred clue there (Zengdu 第十四条(二)), which the demo's police clue invites.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casework.accounts.services import require_password_change
from casework.management.commands.seed_demo import DEMO_PASSWORD
from casework.org.models import Department, Jurisdiction, Membership
from casework.org.services import add_membership, ensure_department, ensure_jurisdiction
from referrals.models import PenaltyPowerMove

MOVE_BASIS = "演示数据：假定本市水利行政处罚权已划转综合行政执法部门（洛阳 三(二)4–5 所述情形；实际以本地划转文件为准）"


def _cities() -> list[dict[str, Department]]:
    """Per jurisdiction that has a rule profile (each preset's own: a city, or Zengdu's district), its first
    active department of each type (a province may hold several)."""
    out: dict[int, dict[str, Department]] = {}
    for d in (Department.objects.filter(active=True, jurisdiction__rule_profile__isnull=False)
              .select_related("jurisdiction__parent").order_by("jurisdiction__code", "code")):
        out.setdefault(d.jurisdiction_id, {}).setdefault(d.type, d)
    return list(out.values())


def other_level(police: Department) -> Department | None:
    """A district branch under a city's police: the same system one level down. None where the preset's own
    jurisdiction is a district (Zengdu): the city above it has no rule profile, so nothing could run there."""
    home = police.jurisdiction
    if home.level != Jurisdiction.Level.CITY:
        return None
    district = ensure_jurisdiction(code=f"{home.code[:4]}99", name=f"{home.name}演示区", level="district",
                                   parent=home)
    return ensure_department(code=f"{police.code}-D1", name=f"{police.name}演示区分局",
                             short_name="演示区分局", type=police.type, jurisdiction=district, parent=police)


def seed(*, stdout) -> None:
    lines = []
    for by_type in _cities():
        lines += _seed_city(by_type)
    if lines:
        stdout.write("线索移交演示数据：" + "；".join(lines))


def _seed_city(by_type: dict[str, Department]) -> list[str]:
    lines = []
    if "law_enforcement" in by_type and "water" in by_type:
        _, made = PenaltyPowerMove.objects.get_or_create(
            department=by_type["water"], defaults={"law_enforcement": by_type["law_enforcement"], "basis": MOVE_BASIS})
        if made:
            lines.append(f"处罚权划转：{by_type['water'].name} → {by_type['law_enforcement'].name}")
    branch = other_level(by_type["police"]) if "police" in by_type else None
    if branch is not None:
        User = get_user_model()
        for role in (Membership.Role.HANDLER, Membership.Role.LEADER):
            username = f"{branch.code.lower()}.{role}"
            user, created = User.objects.get_or_create(username=username, defaults={
                "first_name": f"{branch.display_name}{Membership.Role(role).label}",
                "email": f"{username}@demo.invalid"})
            if created:  # the same public demo password as every demo login, changed at first login
                user.set_password(DEMO_PASSWORD)
                user.save()
                require_password_change(actor=None, user=user)
            add_membership(user=user, department=branch, role=role)
            if created:
                lines.append(f"{username}（{branch.name}，可接收{by_type['police'].name}转送的线索）")
    return lines
