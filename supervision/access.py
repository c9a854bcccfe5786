"""Who sees what on the dashboard, as data: each membership role, in a kind of department, grants a reach.

| role                | in the supervision office or a DRC | in any other department            |
|---------------------|-------------------------------------|------------------------------------|
| 监管人员 supervisor | the jurisdiction (and below)        | —                                  |
| 负责人 leader       | the jurisdiction (and below)        | own rows + the jurisdiction's averages |
| 经办人/联络员/接口        | own department's rows         | own department's rows              |

The committee's (公管委) leaders hold the leader role in the office that hosts it. Superuser is not a case role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.org.models import Department, Membership
from casework.org.selectors import descendant_jurisdiction_ids

JURISDICTION, OWN_WITH_AVERAGES, OWN = "jurisdiction", "own+averages", "own"

# (role, department is the office or a DRC) -> reach
REACH: dict[tuple[str, bool], str] = {
    (Membership.Role.SUPERVISOR, True): JURISDICTION,
    (Membership.Role.LEADER, True): JURISDICTION,
    (Membership.Role.LEADER, False): OWN_WITH_AVERAGES,
    (Membership.Role.HANDLER, True): OWN,
    (Membership.Role.HANDLER, False): OWN,
    (Membership.Role.LIAISON, True): OWN,
    (Membership.Role.LIAISON, False): OWN,
    # The 三员 (system and security administrators, auditor) hold no case role: no rows (casework.org.duties).
    (Membership.Role.API, True): OWN,        # an API client sees what its department's handlers see
    (Membership.Role.API, False): OWN,
}
RANK = {OWN: 0, OWN_WITH_AVERAGES: 1, JURISDICTION: 2}


@dataclass
class Scope:
    """Departments whose rows the actor sees, and the jurisdictions whose averages (city figures) they see."""

    jurisdiction_ids: set[int] = field(default_factory=set)   # every department in these
    department_ids: set[int] = field(default_factory=set)     # plus these departments' own rows
    average_jurisdiction_ids: set[int] = field(default_factory=set)
    offices: list[Department] = field(default_factory=list)   # supervision offices the actor may act for

    @property
    def empty(self) -> bool:
        return not (self.jurisdiction_ids or self.department_ids)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.jurisdiction_ids)

    @property
    def can_supervise(self) -> bool:
        """May issue 督办函 and draft 通报: a supervisor of a supervision office (a DRC or committee leader reads
        the jurisdiction but does not act for the office)."""
        return bool(self.offices)

    def departments(self):
        from django.db.models import Q

        if self.empty:
            return Department.objects.none()
        return (Department.objects.filter(Q(jurisdiction_id__in=self.jurisdiction_ids)
                                          | Q(id__in=self.department_ids))
                .select_related("jurisdiction").order_by("jurisdiction__code", "code"))

    def sees(self, department: Department) -> bool:
        return department.jurisdiction_id in self.jurisdiction_ids or department.id in self.department_ids


def is_drc(department: Department) -> bool:
    return department.is_supervision_office or department.type == Department.Type.DRC


def scope_for(user) -> Scope:
    scope = Scope()
    if not getattr(user, "is_authenticated", False):
        return scope
    cached = getattr(user, "_supervision_scope", None)
    if cached is not None:
        return cached
    roots: set[int] = set()
    for m in Membership.objects.filter(user=user, department__active=True).select_related("department"):
        reach = REACH.get((m.role, is_drc(m.department)))
        if reach == JURISDICTION:
            roots.add(m.department.jurisdiction_id)
            if m.department.is_supervision_office and m.role == Membership.Role.SUPERVISOR:
                scope.offices.append(m.department)
        elif reach == OWN_WITH_AVERAGES:
            scope.department_ids.add(m.department_id)
            scope.average_jurisdiction_ids.add(m.department.jurisdiction_id)
        elif reach == OWN:
            scope.department_ids.add(m.department_id)
    if roots:
        scope.jurisdiction_ids = descendant_jurisdiction_ids(roots)
        scope.average_jurisdiction_ids |= scope.jurisdiction_ids
    user._supervision_scope = scope
    return scope
