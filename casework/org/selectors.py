"""What an actor belongs to and may see. Every read in the portal starts here."""

from __future__ import annotations

from casework.org.models import CASE_ROLES, Department, Jurisdiction, Membership


def _memberships(user) -> list[Membership]:
    """Every membership of the user with its department and jurisdiction, read once per user object (a request's):
    departments, roles and supervised jurisdictions are all worked out from this one query."""
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = user._portal_memberships = list(
            Membership.objects.filter(user=user).select_related("department__jurisdiction"))
    return cached


def forget_memberships(user) -> None:
    """This user object's cached reads are stale (a membership was added or removed)."""
    user._portal_memberships = user._portal_departments = user._portal_supervised = None


def user_departments(user) -> list[Department]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_portal_departments", None)
    if cached is None:
        # Only case roles make a department "mine": an administrative duty reads no case of its department.
        mine = {m.department_id: m.department for m in _memberships(user)
                if m.role in CASE_ROLES and m.department.active}
        cached = sorted(mine.values(), key=lambda d: (d.jurisdiction.code, d.code))  # Department's ordering
        user._portal_departments = cached
    return cached


def group_departments(user):
    """The ids (a subquery, no query of its own) of the departments whose access group `user` is in, whatever the
    role or the department's state: exactly the departments an object permission granted to a department group
    (org.services.grant) reaches. Narrower readings (case roles in active departments) are user_departments'."""
    return Department.objects.filter(group__user=user).values("pk")


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in _memberships(user)}


def descendant_jurisdiction_ids(root_ids: set[int]) -> set[int]:
    parents = dict(Jurisdiction.objects.values_list("id", "parent_id"))
    result = set(root_ids)
    changed = True
    while changed:
        changed = False
        for jid, parent in parents.items():
            if parent in result and jid not in result:
                result.add(jid)
                changed = True
    return result


def supervised_jurisdiction_ids(user) -> set[int]:
    """Jurisdictions (with everything below them) a supervisor oversees."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_portal_supervised", None)  # read once per user object, as user_departments
    if cached is None:
        roots = {m.department.jurisdiction_id for m in _memberships(user)
                 if m.role == Membership.Role.SUPERVISOR and m.department.is_supervision_office}
        cached = user._portal_supervised = frozenset(descendant_jurisdiction_ids(roots) if roots else set())
    return set(cached)


def supervision_office_for(jurisdiction: Jurisdiction) -> Department | None:
    """The nearest supervision office at or above a jurisdiction."""
    for node in jurisdiction.lineage():
        office = Department.objects.filter(jurisdiction=node, is_supervision_office=True,
                                           active=True).first()
        if office:
            return office
    return None


def departments_for_api(user):
    """Departments are public facts inside the government network: every client may list them."""
    return Department.objects.filter(active=True).select_related("jurisdiction")


def scoped(user, queryset, *, department_fields: tuple[str, ...], perm: str | None = None):
    """What `user` may see of `queryset`, the one rule every read follows:

    - with `perm`: the rows granted to the user's department groups (django-guardian);
      without it: the rows where one of `department_fields` is one of the user's departments;
    - plus, for supervisors, the rows where one of `department_fields` lies in a jurisdiction they oversee.
    Anonymous users see nothing.
    """
    from django.db.models import Q
    from guardian.shortcuts import get_objects_for_user

    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    visible = Q()
    if perm:
        granted = get_objects_for_user(user, perm, klass=queryset.model, accept_global_perms=False,
                                       with_superuser=False)  # superuser is not a case role
        visible |= Q(pk__in=granted.values("pk"))
    else:
        depts = [d.id for d in user_departments(user)]
        for field in department_fields:
            visible |= Q(**{f"{field}_id__in": depts})
    supervised = supervised_jurisdiction_ids(user)
    if supervised:
        for field in department_fields:
            visible |= Q(**{f"{field}__jurisdiction_id__in": supervised})
    return queryset.filter(visible)


def require_member(actor, department: Department, what: str) -> None:
    """Refuse (403) an action `what` on behalf of a department the actor does not belong to."""
    from casework.errors import Forbidden

    if department not in user_departments(actor):
        raise Forbidden(f"只有{department.name}的工作人员可以{what}")
