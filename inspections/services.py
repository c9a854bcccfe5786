"""Every state change of 双随机一公开: the staff pool, the object directory, items, plans, the recorded draw and
re-draw, the end of the inspection (the publication clock starts), results per target, and publication (the
clock is met, the public notice issued). Keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.clocks.services import complete_clock, open_clocks_for, start_clock
from casework.clocks.timing import format_due
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import record as audit
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.references import numbered, placeholder
from casework.rules.powers import require_power
from casework.trading import TradingField
from casework.validators import uscc_problem
from inspections import drawing, selectors
from inspections.models import Draw, Inspector, Item, Plan, Project, RiskLevel, Speciality, Target, TeamMember

STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_IMPORT_ROWS = 5000
PUBLISH_RULE = "inspection.publish_results"


def _fail(what: str, errors: dict[str, list[str]], labels: dict[str, str]) -> DomainError:
    text = "；".join(f"{labels.get(k.split('.')[0], k)}：{v[0]}" for k, v in errors.items())
    return DomainError(f"{what}有误：{text}", field_errors=errors)


def _choice(value, choices, field_name: str, label: str, errors: dict) -> str:
    """A choice given by its code or its Chinese label."""
    raw = str(value or "").strip()
    by_label = {str(lbl): code for code, lbl in choices.choices}
    if raw in choices.values:
        return raw
    if raw in by_label:
        return by_label[raw]
    errors[field_name] = [f"{label}须为 {'、'.join(str(lbl) for lbl in choices.labels)} 之一" if raw
                          else f"请选择{label}"]
    return ""


def _date(value, field_name: str, label: str, errors: dict, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value or "").strip()
    if not raw:
        if required:
            errors[field_name] = [f"请填写{label}"]
        return None
    try:
        return dt.date.fromisoformat(raw.replace("/", "-"))
    except ValueError:
        errors[field_name] = [f"{label}“{raw}”不是有效日期（格式 YYYY-MM-DD）"]
        return None


def _text(value, field_name: str, label: str, limit: int, errors: dict, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[field_name] = [f"请填写{label}"]
    elif len(text) > limit:
        errors[field_name] = [f"{label}不能超过{limit}个字"]
    return text


def _enforcement_department(actor, department: Department, what: str) -> None:
    require_member(actor, department, what)
    if department.type in selectors.NOT_ENFORCING:
        raise Forbidden(f"{department.name}不是公共资源交易的行政监督部门，不能{what}")


# --- CSV ----------------------------------------------------------------------------------------
def _read_csv(content: bytes, filename: str, columns: dict[str, str], required: set[str]) -> list[tuple[int, dict]]:
    """Rows of a UTF-8 CSV file whose header names each column by its key or its Chinese label."""
    if not (filename or "").lower().endswith(".csv"):
        raise DomainError.for_field("file", "只接受 .csv 文件（UTF-8 编码，首行为列名）")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError.for_field("file", "文件须为 UTF-8 编码（在 Excel 中请另存为“CSV UTF-8”）") from exc
    reader = csv.DictReader(io.StringIO(text))
    aliases = {}
    for key, label in columns.items():
        aliases[key] = aliases[label] = aliases[re.sub(r"（.*?）", "", label)] = key
    mapping = {h: aliases[h.strip()] for h in (reader.fieldnames or []) if h and h.strip() in aliases}
    missing = [columns[k] for k in columns if k in required and k not in mapping.values()]
    if missing:
        raise DomainError.for_field("file", f"CSV 缺少列：{'、'.join(missing)}（首行列名可用中文或英文）")
    rows = []
    for number, raw in enumerate(reader, start=2):
        row = {mapping[h]: (v or "").strip() for h, v in raw.items() if h in mapping and isinstance(v, str | None)}
        if any(row.values()):
            rows.append((number, row))
    if not rows:
        raise DomainError.for_field("file", "文件中没有数据行")
    if len(rows) > MAX_IMPORT_ROWS:
        raise DomainError.for_field("file", f"一次最多导入 {MAX_IMPORT_ROWS} 行，文件有 {len(rows)} 行")
    return rows


def _row_errors(number: int, exc: DomainError, labels: dict[str, str]) -> list[str]:
    if not exc.field_errors:
        return [f"第 {number} 行：{exc.message}"]
    return [f"第 {number} 行 {labels.get(k.split('.')[0], k)}：{v[0]}" for k, v in exc.field_errors.items()]


def _import_failed(problems: list[str]) -> DomainError:
    shown = problems[:20] + ([f"……另有 {len(problems) - 20} 处错误"] if len(problems) > 20 else [])
    message = "导入失败，未导入任何记录。" + "；".join(shown)
    return DomainError(message, field_errors={"file": [message]})


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# --- the enforcement staff pool -------------------------------------------------------------------
INSPECTOR_LABELS = {"name": "姓名", "certificate_number": "执法证号", "certificate_expires_on": "执法证有效期至",
                    "specialities": "业务专长", "active": "在库", "declared_links": "申报关联企业"}
CERTIFICATE_RE = re.compile(r"^[0-9A-Za-z\-]{4,32}$")


@dataclass
class InspectorInput:
    name: str
    certificate_number: str
    certificate_expires_on: dt.date | str | None
    specialities: list[str]
    active: bool = True
    declared_links: list[dict] = field(default_factory=list)


def _clean_inspector(data: InspectorInput) -> dict:
    errors: dict[str, list[str]] = {}
    name = _text(data.name, "name", "姓名", 50, errors)
    number = (data.certificate_number or "").strip().upper()
    if not number:
        errors["certificate_number"] = ["请填写执法证号"]
    elif not CERTIFICATE_RE.match(number):
        errors["certificate_number"] = ["执法证号应为4–32位字母、数字或连字符"]
    expires = _date(data.certificate_expires_on, "certificate_expires_on", "执法证有效期至", errors)
    specialities = []
    for raw in data.specialities or []:
        code = _choice(raw, Speciality, "specialities", "业务专长", errors)
        if code and code not in specialities:
            specialities.append(code)
    if not specialities and "specialities" not in errors:
        errors["specialities"] = ["请至少选择一项业务专长"]
    links = []
    for i, link in enumerate(data.declared_links or []):
        link_name = str(link.get("name") or "").strip() if isinstance(link, dict) else ""
        code = str(link.get("uscc") or "").strip().upper() if isinstance(link, dict) else ""
        if not link_name and not code:
            errors[f"declared_links.{i}"] = ["每项关联企业须有名称或统一社会信用代码"]
        elif code and uscc_problem(code):
            errors[f"declared_links.{i}"] = [f"{link_name or '关联企业'}：{uscc_problem(code)}"]
        else:
            links.append({"name": link_name[:200], "uscc": code})
    if errors:
        raise _fail("执法人员信息", errors, INSPECTOR_LABELS)
    return {"name": name, "certificate_number": number, "certificate_expires_on": expires,
            "specialities": specialities, "active": bool(data.active), "declared_links": links}


def _inspector_snapshot(person: Inspector) -> dict:
    return {"name": person.name, "certificate_number": person.certificate_number,
            "certificate_expires_on": person.certificate_expires_on, "specialities": list(person.specialities),
            "active": person.active, "declared_links": list(person.declared_links)}


@transaction.atomic
def save_inspector(*, actor, department: Department, data: InspectorInput,
                   inspector: Inspector | None = None) -> Inspector:
    """Add a person to the department's pool, or update one: each department keeps its own staff."""
    clean = _clean_inspector(data)
    if inspector is not None:
        inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
        department = inspector.department
    _enforcement_department(actor, department, "维护本单位的执法人员库")
    taken = Inspector.objects.filter(certificate_number=clean["certificate_number"])
    if inspector is not None:
        taken = taken.exclude(pk=inspector.pk)
    other = taken.select_related("department").first()
    if other is not None:
        raise Conflict(f"执法证号 {clean['certificate_number']} 已登记在{other.department.name}的{other.name}名下",
                       field_errors={"certificate_number": ["该执法证号已登记"]})
    if inspector is None:
        inspector = Inspector.objects.create(department=department, **clean)
        audit(actor=actor, obj=inspector, action="inspection.inspector_added",
              after={**_inspector_snapshot(inspector), "department": department.code})
        return inspector
    before = _inspector_snapshot(inspector)
    changed = {k: v for k, v in clean.items() if before[k] != v}
    if not changed:
        return inspector
    for k, v in changed.items():
        setattr(inspector, k, v)
    inspector.save(update_fields=[*changed, "updated_at"])
    audit(actor=actor, obj=inspector, action="inspection.inspector_updated",
          before={k: before[k] for k in changed}, after=changed)
    return inspector


INSPECTOR_COLUMNS = {"name": "姓名", "certificate_number": "执法证号", "certificate_expires_on": "执法证有效期至",
                     "specialities": "业务专长", "active": "在库", "declared_links": "申报关联企业"}
SEPARATORS = re.compile(r"[、,，;；|/\s]+")


def _links_cell(cell: str) -> list[dict]:
    """“名称:统一社会信用代码” items separated by ；(either part may be left out)."""
    links = []
    for part in re.split(r"[;；]+", cell or ""):
        part = part.strip()
        if not part:
            continue
        name, _, code = part.replace("：", ":").partition(":")
        if not code and len(name) == 18 and not uscc_problem(name.upper()):
            name, code = "", name
        links.append({"name": name.strip(), "uscc": code.strip()})
    return links


def _yes(cell: str) -> bool:
    return (cell or "是").strip().lower() not in ("否", "0", "false", "no", "n", "不在库", "停用")


@transaction.atomic
def import_inspectors(*, actor, department: Department, content: bytes, filename: str) -> ImportSummary:
    """Load the department's staff from a CSV file (one row per person, matched by 执法证号). All rows or none."""
    _enforcement_department(actor, department, "导入本单位的执法人员")
    rows = _read_csv(content, filename, INSPECTOR_COLUMNS,
                     {"name", "certificate_number", "certificate_expires_on", "specialities"})
    summary, problems, seen = ImportSummary(), [], {}
    for number, row in rows:
        data = InspectorInput(name=row.get("name", ""), certificate_number=row.get("certificate_number", ""),
                              certificate_expires_on=row.get("certificate_expires_on", ""),
                              specialities=[s for s in SEPARATORS.split(row.get("specialities", "")) if s],
                              active=_yes(row.get("active", "")),
                              declared_links=_links_cell(row.get("declared_links", "")))
        key = data.certificate_number.strip().upper()
        if key in seen:
            problems.append(f"第 {number} 行 执法证号：与第 {seen[key]} 行重复")
            continue
        seen[key] = number
        existing = Inspector.objects.filter(certificate_number=key, department=department).first()
        try:
            with transaction.atomic():
                before = _inspector_snapshot(existing) if existing else None
                person = save_inspector(actor=actor, department=department, data=data, inspector=existing)
        except DomainError as exc:
            problems += _row_errors(number, exc, INSPECTOR_LABELS)
            continue
        if existing is None:
            summary.created += 1
        elif _inspector_snapshot(person) != before:
            summary.updated += 1
        else:
            summary.unchanged += 1
    if problems:
        raise _import_failed(problems)
    audit(actor=actor, obj=department, action="inspection.inspectors_imported",
          after={"file": filename, "sha256": hashlib.sha256(content).hexdigest(), "created": summary.created,
                 "updated": summary.updated, "unchanged": summary.unchanged})
    return summary


# --- the inspection-object directory ----------------------------------------------------------------
PROJECT_LABELS = {
    "project_code": "项目编号", "name": "项目名称", "trading_field": "交易领域",
    "supervising_department": "行政监督部门（单位代码）", "tender_completed_on": "完成招投标日期",
    "risk_level": "风险等级", "risk_reason": "风险等级依据", "tenderer_name": "招标人",
    "tenderer_uscc": "招标人统一社会信用代码", "winner_name": "中标人", "winner_uscc": "中标人统一社会信用代码",
    "agency_name": "招标代理机构", "agency_uscc": "招标代理机构统一社会信用代码",
    "contract_amount": "中标金额（万元）",
}


@dataclass
class ProjectInput:
    project_code: str
    name: str
    trading_field: str
    supervising_department: str  # department code
    tender_completed_on: dt.date | str | None
    risk_level: str
    tenderer_name: str
    tenderer_uscc: str
    winner_name: str
    winner_uscc: str
    agency_name: str = ""
    agency_uscc: str = ""
    contract_amount: Decimal | str | None = None
    risk_reason: str = ""


def _clean_project(data: ProjectInput) -> tuple[dict, Department | None]:
    errors: dict[str, list[str]] = {}
    clean = {
        "project_code": _text(data.project_code, "project_code", "项目编号", 64, errors),
        "name": _text(data.name, "name", "项目名称", 200, errors),
        "trading_field": _choice(data.trading_field, TradingField, "trading_field", "交易领域", errors),
        "tender_completed_on": _date(data.tender_completed_on, "tender_completed_on", "完成招投标日期", errors),
        "risk_level": _choice(data.risk_level, RiskLevel, "risk_level", "风险等级", errors),
        "risk_reason": _text(data.risk_reason, "risk_reason", "风险等级依据", 200, errors, required=False),
        "agency_name": _text(data.agency_name, "agency_name", "招标代理机构", 200, errors, required=False),
    }
    if clean["tender_completed_on"] and clean["tender_completed_on"] > timezone.localdate():
        errors["tender_completed_on"] = ["完成招投标日期不能晚于今天"]
    for role, label in (("tenderer", "招标人"), ("winner", "中标人"), ("agency", "招标代理机构")):
        if role != "agency":
            clean[f"{role}_name"] = _text(getattr(data, f"{role}_name"), f"{role}_name", label, 200, errors)
        code = str(getattr(data, f"{role}_uscc") or "").strip().upper()
        if role == "agency" and not code and not clean["agency_name"]:
            clean["agency_uscc"] = ""
            continue
        if role == "agency" and not clean["agency_name"]:
            errors["agency_name"] = ["填写了招标代理机构统一社会信用代码，请同时填写其名称"]
        if not code:
            errors[f"{role}_uscc"] = [f"请填写{label}统一社会信用代码"]
        elif uscc_problem(code):
            errors[f"{role}_uscc"] = [f"{label}{uscc_problem(code)}"]
        clean[f"{role}_uscc"] = code
    amount = data.contract_amount
    clean["contract_amount"] = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount).replace(",", ""))
        except InvalidOperation:
            errors["contract_amount"] = [f"中标金额“{amount}”不是数字"]
        else:
            if not value.is_finite() or value < 0 or value >= Decimal("1e12") or value.as_tuple().exponent < -2:
                errors["contract_amount"] = ["中标金额须为不小于0、最多两位小数的数（单位：万元）"]
            else:
                clean["contract_amount"] = value.quantize(Decimal("0.01"))
    dept = None
    code = str(data.supervising_department or "").strip()
    if not code:
        errors["supervising_department"] = ["请填写行政监督部门的单位代码"]
    else:
        dept = Department.objects.filter(code=code, active=True).select_related("jurisdiction").first()
        if dept is None:
            errors["supervising_department"] = [f"单位代码“{code}”不存在"]
        elif dept.type in selectors.NOT_ENFORCING:
            errors["supervising_department"] = [f"{dept.name}不是公共资源交易的行政监督部门"]
    if errors:
        raise _fail("检查对象信息", errors, PROJECT_LABELS)
    return clean, dept


def _payload(clean: dict, dept: Department) -> dict:
    """The comparable form of a project's registered content (what idempotency and conflicts compare)."""
    def plain(v):
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, Decimal):
            return format(v.quantize(Decimal("0.01")), "f")
        return v

    return {**{k: plain(v) for k, v in clean.items()}, "supervising_department": dept.code}


def _registrar(actor, supervising: Department) -> Department:
    """The supervising department itself, or a trading centre at or above its jurisdiction."""
    mine = user_departments(actor)
    if supervising in mine:
        return supervising
    lineage = {j.pk for j in supervising.jurisdiction.lineage()}
    for dept in mine:
        if dept.type == Department.Type.TRADING_CENTRE and dept.jurisdiction_id in lineage:
            return dept
    raise Forbidden(f"只有公共资源交易中心或{supervising.name}可以登记该项目",
                    field_errors={"supervising_department": ["无权为该部门登记项目"]})


def _same_or_conflict(existing: Project, clean: dict, dept: Department, fingerprint: str) -> Project:
    if existing.payload_hash == fingerprint:
        return existing
    new = _payload(clean, dept)
    old = _payload({k: getattr(existing, k) for k in clean}, existing.supervising_department)
    differ = [k for k in new if new[k] != old[k]]
    if not differ:
        return existing
    names = "、".join(PROJECT_LABELS[k] for k in differ)
    labels = {"risk_level": dict(RiskLevel.choices), "trading_field": dict(TradingField.choices)}
    old = {k: labels[k].get(v, v) if k in labels else v for k, v in old.items()}
    raise Conflict(f"项目编号 {existing.project_code} 已登记，内容不同（{names}）。同一项目不能以不同内容重复登记；"
                   "风险等级由行政监督部门在名录库中调整",
                   field_errors={k: [f"与已登记的内容不同（已登记：{old[k] or '空'}）"] for k in differ})


@transaction.atomic
def register_project(*, actor, data: ProjectInput, source: str = Project.Source.API) -> tuple[Project, bool]:
    """Enter a project that finished tendering into the directory. Idempotent on the project code: the same
    content again returns the entry (created False); different content under the same code is a Conflict."""
    clean, dept = _clean_project(data)
    registrar = _registrar(actor, dept)
    fingerprint = drawing.digest(_payload(clean, dept))
    existing = (Project.objects.filter(project_code=clean["project_code"])
                .select_related("supervising_department").first())
    if existing is None:
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    **clean, supervising_department=dept, source=source, payload_hash=fingerprint,
                    registered_by=actor, registered_department=registrar)
                audit(actor=actor, obj=project, action="inspection.project_registered",
                      after={**_payload(clean, dept), "source": source, "registered_by": registrar.code})
                return project, True
        except IntegrityError:
            existing = (Project.objects.filter(project_code=clean["project_code"])
                        .select_related("supervising_department").first())
            if existing is None:
                raise
    return _same_or_conflict(existing, clean, dept, fingerprint), False


@transaction.atomic
def import_projects(*, actor, content: bytes, filename: str) -> ImportSummary:
    """Load finished projects from a CSV file; a row already registered with the same content is skipped.
    Any bad row: nothing is imported, and every bad row is named with its field."""
    rows = _read_csv(content, filename, PROJECT_LABELS,
                     {"project_code", "name", "trading_field", "supervising_department", "tender_completed_on",
                      "risk_level", "tenderer_name", "tenderer_uscc", "winner_name", "winner_uscc"})
    summary, problems = ImportSummary(), []
    for number, row in rows:
        try:
            with transaction.atomic():
                _, created = register_project(actor=actor, data=ProjectInput(**{
                    k: row.get(k, "") for k in PROJECT_LABELS}), source=Project.Source.CSV)
        except DomainError as exc:
            problems += _row_errors(number, exc, PROJECT_LABELS)
            continue
        if created:
            summary.created += 1
        else:
            summary.unchanged += 1
    if problems:
        raise _import_failed(problems)
    depts = user_departments(actor)
    if depts:
        audit(actor=actor, obj=depts[0], action="inspection.projects_imported",
              after={"file": filename, "sha256": hashlib.sha256(content).hexdigest(), "created": summary.created,
                     "unchanged": summary.unchanged})
    return summary


@transaction.atomic
def set_risk_level(*, actor, project: Project, risk_level: str, reason: str) -> Project:
    """The supervising department adjusts a project's risk level, with its reason."""
    project = Project.objects.select_for_update().select_related("supervising_department").get(pk=project.pk)
    require_member(actor, project.supervising_department, "调整该项目的风险等级")
    errors: dict[str, list[str]] = {}
    level = _choice(risk_level, RiskLevel, "risk_level", "风险等级", errors)
    if len((reason or "").strip()) < 5:
        errors["reason"] = ["请写明调整理由（不少于5个字）"]
    if errors:
        raise _fail("风险等级调整", errors, {"risk_level": "风险等级", "reason": "调整理由"})
    if level == project.risk_level:
        raise Conflict(f"风险等级已是“{project.get_risk_level_display()}”", field_errors={"risk_level": ["未改变"]})
    before = {"risk_level": project.risk_level, "risk_reason": project.risk_reason}
    project.risk_level, project.risk_reason = level, reason.strip()[:200]
    project.save(update_fields=["risk_level", "risk_reason"])
    audit(actor=actor, obj=project, action="inspection.risk_changed", before=before,
          after={"risk_level": level, "risk_reason": project.risk_reason}, reason=reason.strip())
    return project


# --- inspection items -----------------------------------------------------------------------------
ITEM_LABELS = {"title": "抽查事项", "trading_field": "交易领域", "content": "检查内容", "legal_basis": "检查依据",
               "method": "检查方式"}


@transaction.atomic
def create_item(*, actor, department: Department, title: str, trading_field: str, content: str, legal_basis: str,
                method: str) -> Item:
    _enforcement_department(actor, department, "制定抽查事项")
    errors: dict[str, list[str]] = {}
    clean = {"title": _text(title, "title", "抽查事项", 200, errors),
             "trading_field": _choice(trading_field, TradingField, "trading_field", "交易领域", errors),
             "content": _text(content, "content", "检查内容", 5000, errors),
             "legal_basis": _text(legal_basis, "legal_basis", "检查依据", 2000, errors),
             "method": _choice(method, Item.Method, "method", "检查方式", errors)}
    if errors:
        raise _fail("抽查事项", errors, ITEM_LABELS)
    if Item.objects.filter(department=department, title=clean["title"], active=True).exists():
        raise Conflict(f"{department.name}已有有效的抽查事项“{clean['title']}”", field_errors={"title": ["重复"]})
    item = Item.objects.create(department=department, **clean)
    audit(actor=actor, obj=item, action="inspection.item_created", after={**clean, "department": department.code})
    return item


@transaction.atomic
def retire_item(*, actor, item: Item, reason: str) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    require_member(actor, item.department, "停用本单位的抽查事项")
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明停用理由（不少于5个字）")
    if not item.active:
        raise Conflict("该抽查事项已停用")
    item.active = False
    item.save(update_fields=["active"])
    audit(actor=actor, obj=item, action="inspection.item_retired", before={"active": True}, after={"active": False},
          reason=reason.strip())
    return item


# --- plans ------------------------------------------------------------------------------------------
PLAN_LABELS = {"title": "计划名称", "items": "抽查事项", "participants": "参与单位", "trading_fields": "交易领域",
               "scope_departments": "行政监督部门", "scope_from": "完成招投标日期起", "scope_to": "完成招投标日期止",
               "ratio_high": "高风险抽查比例", "ratio_medium": "中风险抽查比例", "ratio_low": "低风险抽查比例",
               "team": "每个对象的执法人员", "starts_on": "检查开始日期", "ends_on": "计划结束日期"}
MIN_TEAM = 2  # 行政执法人员不得少于两人（《行政处罚法》第四十二条）
MAX_PER_SPECIALITY = 10


@dataclass
class PlanInput:
    title: str
    items: list[Item]
    starts_on: dt.date | None
    ends_on: dt.date | None
    ratio_high: Decimal | str
    ratio_medium: Decimal | str
    ratio_low: Decimal | str
    team: list[dict]
    participants: list[Department] = field(default_factory=list)
    trading_fields: list[str] = field(default_factory=list)
    scope_departments: list[Department] = field(default_factory=list)
    scope_from: dt.date | None = None
    scope_to: dt.date | None = None


def default_scope(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The directory's default: projects that finished tendering this year and last (Hegang 三(二))."""
    today = today or timezone.localdate()
    return dt.date(today.year - 1, 1, 1), today


def _ratio(value, name: str, errors: dict) -> Decimal:
    try:
        ratio = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        errors[name] = [f"{PLAN_LABELS[name]}须为数字（百分比）"]
        return Decimal(0)
    if not ratio.is_finite() or ratio < 0 or ratio > 100:
        errors[name] = [f"{PLAN_LABELS[name]}须在 0 到 100 之间"]
    elif ratio.as_tuple().exponent < -2:
        errors[name] = [f"{PLAN_LABELS[name]}最多保留两位小数"]
    return ratio


def _clean_plan(lead: Department, data: PlanInput) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {"title": _text(data.title, "title", "计划名称", 200, errors)}
    participants = list(dict.fromkeys(data.participants or []))
    for dept in participants:
        if dept == lead:
            errors["participants"] = ["牵头单位不必再列为参与单位"]
        elif dept.type in selectors.NOT_ENFORCING or not dept.active:
            errors["participants"] = [f"{dept.name}不能作为参与单位（须为公共资源交易的行政监督部门）"]
    items = list(dict.fromkeys(data.items or []))
    allowed = {lead.pk, *(d.pk for d in participants)}
    if not items:
        errors["items"] = ["请至少选择一项抽查事项"]
    for item in items:
        if not item.active or item.department_id not in allowed:
            errors["items"] = [f"抽查事项“{item.title}”须为牵头或参与单位的有效事项"]
    fields = list(dict.fromkeys(data.trading_fields or []))
    if set(fields) - set(TradingField.values):
        errors["trading_fields"] = [f"交易领域须为 {'、'.join(str(x) for x in TradingField.labels)} 之一"]
    default_from, default_to = default_scope()
    clean["scope_from"] = data.scope_from or default_from
    clean["scope_to"] = data.scope_to or default_to
    if clean["scope_from"] > clean["scope_to"]:
        errors["scope_to"] = ["完成招投标日期止不能早于起"]
    clean["starts_on"] = _date(data.starts_on, "starts_on", "检查开始日期", errors)
    clean["ends_on"] = _date(data.ends_on, "ends_on", "计划结束日期", errors)
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        errors["ends_on"] = ["计划结束日期不能早于检查开始日期"]
    for name in ("ratio_high", "ratio_medium", "ratio_low"):
        clean[name] = _ratio(getattr(data, name), name, errors)
    if not any(k in errors for k in ("ratio_high", "ratio_medium", "ratio_low")) and not any(
            clean[k] > 0 for k in ("ratio_high", "ratio_medium", "ratio_low")):
        errors["ratio_high"] = ["至少一个风险层的抽查比例须大于 0"]
    team, seen = [], set()
    for i, slot in enumerate(data.team or []):
        speciality = _choice((slot or {}).get("speciality"), Speciality, f"team.{i}", "业务专长", errors)
        count = (slot or {}).get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_PER_SPECIALITY:
            errors[f"team.{i}"] = [f"每个专长的抽取人数须为 1–{MAX_PER_SPECIALITY} 的整数"]
        elif speciality in seen:
            errors[f"team.{i}"] = [f"专长“{Speciality(speciality).label}”重复列出"]
        elif speciality:
            seen.add(speciality)
            team.append({"speciality": speciality, "count": count})
    if not any(k.startswith("team") for k in errors) and sum(s["count"] for s in team) < MIN_TEAM:
        errors["team"] = [f"每个检查对象的执法人员合计不得少于{MIN_TEAM}名（行政执法人员不得少于两人）"]
    if errors:
        raise _fail("抽查计划", errors, PLAN_LABELS)
    clean.update(team=team, trading_fields=fields)
    return {**clean, "_participants": participants, "_items": items,
            "_scope_departments": list(dict.fromkeys(data.scope_departments or []))}


@transaction.atomic
def create_plan(*, actor, department: Department, data: PlanInput, submission_key: str = "") -> Plan:
    """A plan of `department` (the lead), jointly with participants if any. The same submission again
    (a double click) returns the first plan."""
    _enforcement_department(actor, department, "制定抽查计划")
    key = (submission_key or "").strip()[:64] or None
    if key:
        existing = Plan.objects.filter(submission_key=key).first()
        if existing is not None:
            if existing.lead_department_id != department.pk:
                raise Conflict("该提交已用于其他单位的计划，请刷新页面后重试")
            return existing
    clean = _clean_plan(department, data)
    participants, items = clean.pop("_participants"), clean.pop("_items")
    scope = clean.pop("_scope_departments")
    try:
        with transaction.atomic():
            plan = Plan.objects.create(reference=placeholder(), lead_department=department, created_by=actor,
                                       submission_key=key, **clean)
    except IntegrityError:
        existing = Plan.objects.filter(submission_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    plan.reference = numbered("CC", plan.pk, plan.created_at)
    plan.save(update_fields=["reference"])
    plan.participants.set(participants)
    plan.items.set(items)
    plan.scope_departments.set(scope)
    audit(actor=actor, obj=plan, action="inspection.plan_created",
          after={"reference": plan.reference, "title": plan.title, "lead": department.code,
                 "participants": [d.code for d in participants], "items": [i.pk for i in items],
                 "ratios": {k: str(v) for k, v in plan.ratios.items()}, "team": plan.team,
                 "scope": [plan.scope_from, plan.scope_to, plan.trading_fields, [d.code for d in scope]],
                 "period": [plan.starts_on, plan.ends_on]})
    return plan


def _locked(plan: Plan) -> Plan:
    return (Plan.objects.select_for_update(of=("self",)).select_related("lead_department", "current_draw")
            .get(pk=plan.pk))


def _lead(actor, plan: Plan, what: str) -> None:
    require_member(actor, plan.lead_department, what)


def _participant(actor, plan: Plan, what: str) -> None:
    allowed = [plan.lead_department, *plan.participants.all()]
    if not set(allowed) & set(user_departments(actor)):
        raise Forbidden(f"只有牵头单位或参与单位的工作人员可以{what}")


def _run_draw(actor, plan: Plan, reason: str, action: str) -> Draw:
    now = timezone.now()
    inputs = selectors.draw_inputs(plan, timezone.localdate(now))
    seed = secrets.token_hex(32)
    try:
        result = drawing.draw(inputs, seed)
    except drawing.DrawError as exc:
        raise DomainError(exc.message, field_errors={exc.field: [exc.message]}) from exc
    previous = plan.current_draw
    number = (plan.draws.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    record = Draw.objects.create(plan=plan, number=number, algorithm=drawing.ALGORITHM, seed=seed, inputs=inputs,
                                 result=result, inputs_sha256=drawing.digest(inputs),
                                 result_sha256=drawing.digest(result), reason=reason, drawn_at=now, drawn_by=actor)
    if previous is not None:
        Draw.objects.filter(pk=previous.pk).update(superseded_at=now)
    codes = [t["code"] for t in result["targets"]]
    projects = {p.project_code: p for p in Project.objects.filter(project_code__in=codes)}
    inspectors = Inspector.objects.in_bulk([m["id"] for t in result["targets"] for m in t["inspectors"]])
    members = []
    for position, row in enumerate(result["targets"]):
        target = Target.objects.create(draw=record, project=projects[row["code"]], stratum=row["level"],
                                       position=position)
        members += [TeamMember(target=target, inspector=inspectors[m["id"]], speciality=m["speciality"], position=i)
                    for i, m in enumerate(row["inspectors"])]
    TeamMember.objects.bulk_create(members)
    plan.current_draw, plan.status = record, Plan.Status.DRAWN
    plan.save(update_fields=["current_draw", "status"])
    counts = "，".join(f"{drawing.LEVEL_LABELS[s['level']]}{s['quota']}/{s['population']}" for s in result["strata"])
    audit(actor=actor, obj=plan, action=action, reason=reason,
          before={"draw": previous.number, "seed": previous.seed, "result_sha256": previous.result_sha256}
          if previous else None,
          after={"draw": number, "seed": seed, "algorithm": drawing.ALGORITHM, "inputs_sha256": record.inputs_sha256,
                 "result_sha256": record.result_sha256, "targets": codes,
                 "text": f"第{number}次抽取：抽中{len(codes)}个检查对象（{counts}）"})
    by_department: dict[int, list[str]] = {}
    for member in members:
        by_department.setdefault(member.inspector.department_id, []).append(member.inspector.name)
    for dept in Department.objects.filter(pk__in=list(by_department)):
        names = "、".join(dict.fromkeys(by_department[dept.pk]))
        notify_department(department=dept, roles=STAFF, kind="inspection_drawn",
                          title=f"执法人员被抽中：{plan.reference} {plan.title}",
                          body=f"本单位 {names} 被随机选派参加{plan.lead_department.name}的抽查"
                               f"（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}）。",
                          url=plan.get_absolute_url())
    return record


@transaction.atomic
def draw_plan(*, actor, plan: Plan) -> Draw:
    """Draw targets and inspectors at random, with a fresh seed from `secrets`; the seed, the exact inputs and
    the result are recorded so that anyone can re-run the draw."""
    plan = _locked(plan)
    _lead(actor, plan, "抽取检查对象和执法人员")
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(f"该计划已抽取（第{plan.current_draw.number}次抽取），如需重新抽取须说明理由"
                       if plan.current_draw else f"该计划当前为“{plan.get_status_display()}”，不能抽取")
    return _run_draw(actor, plan, "", "inspection.drawn")


@transaction.atomic
def redraw_plan(*, actor, plan: Plan, reason: str) -> Draw:
    """A new draw replacing the current one, approved by the lead's leader with a recorded reason; the earlier
    draw stays in the record, marked superseded. Not once any result is recorded or the inspection ended."""
    plan = _locked(plan)
    _lead(actor, plan, "重新抽取")
    require_power(actor, plan.lead_department, "inspection_plan.redraw")
    if len((reason or "").strip()) < 10:
        raise DomainError.for_field("reason", "重新抽取须写明理由（不少于10个字），理由将与原抽取记录一并保留")
    if plan.status != Plan.Status.DRAWN:
        raise Conflict(f"该计划当前为“{plan.get_status_display()}”，只有已抽取、检查尚未结束的计划可以重新抽取")
    if plan.current_draw.targets.exclude(outcome="").exists():
        raise Conflict("已有检查对象登记了检查结果，不能重新抽取")
    return _run_draw(actor, plan, reason.strip(), "inspection.redrawn")


@transaction.atomic
def replace_inspector(*, actor, member: TeamMember, reason: str) -> TeamMember:
    """Replace one drawn inspector who cannot serve (illness, a conflict found later) without re-drawing the
    plan. The replacement is drawn by the same lottery from the same record: among the inspectors of the draw's
    inputs with the same speciality, active now, without a recorded conflict with the target and not yet on its
    team, the one with the smallest lottery number for step ``replace:<object code>:<speciality>:<n>`` (n counts
    the target's replacements). The step, the candidates and the number go into the audit trail, so anyone can
    check the replacement as they check the draw."""
    member = (TeamMember.objects.select_for_update(of=("self",))
              .select_related("target__draw", "target__project", "inspector__department").get(pk=member.pk))
    target, draw = member.target, member.target.draw
    plan = _locked(draw.plan)
    _lead(actor, plan, "替换抽中的执法人员")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError.for_field("reason", "替换执法人员须写明理由（如因病不能到岗、新发现的利害关系，不少于4个字）")
    if len(reason) > 500:
        raise DomainError.for_field("reason", "替换理由不超过500字")
    if plan.current_draw_id != draw.pk:
        raise Conflict("该对象属于已被重新抽取替代的抽取记录，不能替换执法人员")
    if plan.status != Plan.Status.DRAWN:
        raise Conflict(f"该计划当前为“{plan.get_status_display()}”，只有已抽取、检查尚未结束的计划可以替换执法人员")
    if target.outcome:
        raise Conflict("该检查对象已登记检查结果，不能再替换执法人员")
    if member.replaced_at is not None:
        raise Conflict(f"{member.inspector.name}已被替换，无需重复操作")
    team = list(target.team.all())
    taken = {m.inspector_id for m in team}  # everyone ever on this team, replaced ones included
    code = target.project.project_code
    excluded = {row[0] if isinstance(row, list) else row for row in (draw.inputs.get("conflicts") or {}).get(code, [])}
    listed = [p for p in draw.inputs.get("inspectors", []) if member.speciality in p.get("specialities", [])]
    active = set(Inspector.objects.filter(pk__in=[p["id"] for p in listed], active=True).values_list("pk", flat=True))
    candidates = [str(p["id"]) for p in listed
                  if p["id"] in active and p["id"] not in excluded and p["id"] not in taken]
    if not candidates:
        label = Speciality(member.speciality).label
        raise DomainError.for_field("reason", f"专长“{label}”已没有可替换的执法人员（抽取记录中的人员均已在该对象"
                                              f"检查组、已停用或存在利害关系），请扩充执法人员库后重新抽取")
    n = sum(1 for m in team if m.replaces_id) + 1
    step = f"replace:{code}:{member.speciality}:{n}"
    [(chosen, number)] = drawing.pick(draw.seed, step, candidates, 1)
    now = timezone.now()
    member.replaced_at, member.replaced_reason = now, reason
    member.save(update_fields=["replaced_at", "replaced_reason"])
    newcomer = TeamMember.objects.create(target=target, inspector=Inspector.objects.select_related("department")
                                         .get(pk=int(chosen)), speciality=member.speciality,
                                         position=max(m.position for m in team) + 1, replaces=member, lottery=number)
    audit(actor=actor, obj=plan, action="inspection.inspector_replaced", reason=reason,
          before={"target": code, "inspector": member.inspector_id, "name": member.inspector.name},
          after={"target": code, "inspector": newcomer.inspector_id, "name": newcomer.inspector.name, "step": step,
                 "candidates": candidates, "lottery": number, "seed_of_draw": draw.number,
                 "text": f"{target.project.name}：{member.inspector.name}替换为{newcomer.inspector.name}（{reason}）"})
    notify_department(department=newcomer.inspector.department, roles=STAFF, kind="inspection_drawn",
                      title=f"执法人员被抽中（替换）：{plan.reference} {plan.title}",
                      body=f"本单位 {newcomer.inspector.name} 替换 {member.inspector.name} "
                           f"参加对{target.project.name}的抽查"
                           f"（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}）。",
                      url=plan.get_absolute_url())
    return newcomer


@transaction.atomic
def end_inspection(*, actor, plan: Plan, ended_at: dt.datetime | None = None) -> Plan:
    """Record that the inspection ended: the clock for publishing items, plan and results starts
    (inspection.publish_results; Hegang 三(三): 10 working days)."""
    plan = _locked(plan)
    _lead(actor, plan, "记录检查结束")
    require_power(actor, plan.lead_department, "inspection_plan.end")
    if plan.status != Plan.Status.DRAWN:
        if plan.ended_at:
            raise Conflict(f"检查已于 {timezone.localtime(plan.ended_at):%Y-%m-%d %H:%M} 记录结束")
        raise Conflict("尚未抽取检查对象，不能结束检查")
    now = timezone.now()
    ended_at = ended_at or now
    if timezone.is_naive(ended_at):
        raise DomainError.for_field("ended_at", "检查结束时间须带时区")
    if ended_at > now + CLOCK_SKEW:
        raise DomainError.for_field("ended_at", "检查结束时间不能晚于当前时间")
    if timezone.localdate(ended_at) < plan.starts_on:
        raise DomainError.for_field("ended_at", f"检查结束时间不能早于检查开始日期（{plan.starts_on:%Y-%m-%d}）")
    if timezone.localdate(ended_at) < timezone.localdate(plan.current_draw.drawn_at):
        raise DomainError.for_field("ended_at", "检查结束时间不能早于抽取时间")
    plan.status, plan.ended_at = Plan.Status.ENDED, ended_at
    plan.save(update_fields=["status", "ended_at"])
    clock = start_clock(actor=actor, subject=plan, rule_key=PUBLISH_RULE, department=plan.lead_department,
                        started_at=ended_at, label="公开抽查事项、计划和结果")
    audit(actor=actor, obj=plan, action="inspection.ended",
          after={"ended_at": ended_at, "due_at": clock.due_at if clock else None,
                 "text": f"检查结束，结果应于 {format_due(clock.due_at)} 前公开" if clock else ""})
    return plan


RESULT_LABELS = {"outcome": "检查结果", "findings": "发现的问题", "follow_up": "后续处理"}
NEEDS_FOLLOW_UP = (Target.Outcome.RECTIFY, Target.Outcome.CASE_FILED, Target.Outcome.REFERRED)


@transaction.atomic
def record_result(*, actor, target: Target, outcome: str, findings: str = "", follow_up: str = "") -> Target:
    """The result for one target (lead or participants, each under its own duty). It may be corrected until the
    results are published; every version is in the audit trail."""
    target = Target.objects.select_for_update(of=("self",)).select_related("draw__plan", "project").get(pk=target.pk)
    plan = target.draw.plan
    _participant(actor, plan, "登记检查结果")
    if plan.current_draw_id != target.draw_id:
        raise Conflict("该对象属于已被重新抽取替代的抽取记录，不能登记结果")
    if plan.status == Plan.Status.PUBLISHED:
        raise Conflict("抽查结果已公开，不能再修改")
    errors: dict[str, list[str]] = {}
    outcome = _choice(outcome, Target.Outcome, "outcome", "检查结果", errors)
    findings = _text(findings, "findings", "发现的问题", 5000, errors, required=False)
    follow_up = _text(follow_up, "follow_up", "后续处理", 2000, errors, required=False)
    if outcome and outcome != Target.Outcome.NO_ISSUE and len(findings) < 5:
        errors["findings"] = ["发现问题的，请描述发现的问题（不少于5个字）"]
    if outcome in NEEDS_FOLLOW_UP and not follow_up:
        errors["follow_up"] = ["请写明后续处理（如整改期限、立案情况或移送单位）"]
    if errors:
        raise _fail("检查结果", errors, RESULT_LABELS)
    before = {"outcome": target.outcome, "findings": target.findings, "follow_up": target.follow_up}
    after = {"outcome": outcome, "findings": findings, "follow_up": follow_up}
    if before == after:
        return target  # the same result submitted twice
    target.outcome, target.findings, target.follow_up = outcome, findings, follow_up
    target.recorded_at, target.recorded_by = timezone.now(), actor
    target.save(update_fields=["outcome", "findings", "follow_up", "recorded_at", "recorded_by"])
    audit(actor=actor, obj=plan, action="inspection.result_recorded", before=before if before["outcome"] else None,
          after={**after, "target": target.project.project_code,
                 "text": f"{target.project.name}：{target.get_outcome_display()}"})
    return target


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def notice_title(plan: Plan) -> str:
    return f"关于{plan.title}{'' if plan.title.endswith('抽查') else '抽查'}结果的公告"


def _notice_body(plan: Plan, targets: list[Target]) -> list[str]:
    draw = plan.current_draw
    participants = "、".join(d.name for d in plan.participants.order_by("code"))
    items = "、".join(f"“{i.title}”" for i in plan.items.order_by("id"))
    strata = "，".join(f"{drawing.LEVEL_LABELS[s['level']]}{s['quota']}个（抽查比例{s['ratio']}%）"
                      for s in draw.result["strata"] if s["population"])
    team = "、".join(f"{s['label']}{s['count']}名" for s in draw.inputs["team"])
    start, end = plan.starts_on, timezone.localdate(plan.ended_at)
    period = f"于{_day(start)}" if start == end else f"于{_day(start)}至{_day(end)}"
    seed = " ".join(draw.seed[i:i + 16] for i in range(0, len(draw.seed), 16))  # lets the line break
    body = [
        f"根据“双随机、一公开”监管工作要求，{plan.lead_department.name}{'会同' + participants if participants else ''}"
        f"{period}开展了{plan.title}，抽查事项为{items}。",
        f"本次从检查对象名录库中按风险等级分层随机抽取检查对象{len(targets)}个：{strata}。每个检查对象随机选派执法人员"
        f"{team}，与检查对象存在利害关系的执法人员已回避。抽取记录（第{draw.number}次抽取，算法{draw.algorithm}，"
        f"随机种子 {seed}）已在平台“双随机一公开”公开页面公布，任何人可据此重新运行抽取、核验结果。"
        "现将抽查结果公告如下：",
    ]
    for n, target in enumerate(targets, start=1):
        project = target.project
        text = (f"{n}. {project.name}（项目编号{project.project_code}，中标人{project.winner_name}）："
                f"{target.get_outcome_display()}。")
        if target.findings:
            text += target.findings.rstrip("。") + "。"
        if target.follow_up:
            text += "后续处理：" + target.follow_up.rstrip("。") + "。"
        body.append(text)
    body.append("特此公告。")
    return body


@transaction.atomic
def publish_results(*, actor, plan: Plan) -> Plan:
    """Publish items, plan and results (public page and a numbered 公告); this meets the publication clock."""
    plan = _locked(plan)
    _lead(actor, plan, "公开抽查结果")
    require_power(actor, plan.lead_department, "inspection_plan.publish")
    if plan.status == Plan.Status.PUBLISHED:
        raise Conflict(f"抽查结果已于 {timezone.localtime(plan.published_at):%Y-%m-%d %H:%M} 公开")
    if plan.status != Plan.Status.ENDED:
        raise Conflict("请先记录检查结束，再公开抽查结果")
    targets = list(selectors.targets_of(plan.current_draw))
    missing = [t.project.name for t in targets if not t.outcome]
    if missing:
        raise DomainError.for_field("targets", f"以下检查对象尚未登记检查结果：{'、'.join(missing)}")
    now = timezone.now()
    plan.status, plan.published_at = Plan.Status.PUBLISHED, now
    plan.notice_letter = issue_letter(
        actor=actor, issuer=plan.lead_department, kind=Letter.Kind.PUBLIC_NOTICE,
        title=notice_title(plan), body=_notice_body(plan, targets), subject=plan,
        addressee_name="社会公众", issued_at=now)
    plan.save(update_fields=["status", "published_at", "notice_letter"])
    for clock in open_clocks_for(plan).filter(rule_version__rule__key=PUBLISH_RULE):
        complete_clock(actor=actor, clock=clock, at=now)
    audit(actor=actor, obj=plan, action="inspection.published",
          after={"published_at": now, "doc_number": plan.notice_letter.doc_number,
                 "title": plan.notice_letter.title, "targets": len(targets)})
    return plan


@transaction.atomic
def add_result_files(*, actor, plan: Plan, target: Target, uploads) -> list:
    """The inspection record of one target (检查记录、现场照片、整改通知): uploaded by the lead or a participating
    unit, opened by exactly the plan's units (casework.attachments; everyone else gets 404)."""
    from casework.attachments import services as attachments
    from casework.attachments.models import Attachment

    plan = _locked(plan)
    _participant(actor, plan, "上传检查材料")
    if target.draw.plan_id != plan.pk:
        raise DomainError.for_field("target", "该检查对象不属于本计划")
    if plan.status not in (Plan.Status.DRAWN, Plan.Status.ENDED, Plan.Status.PUBLISHED):
        raise Conflict("抽取检查对象后才能上传检查材料")
    units = [plan.lead_department, *plan.participants.all()]
    mine = set(user_departments(actor))
    department = plan.lead_department if plan.lead_department in mine else next(d for d in units if d in mine)
    checked = [attachments.check(u, field="files") for u in uploads or []]
    if not checked:
        raise DomainError.for_field("files", "请选择要上传的文件")
    files = list(dict.fromkeys(
        attachments.store(actor=actor, owner=target, purpose=Attachment.Purpose.INSPECTION, department=department,
                          checked=info, share_with=units, basis=f"抽查计划 {plan.reference}")[0] for info in checked))
    audit(actor=actor, obj=plan, action="inspection.files_added",
          after={"target": str(target), "department": department.name, "files": [a.name for a in files]})
    return files
