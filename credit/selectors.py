"""Reads: the eligibility answer, the public lists, and who may see the query log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from casework.org.selectors import supervised_jurisdiction_ids, user_departments
from credit.models import CreditRecord, CreditSubject, Domain, EligibilityQuery, Measure, RedListEntry


@dataclass
class Restriction:
    kind: str
    kind_display: str
    domain: str
    domain_display: str
    starts_on: dt.date
    ends_on: dt.date | None
    decision_number: str
    department: str
    legal_basis: str


@dataclass
class Answer:
    code: str
    eligible: bool
    subject_known: bool
    name: str = ""
    restrictions: list[Restriction] = field(default_factory=list)


def eligibility(codes: list[str], domain: str, on: dt.date) -> dict[str, Answer]:
    """Whether each subject may take part in `domain` on `on`, with every restriction that applies.
    Two indexed queries whatever the number of codes."""
    codes = list(dict.fromkeys(c.strip().upper() for c in codes))
    subjects = dict(CreditSubject.objects.filter(code__in=codes).values_list("code", "name"))
    answers = {c: Answer(c, True, c in subjects, subjects.get(c, "")) for c in codes}
    if not subjects:
        return answers
    rows = (Measure.objects.filter(subject__code__in=list(subjects), active=True, domain=domain, starts_on__lte=on)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
            .values_list("subject__code", "kind", "domain", "starts_on", "ends_on", "record__decision_number",
                         "record__department__name", "record__legal_basis"))
    labels, domains = dict(Measure.Kind.choices), dict(Domain.choices)
    for code, kind, dom, starts, ends, number, dept, basis in rows:
        answer = answers[code]
        answer.eligible = False
        answer.restrictions.append(
            Restriction(kind, labels[kind], dom, domains[dom], starts, ends, number, dept, basis))
    return answers


def black_list(q: str = ""):
    """Serious dishonesty (严重失信主体): subjects with an active market ban or a serious record in force."""
    today = timezone.localdate()
    qs = (CreditRecord.objects.filter(status=CreditRecord.Status.ACTIVE, publishable=True)
          .filter(Q(serious=True) | Q(measures__kind=Measure.Kind.MARKET_BAN, measures__active=True))
          .filter(valid_from__lte=today).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
          .select_related("subject", "department").distinct())
    if q:
        qs = qs.filter(Q(subject__name__icontains=q) | Q(subject__code__iexact=q.strip().upper()))
    return qs.order_by("-decided_on")


def red_list(q: str = ""):
    today = timezone.localdate()
    qs = (RedListEntry.objects.filter(valid_from__lte=today)
          .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).select_related("subject", "department"))
    if q:
        qs = qs.filter(Q(subject__name__icontains=q) | Q(subject__code__iexact=q.strip().upper()))
    return qs.order_by("-valid_from")


def published_penalties(q: str = ""):
    qs = (CreditRecord.objects.filter(kind=CreditRecord.Kind.PENALTY, publishable=True,
                                      status=CreditRecord.Status.ACTIVE).select_related("subject", "department"))
    if q:
        qs = qs.filter(Q(subject__name__icontains=q) | Q(subject__code__iexact=q.strip().upper()))
    return qs.order_by("-decided_on")


def query_log_for(user, subject: CreditSubject):
    """Who asked about a subject: visible to the departments that supervise it (issued a record on it)
    and to supervisors of their jurisdictions."""
    issuers = set(subject.records.values_list("department_id", flat=True))
    mine = {d.id for d in user_departments(user)}
    supervised = supervised_jurisdiction_ids(user)
    issuer_jurisdictions = set(subject.records.values_list("department__jurisdiction_id", flat=True))
    if not (issuers & mine or issuer_jurisdictions & supervised):
        return EligibilityQuery.objects.none()
    return EligibilityQuery.objects.filter(subject_code=subject.code).select_related("asked_by").order_by("-asked_at")
