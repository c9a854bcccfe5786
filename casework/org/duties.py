"""Separated administrative duties (三员分立; GB/T 22239-2019 level 3: least privilege, separated duties).

- 系统管理员 (Membership.Role.ADMIN): users, departments, jurisdictions, the calendar, rule profiles, API clients;
- 安全管理员 (SECURITY_ADMIN): roles (memberships), groups and permissions, e.g. who is cleared for
  complaints.view_complainant;
- 安全审计员 (AUDITOR): reads and verifies the audit trail (casework.view_auditlog).

Each duty is a Django group of model permissions used by /admin/. None of them is a case role: the holder
is not a member of the department's access group, `user_departments` ignores the duty, and no duty carries
a case object's permission. One person holds one duty and no case role; nobody is a superuser.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from casework.errors import DomainError
from casework.org.models import ADMIN_DUTIES, Membership

GROUP_NAMES = {
    Membership.Role.ADMIN: "三员：系统管理员",
    Membership.Role.SECURITY_ADMIN: "三员：安全管理员",
    Membership.Role.AUDITOR: "三员：安全审计员",
}

# (app_label, model, actions)
DUTY_PERMISSIONS = {
    Membership.Role.ADMIN: [
        ("auth", "user", ("add", "change", "view")),
        ("casework", "jurisdiction", ("add", "change", "view")),
        ("casework", "department", ("add", "change", "view")),
        ("casework", "calendaryear", ("add", "change", "delete", "view")),  # delete = unload, audited
        ("casework", "calendarday", ("add", "change", "delete", "view")),
        ("casework", "ruleprofile", ("change", "view")),
        ("casework", "rule", ("change", "view")),
        ("casework", "ruleversion", ("view",)),
        ("casework", "apiclient", ("change", "view")),
        ("referrals", "penaltypowermove", ("add", "change", "delete", "view")),
        ("credit", "expertpoolmembership", ("add", "delete", "view")),  # which department manages which pool
        ("axes", "accessattempt", ("view",)),  # locked-out usernames, unlocked by the audited action
    ],
    Membership.Role.SECURITY_ADMIN: [
        ("auth", "user", ("change", "view")),
        ("auth", "group", ("add", "change", "delete", "view")),
        ("auth", "permission", ("view",)),
        ("casework", "membership", ("add", "change", "delete", "view")),
    ],
    Membership.Role.AUDITOR: [
        ("casework", "event", ("view", "auditlog")),
    ],
}

AUDIT_PERM = ("casework", "view_auditlog")


def audit_permission() -> Permission:
    """The auditor's permission on the audit trail; another branch may declare it on Event's Meta too."""
    ct = ContentType.objects.get(app_label="casework", model="event")
    perm, _ = Permission.objects.get_or_create(content_type=ct, codename="view_auditlog",
                                               defaults={"name": "查阅和核验审计日志"})
    return perm


def _permissions(duty: str) -> list[Permission]:
    perms = []
    for app_label, model, actions in DUTY_PERMISSIONS[duty]:
        for action in actions:
            if action == "auditlog":
                perms.append(audit_permission())
                continue
            perm = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model,
                                             codename=f"{action}_{model}").first()
            if perm is not None:
                perms.append(perm)
    return perms


def duty_group(duty: str) -> Group:
    """The group of a duty with exactly its permissions (idempotent)."""
    group, _ = Group.objects.get_or_create(name=GROUP_NAMES[duty])
    group.permissions.set(_permissions(duty))
    return group


@transaction.atomic
def assign_duty(*, user, duty: str) -> None:
    """Make `user` hold `duty` (called by add_membership for the duty roles): staff access to /admin/,
    the duty's group, never a superuser, never combined with another duty or a case role."""
    if duty not in ADMIN_DUTIES:
        raise DomainError.for_field("role", f"{duty} 不是管理职责")
    others = set(Membership.objects.filter(user=user).exclude(role=duty).values_list("role", flat=True))
    if others:
        labels = "、".join(Membership.Role(r).label for r in sorted(others))
        raise DomainError.for_field(
            "role", f"三员分立：{user.username} 已担任{labels}，不能再担任{Membership.Role(duty).label}")
    user.is_staff, user.is_superuser = True, False
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(duty_group(duty))


def refuse_case_role_for_duty_holder(*, user, role: str) -> None:
    held = set(Membership.objects.filter(user=user, role__in=ADMIN_DUTIES).values_list("role", flat=True))
    if held:
        labels = "、".join(Membership.Role(r).label for r in sorted(held))
        raise DomainError.for_field("role", f"三员分立：{user.username} 已担任{labels}，不能再担任办案角色")
