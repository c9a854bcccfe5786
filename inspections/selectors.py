"""Reads: what each actor may see of the pool, the directory and the plans; what the public sees; the credit
standing of a project's parties (computed from the credit app, never copied); and the exact inputs of a draw."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from casework.errors import NotFound
from casework.listing import Ledger, ledger
from casework.org.models import Department
from casework.org.selectors import descendant_jurisdiction_ids, supervised_jurisdiction_ids, user_departments
from inspections import drawing
from inspections.models import Draw, Inspector, Item, Plan, Project, RiskLevel, Speciality, Target, TeamMember

# --- scope ------------------------------------------------------------------------------------


def _my_jurisdictions(user) -> set[int]:
    """The jurisdictions of the user's departments and everything below them, plus what a supervisor oversees."""
    own = {d.jurisdiction_id for d in user_departments(user)}
    return (descendant_jurisdiction_ids(own) if own else set()) | supervised_jurisdiction_ids(user)


def visible_projects(user):
    """The directory is shared inside a jurisdiction: every department there may plan inspections over it."""
    return (Project.objects.filter(supervising_department__jurisdiction_id__in=_my_jurisdictions(user))
            .select_related("supervising_department", "registered_department"))


def get_project(user, pk) -> Project:
    project = visible_projects(user).filter(pk=pk).first()
    if project is None:
        raise NotFound("未找到该检查对象。")
    return project


def visible_inspectors(user):
    """Each department sees its own staff (and their declared links); supervisors see their jurisdiction."""
    depts = [d.id for d in user_departments(user)]
    supervised = supervised_jurisdiction_ids(user)
    return (Inspector.objects.filter(Q(department_id__in=depts) | Q(department__jurisdiction_id__in=supervised))
            .select_related("department"))


def get_inspector(user, pk) -> Inspector:
    inspector = visible_inspectors(user).filter(pk=pk).first()
    if inspector is None:
        raise NotFound("未找到该执法人员。")
    return inspector


def visible_items(user):
    return Item.objects.filter(department__jurisdiction_id__in=_my_jurisdictions(user)).select_related("department")


def visible_plans(user):
    """The lead and participating departments, the departments whose staff were drawn, and supervisors."""
    if not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    depts = [d.id for d in user_departments(user)]
    # The supervision office organises 双随机一公开 across its jurisdiction (Pingdingshan 18): all of its staff
    # see the plans there, not only its supervisors.
    offices = {d.jurisdiction_id for d in user_departments(user) if d.is_supervision_office}
    supervised = supervised_jurisdiction_ids(user) | (descendant_jurisdiction_ids(offices) if offices else set())
    drawn = Target.objects.filter(team__inspector__department_id__in=depts).values("draw__plan_id")
    ids = Plan.objects.filter(Q(lead_department_id__in=depts) | Q(participants__in=depts)
                              | Q(lead_department__jurisdiction_id__in=supervised) | Q(pk__in=drawn)).values("pk")
    return Plan.objects.filter(pk__in=ids).select_related("lead_department", "current_draw")


def get_plan(user, pk) -> Plan:
    plan = visible_plans(user).filter(pk=pk).first()
    if plan is None:
        raise NotFound("未找到该抽查计划。")
    return plan


def get_draw(plan: Plan, number) -> Draw:
    found = plan.draws.select_related("drawn_by").filter(number=number).first()
    if found is None:
        raise NotFound("未找到该抽取记录。")
    return found


def targets_of(draw: Draw | None):
    if draw is None:
        return Target.objects.none()
    return (draw.targets.select_related("project__supervising_department", "recorded_by")
            .prefetch_related("team__inspector__department", "team__replaces__inspector"))


def serving(target: Target) -> list[TeamMember]:
    """The inspectors who serve on a target now (those replaced are left out)."""
    return [m for m in target.team.all() if m.replaced_at is None]


def thin_pool_warnings(targets: list[Target]) -> list[str]:
    """Plain warnings when the pool was too thin for the plan, so that the same few people carry most targets:
    anyone drawn for more than half of the targets (with at least two targets)."""
    if len(targets) < 2:
        return []
    load: dict[int, list] = {}
    for t in targets:
        for m in serving(t):
            load.setdefault(m.inspector_id, [m.inspector, 0])[1] += 1
    heavy = sorted((row for row in load.values() if row[1] * 2 > len(targets)), key=lambda r: (-r[1], r[0].pk))
    return [f"执法人员库偏少：{person.name}（{person.department.display_name}）被选派到"
            f"{'全部' if n == len(targets) else ''} {n} 个检查对象（共 {len(targets)} 个）。"
            f"可扩充执法人员库后重新抽取，或对不能到岗的人员单独替换。" for person, n in heavy]


# --- public -------------------------------------------------------------------------------------
PUBLIC_STATUSES = (Plan.Status.DRAWN, Plan.Status.ENDED, Plan.Status.PUBLISHED)


def public_items():
    return Item.objects.filter(active=True).select_related("department").order_by("department__code", "id")


def public_plans():
    """Plans are public once drawn (items, scope, ratios, period); their targets and results once published."""
    return (Plan.objects.filter(status__in=PUBLIC_STATUSES).select_related("lead_department", "current_draw")
            .prefetch_related("participants", "items").order_by("-starts_on", "-id"))


def get_public_plan(pk) -> Plan:
    plan = public_plans().filter(pk=pk).first()
    if plan is None:
        raise NotFound("未找到该抽查计划，或尚未公开。")
    return plan


def public_record(draw: Draw) -> dict:
    """A published draw's record for anyone to re-run: conflict reasons (declared links) are left out; the draw
    uses only the excluded ids, so the record re-runs to the same result."""
    record = draw.record
    inputs = dict(record["inputs"])
    inputs["conflicts"] = {code: [entry[0] for entry in entries]
                           for code, entries in inputs.get("conflicts", {}).items()}
    inputs.pop("ineligible", None)
    return {**record, "inputs": inputs}


# --- credit standing (read from the credit app) ---------------------------------------------------
GOOD, RECORDS, BLACK = "good", "records", "black"
STANDING_LABELS = {GOOD: "无失信记录", RECORDS: "有有效的不良行为/处罚记录", BLACK: "严重失信"}
_ORDER = {GOOD: 0, RECORDS: 1, BLACK: 2}


@dataclass
class PartyStanding:
    code: str
    level: str = GOOD
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.level]


def credit_standing(codes, on: dt.date) -> dict[str, PartyStanding]:
    """Each USCC's standing on `on`: 严重失信 (a serious record or a market ban in force), 有记录 (any record
    in force), or 无. Two queries whatever the number of codes."""
    from credit.models import CreditRecord, Measure

    codes = sorted({c.strip().upper() for c in codes if c and c.strip()})
    out = {c: PartyStanding(c) for c in codes}
    if not codes:
        return out
    in_force = (Q(status=CreditRecord.Status.ACTIVE, valid_from__lte=on)
                & (Q(valid_until__isnull=True) | Q(valid_until__gte=on)))
    for code, serious, number, dept in (CreditRecord.objects.filter(in_force, subject__code__in=codes)
                                        .values_list("subject__code", "serious", "decision_number",
                                                     "department__short_name")):
        standing = out[code]
        level = BLACK if serious else RECORDS
        if _ORDER[level] > _ORDER[standing.level]:
            standing.level = level
        standing.notes.append(f"{dept} {number}{'（严重失信）' if serious else ''}")
    from credit.selectors import measures_in_force  # the one "in force on D" rule of credit

    bans = (measures_in_force(on).filter(subject__code__in=codes, kind=Measure.Kind.MARKET_BAN)
            .values_list("subject__code", flat=True).distinct())
    for code in bans:
        out[code].level = BLACK
        out[code].notes.append("市场禁入期内")
    return out


@dataclass
class ProjectStanding:
    level: str
    parties: list[tuple[str, str, str, PartyStanding]]  # (role, name, code, standing)

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.level]


def project_standings(projects, on: dt.date | None = None) -> dict[int, ProjectStanding]:
    on = on or timezone.localdate()
    projects = list(projects)
    standings = credit_standing([code for p in projects for _, _, code in p.parties], on)
    out = {}
    for p in projects:
        parties = [(role, name, code, standings.get(code.upper(), PartyStanding(code)))
                   for role, name, code in p.parties]
        level = max((s.level for *_, s in parties), key=_ORDER.__getitem__, default=GOOD)
        out[p.pk] = ProjectStanding(level, parties)
    return out


UP = {RiskLevel.LOW: RiskLevel.MEDIUM, RiskLevel.MEDIUM: RiskLevel.HIGH, RiskLevel.HIGH: RiskLevel.HIGH}
STRATUM_RULE = ("抽取分层：按名录库登记的风险等级；当事人严重失信（含市场禁入期内）的列入高风险层，"
                "有有效不良行为或处罚记录的上调一级。")


def stratum(declared: str, standing: str) -> str:
    """The risk stratum a project is drawn in: its declared risk level, raised by its parties' credit."""
    if standing == BLACK:
        return RiskLevel.HIGH.value
    if standing == RECORDS:
        return UP[RiskLevel(declared)].value
    return declared


# --- the inputs of a draw ---------------------------------------------------------------------------
def candidate_projects(plan: Plan):
    """The plan's object scope in the directory: projects supervised in the lead's jurisdiction that finished
    tendering in the scope period, narrowed by trading field and supervising department if the plan says so."""
    jurisdictions = descendant_jurisdiction_ids({plan.lead_department.jurisdiction_id})
    qs = Project.objects.filter(supervising_department__jurisdiction_id__in=jurisdictions,
                                tender_completed_on__gte=plan.scope_from, tender_completed_on__lte=plan.scope_to)
    if plan.trading_fields:
        qs = qs.filter(trading_field__in=plan.trading_fields)
    scope = [d.pk for d in plan.scope_departments.all()]
    if scope:
        qs = qs.filter(supervising_department_id__in=scope)
    return qs.order_by("project_code")


# Departments that supervise trading and enforce in it (not courts, procuratorates, discipline organs, police,
# audit, or the trading centre): who may lead or join a plan, and whose projects the directory holds.
NOT_ENFORCING = (Department.Type.TRADING_CENTRE, Department.Type.COURT, Department.Type.PROCURATORATE,
                 Department.Type.DISCIPLINE, Department.Type.POLICE, Department.Type.AUDIT)


def enforcement_departments():
    return (Department.objects.filter(active=True).exclude(type__in=NOT_ENFORCING)
            .select_related("jurisdiction").order_by("jurisdiction__code", "code"))


def team_labels(team: list[dict]) -> str:
    labels = dict(Speciality.choices)
    return "、".join(f"{labels.get(s['speciality'], s['speciality'])} {s['count']} 名" for s in team)


def plan_departments(plan: Plan) -> list[Department]:
    return [plan.lead_department, *plan.participants.order_by("code")]


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", (name or "")).replace("（", "(").replace("）", ")")


def conflict(inspector: Inspector, project: Project) -> str:
    """Why `inspector` may not inspect `project` (empty if they may): they declared a link to one of its parties.
    Working for the project's supervising department is no conflict: each supervising department inspects its
    own field (Hegang 三(三) "由行政监督部门对本领域…监督检查")."""
    parties = [(role, name, code.upper()) for role, name, code in project.parties]
    for link in inspector.declared_links or []:
        code, name = str(link.get("uscc") or "").upper(), _norm(link.get("name", ""))
        for role, party_name, party_code in parties:
            if (code and code == party_code) or (name and name == _norm(party_name)):
                return f"申报与{role}（{party_name}）存在关联"
    return ""


def draw_inputs(plan: Plan, on: dt.date) -> dict:
    """Everything the draw depends on, in a fixed order: the candidates of each risk stratum (by project
    code), the ratios, the team required per target, the eligible inspectors (by id) and, per candidate,
    the inspectors excluded for a conflict of interest with the reason."""
    projects = list(candidate_projects(plan).select_related("supervising_department"))
    standings = project_standings(projects, on)
    strata = {level: [] for level in drawing.LEVELS}
    for p in projects:
        strata[stratum(p.risk_level, standings[p.pk].level)].append(p.project_code)
    pool, ineligible = [], []
    for person in (Inspector.objects.filter(department__in=plan_departments(plan), active=True)
                   .select_related("department").order_by("pk")):
        if person.certificate_expires_on < plan.ends_on:
            ineligible.append([person.pk, person.name, f"执法证有效期至{person.certificate_expires_on:%Y-%m-%d}，"
                                                       f"早于计划结束日{plan.ends_on:%Y-%m-%d}"])
        else:
            pool.append(person)
    conflicts = {}
    for p in projects:
        rows = [[person.pk, why] for person in pool if (why := conflict(person, p))]
        if rows:
            conflicts[p.project_code] = rows
    labels = dict(Speciality.choices)
    ratios = plan.ratios
    return {
        "algorithm": drawing.ALGORITHM,
        "plan": plan.reference,
        "on": on.isoformat(),
        "rounding": drawing.ROUNDING,
        "stratum_rule": STRATUM_RULE,
        "strata": [{"level": level, "ratio": format(ratios[level].normalize(), "f"), "candidates": strata[level]}
                   for level in drawing.LEVELS],
        "team": [{"speciality": slot["speciality"], "label": labels.get(slot["speciality"], slot["speciality"]),
                  "count": slot["count"]} for slot in plan.team],
        "inspectors": [{"id": person.pk, "name": person.name, "department": person.department.display_name,
                        "specialities": sorted(person.specialities)} for person in pool],
        "conflicts": conflicts,
        "ineligible": ineligible,
    }


# --- verification ------------------------------------------------------------------------------------
@dataclass
class Verification:
    ok: bool
    rerun_matches: bool  # re-running the stored inputs with the stored seed gives the stored result
    chain_matches: bool  # seed, inputs and result are those the hash-chained audit event recorded at draw time
    recomputed: dict | None
    message: str


def verify_draw(draw: Draw) -> Verification:
    """Re-run a stored draw and check it against the audit event written when it was drawn."""
    from casework.events.services import timeline

    rerun_ok, again, why = drawing.verify({"seed": draw.seed, "inputs": draw.inputs, "result": draw.result})
    recorded = next((e.after for e in timeline(draw.plan).filter(action__in=["inspection.drawn", "inspection.redrawn"])
                     if (e.after or {}).get("draw") == draw.number), {})
    chain_ok = (recorded.get("seed") == draw.seed
                and recorded.get("inputs_sha256") == drawing.digest(draw.inputs) == draw.inputs_sha256
                and recorded.get("result_sha256") == drawing.digest(draw.result) == draw.result_sha256)
    if not rerun_ok:
        message = why
    elif not chain_ok:
        message = "存储的种子、输入或结果与抽取时写入审计链的记录不符（可能已被改动）"
    else:
        message = "用记录的种子和输入重新抽取，结果与记录完全相同，且与抽取时写入审计链的哈希相符"
    return Verification(rerun_ok and chain_ok, rerun_ok, chain_ok, again, message)


STRATUM_LABELS = {"high": "高", "medium": "中", "low": "低"}


def project_ledger():
    """The directory's ledger: what the page shows, with every party and its credit standing as of today."""
    from casework.ledger import Column
    from casework.privacy import mask_text

    def standing(p):  # one credit read per row, kept on the row for its other columns
        if not hasattr(p, "_standing"):
            p._standing = project_standings([p])[p.pk]
        return p._standing

    return [
        Column("项目编号", lambda p: p.project_code), Column("项目名称", lambda p: p.name),
        Column("交易领域", lambda p: p.get_trading_field_display()),
        Column("行政监督部门", lambda p: p.supervising_department.name),
        Column("完成招投标日期", lambda p: p.tender_completed_on),
        Column("中标金额（万元）", lambda p: p.contract_amount),
        Column("风险等级", lambda p: p.get_risk_level_display()), Column("风险等级依据", lambda p: p.risk_reason),
        Column("招标人", lambda p: p.tenderer_name),
        Column("招标人统一社会信用代码", lambda p: mask_text(p.tenderer_uscc)),  # an individual business's masked
        Column("中标人", lambda p: p.winner_name), Column("中标人统一社会信用代码", lambda p: mask_text(p.winner_uscc)),
        Column("招标代理机构", lambda p: p.agency_name),
        Column("当事人信用", lambda p: standing(p).label),
        Column("抽取分层", lambda p: STRATUM_LABELS[stratum(p.risk_level, standing(p).level)]),
        Column("登记单位", lambda p: p.registered_department.name), Column("来源", lambda p: p.get_source_display()),
    ]


def plan_ledger():
    from casework.ledger import Column

    return [
        Column("计划编号", lambda p: p.reference), Column("计划名称", lambda p: p.title),
        Column("牵头单位", lambda p: p.lead_department.name),
        Column("参与单位", lambda p: "、".join(d.name for d in p.participants.all())),
        Column("检查开始日期", lambda p: p.starts_on), Column("计划结束日期", lambda p: p.ends_on),
        Column("状态", lambda p: p.get_status_display()), Column("检查结束时间", lambda p: p.ended_at),
        Column("结果公开时间", lambda p: p.published_at),
    ]


@ledger("inspections.plans")
def plan_list_ledger(user) -> Ledger:
    from inspections.filters import PlanFilter

    return Ledger(PlanFilter, visible_plans(user).prefetch_related("participants").order_by("-created_at", "-id"),
                  plan_ledger(), "双随机抽查计划台账")


@ledger("inspections.projects")
def project_list_ledger(user) -> Ledger:
    from inspections.filters import ProjectFilter

    rows = visible_projects(user).order_by("-tender_completed_on", "project_code")
    return Ledger(ProjectFilter, rows, project_ledger(), "检查对象名录库")
