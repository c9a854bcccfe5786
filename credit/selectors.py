"""Reads: the one "in force on date D" rule, the eligibility answer, the public lists, the push states, and
who may see the query log.

`measures_in_force(on)` decides whether a measure restricts a subject on a date, and `published_on(on)`
whether a record is within its publication period. The eligibility answer (API and page), the black list,
the penalty list, the red list and the export all read through them, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from casework.listing import Ledger, ledger
from casework.org.selectors import supervised_jurisdiction_ids, user_departments
from credit import codes as codecheck
from credit.models import CreditPush, CreditRecord, CreditSubject, Domain, EligibilityQuery, Measure, RedListEntry
from credit.publication import publicly_searchable_code_q


# --- the one rule -------------------------------------------------------------------------------------
def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """A measure is in force on `on` when it is active (its record neither repaired nor withdrawn), has
    started (starts_on <= on) and has not ended (ends_on is empty - long-term - or ends_on >= on, the last
    day included)."""
    return (Q(**{f"{prefix}active": True, f"{prefix}starts_on__lte": on})
            & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on})))


def measures_in_force(on: dt.date):
    return Measure.objects.filter(in_force_q(on))


def published_on(on: dt.date, prefix: str = "") -> Q:
    """A record is published on `on` when it may be published, is neither repaired nor withdrawn, and `on`
    lies within its publication period (valid_from .. valid_until, or long-term)."""
    return (Q(**{f"{prefix}publishable": True, f"{prefix}status": CreditRecord.Status.ACTIVE,
                 f"{prefix}valid_from__lte": on})
            & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})))


def red_in_force_q(on: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__lte": on})
            & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})))


# --- eligibility ----------------------------------------------------------------------------------------
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
class RedInfo:
    department: str
    reason: str
    basis: str
    valid_from: dt.date
    valid_until: dt.date | None


@dataclass
class Answer:
    code: str
    eligible: bool | None
    subject_known: bool
    name: str = ""
    on: dt.date | None = None
    valid: bool = True
    error: str = ""
    restrictions: list[Restriction] = field(default_factory=list)
    red_list: list[RedInfo] = field(default_factory=list)


def eligibility(codes: list[str], domain: str, on: dt.date) -> dict[str, Answer]:
    """Whether each subject may take part in `domain` on `on`, with every restriction in force and, as
    information only, its red-list entries. A code that fails its check is answered invalid (eligible None),
    never eligible. Two indexed queries whatever the number of codes (a third only for red-listed ones)."""
    codes = list(dict.fromkeys(codecheck.normalise(c) for c in codes))
    answers, good = {}, []
    for c in codes:
        problem = codecheck.code_problem(c)
        if problem:
            answers[c] = Answer(c, None, False, on=on, valid=False, error=problem)
        else:
            answers[c] = Answer(c, True, False, on=on)
            good.append(c)
    if not good:
        return answers
    red = RedListEntry.objects.filter(red_in_force_q(on), subject=OuterRef("pk"))
    subjects = {code: (name, has_red) for code, name, has_red in CreditSubject.objects.filter(code__in=good)
                .annotate(red=Exists(red)).values_list("code", "name", "red")}
    if not subjects:
        return answers
    for code, (name, _) in subjects.items():
        answers[code].subject_known, answers[code].name = True, name
    rows = (measures_in_force(on).filter(subject__code__in=list(subjects), domain=domain)
            .values_list("subject__code", "kind", "domain", "starts_on", "ends_on", "record__decision_number",
                         "record__department__name", "record__legal_basis"))
    labels, domains = dict(Measure.Kind.choices), dict(Domain.choices)
    for code, kind, dom, starts, ends, number, dept, basis in rows:
        answer = answers[code]
        answer.eligible = False
        answer.restrictions.append(
            Restriction(kind, labels[kind], dom, domains[dom], starts, ends, number, dept, basis))
    red_codes = [c for c, (_, has_red) in subjects.items() if has_red]
    if red_codes:
        for e in (RedListEntry.objects.filter(red_in_force_q(on), subject__code__in=red_codes)
                  .select_related("subject", "department")):
            answers[e.subject.code].red_list.append(
                RedInfo(e.department.name, e.reason, e.basis, e.valid_from, e.valid_until))
    return answers


# --- public lists ---------------------------------------------------------------------------------------
def _search(qs, q: str, prefix: str = "subject__"):
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(**{f"{prefix}name__icontains": q}) | publicly_searchable_code_q(q, prefix))
    return qs


def _with_measures(qs, on: dt.date):
    return qs.prefetch_related(Prefetch("measures", queryset=measures_in_force(on).order_by("domain"),
                                        to_attr="in_force"))


def black_list(q: str = "", on: dt.date | None = None):
    """Serious dishonesty (严重失信主体) on `on`: records that may be published with a market ban in force, or
    serious records with a measure in force; a serious record without measures is listed for its
    publication period. Each row carries `in_force`, the measures in force that day."""
    on = on or timezone.localdate()
    listed = (measures_in_force(on).filter(record__publishable=True, record__status=CreditRecord.Status.ACTIVE)
              .filter(Q(kind=Measure.Kind.MARKET_BAN) | Q(record__serious=True)).values("record_id"))
    bare_serious = published_on(on) & Q(serious=True) & ~Exists(Measure.objects.filter(record=OuterRef("pk")))
    qs = CreditRecord.objects.filter(Q(pk__in=listed) | bare_serious).select_related("subject", "department")
    return _with_measures(_search(qs, q), on).order_by("-decided_on", "-id")


def red_list(q: str = "", on: dt.date | None = None):
    on = on or timezone.localdate()
    qs = RedListEntry.objects.filter(red_in_force_q(on)).select_related("subject", "department")
    return _search(qs, q).order_by("-valid_from", "-id")


def published_penalties(q: str = "", on: dt.date | None = None):
    """Administrative penalties within their publication period on `on`, with the measures in force."""
    on = on or timezone.localdate()
    qs = CreditRecord.objects.filter(published_on(on), kind=CreditRecord.Kind.PENALTY).select_related(
        "subject", "department")
    return _with_measures(_search(qs, q), on).order_by("-decided_on", "-id")


# --- the push to the credit platform -------------------------------------------------------------------
def pushes_for_export(records, *, batch: str = "", since: dt.date | None = None, until: dt.date | None = None,
                      pending: bool = False):
    """The pushes of `records` (already scoped to the actor) for the standard export file: one batch, the
    records decided within a date range, and/or those not yet pushed."""
    qs = CreditPush.objects.filter(record__in=records).select_related("record__subject", "record__department",
                                                                       "delivery")
    if batch:
        qs = qs.filter(batch=batch)
    if since:
        qs = qs.filter(record__decided_on__gte=since)
    if until:
        qs = qs.filter(record__decided_on__lte=until)
    if pending:
        qs = qs.filter(not_pushed_q())
    return qs.order_by("created_at", "id")


def not_pushed_q() -> Q:
    return (Q(channel=CreditPush.Channel.HTTP, delivery__delivered_at__isnull=True)
            | Q(channel=CreditPush.Channel.FILE, confirmed_at__isnull=True))


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


def _subject_code(record) -> str:
    """An enterprise's USCC as it is; a person's (expert's, individual's) ID number masked, as in every export."""
    from casework import privacy
    from credit.models import CreditSubject

    code = record.subject.code
    if record.subject.type in (CreditSubject.Type.EXPERT, CreditSubject.Type.INDIVIDUAL):
        return privacy.mask_id_number(code)
    return code


def record_ledger():
    from casework.ledger import Column

    return [
        Column("决定书文号", lambda r: r.decision_number), Column("主体名称", lambda r: r.subject.name),
        Column("主体类型", lambda r: r.subject.get_type_display()), Column("代码/证件号码", _subject_code),
        Column("类型", lambda r: r.get_kind_display()), Column("严重失信", lambda r: "是" if r.serious else "否"),
        Column("作出部门", lambda r: r.department.name), Column("决定日期", lambda r: r.decided_on),
        Column("有效期至", lambda r: r.valid_until), Column("状态", lambda r: r.get_status_display()),
        Column("罚款金额（元）", lambda r: r.fine_amount),
    ]


def my_records(user):
    """The credit records of my departments (supervisors: their jurisdictions)."""
    from casework.org.selectors import scoped

    return scoped(user, CreditRecord.objects.select_related("subject", "department"), department_fields=("department",))


@ledger("credit.records")
def record_list_ledger(user) -> Ledger:
    from credit.filters import CreditRecordFilter

    return Ledger(CreditRecordFilter, my_records(user).order_by("-decided_on", "-pk"), record_ledger(), "信用记录台账")
