"""Every state change of risk screening: tender intake (API and CSV), screening runs that raise or
refresh warnings, and an officer's decision on a warning (dismiss with reasons, or push it as a clue
through the normal clue intake). Keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.errors import Conflict, DomainError
from casework.events.services import Entry, record, record_many
from casework.org.models import Department, Jurisdiction
from casework.org.selectors import require_member
from casework.trading import TradingField
from casework.validators import uscc_problem
from referrals.services import pushing_department
from risk import screens
from risk.models import Bid, Screen, ScreenProfile, Tender, Warning
from risk.screens.thresholds import merged

logger = logging.getLogger(__name__)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_BIDS = 500
BID_TEXT_FIELDS = (("file_fingerprint", "投标文件特征码", 128), ("ip", "IP 地址", 64), ("mac", "MAC 地址", 32),
                   ("legal_rep", "法定代表人", 64), ("contact_phone", "联系电话", 32))


# --- intake -------------------------------------------------------------------------------------
@dataclass
class TenderInput:
    tender_id: str
    project_code: str
    project_name: str
    trading_type: str
    supervising_department: str
    opened_at: object  # an aware datetime, or ISO 8601 text with an offset
    bids: list = field(default_factory=list)
    estimate: object = None


@dataclass
class IntakeResult:
    tender: Tender
    created: bool


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _amount(value, field_name: str, label: str, errors: dict, *, required: bool) -> Decimal | None:
    if value is None or _text(value) == "":
        if required:
            errors[field_name] = [f"请填写{label}"]
        return None
    if isinstance(value, bool):
        errors[field_name] = [f"{label}须为数字"]
        return None
    try:
        amount = Decimal(_text(value))
    except InvalidOperation:
        errors[field_name] = [f"{label}须为数字，收到“{_text(value)[:20]}”"]
        return None
    if not amount.is_finite():
        errors[field_name] = [f"{label}须为有限的数字"]
    elif amount < 0:
        errors[field_name] = [f"{label}不能为负数"]
    elif amount == 0 and required:
        errors[field_name] = [f"{label}须大于零"]
    elif amount >= Decimal("1e14"):
        errors[field_name] = [f"{label}过大"]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field_name] = [f"{label}最多保留两位小数"]
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _winner(value, field_name: str, errors: dict) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in ("1", "true", "yes", "是", "y"):
        return True
    if text in ("", "0", "false", "no", "否", "n"):
        return False
    errors[field_name] = ["是否中标须为 true/false（或 1/0）"]
    return False


def _opened_at(value, errors: dict) -> dt.datetime | None:
    parsed = value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            errors["opened_at"] = ["开标时间须为 ISO 8601 时间，如 2026-11-20T09:30:00+08:00"]
            return None
    if not isinstance(parsed, dt.datetime):
        errors["opened_at"] = ["请填写开标时间"]
        return None
    if timezone.is_naive(parsed):
        errors["opened_at"] = ["开标时间须带时区偏移，如 +08:00"]
        return None
    if parsed > timezone.now() + CLOCK_SKEW:
        errors["opened_at"] = ["开标时间不能晚于当前时间"]
        return None
    return parsed


def validate_tender(data: TenderInput) -> tuple[dict, list[dict]]:
    """The cleaned tender and bids, or a DomainError naming every bad field (bids.N.field)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name, label, limit in (("tender_id", "招标编号", 100), ("project_code", "项目编号", 64),
                               ("project_name", "项目名称", 200)):
        value = _text(getattr(data, name))
        if not value:
            errors[name] = [f"请填写{label}"]
        elif len(value) > limit:
            errors[name] = [f"{label}不能超过{limit}个字符"]
        clean[name] = value
    if data.trading_type not in TradingField.values:
        errors["trading_type"] = [f"交易类型须为 {', '.join(TradingField.values)} 之一"]
    clean["trading_type"] = data.trading_type
    code = _text(data.supervising_department)
    dept = Department.objects.filter(code=code, active=True).select_related("jurisdiction").first() if code else None
    if dept is None:
        errors["supervising_department"] = [f"单位代码“{code}”不存在" if code else "请填写行政监督部门的单位代码"]
    elif dept.type == Department.Type.TRADING_CENTRE:
        errors["supervising_department"] = ["行政监督部门不能是交易中心"]
    clean["supervising_department"] = dept
    clean["opened_at"] = _opened_at(data.opened_at, errors)
    clean["estimate"] = _amount(data.estimate, "estimate", "招标控制价", errors, required=False)
    bids = data.bids
    if not isinstance(bids, list) or not bids:
        errors["bids"] = ["请至少提供一个投标人（bids）"]
        bids = []
    elif len(bids) > MAX_BIDS:
        errors["bids"] = [f"一次招标的投标人不能超过{MAX_BIDS}个"]
        bids = []
    clean_bids, seen, winners = [], {}, []
    for i, bid in enumerate(bids):
        prefix = f"bids.{i}"
        if not isinstance(bid, dict):
            errors[prefix] = ["每个投标人须为对象"]
            continue
        uscc = _text(bid.get("uscc")).upper()
        problem = uscc_problem(uscc) if uscc else "请填写统一社会信用代码"
        if problem:
            errors[f"{prefix}.uscc"] = [problem]
        elif uscc in seen:
            errors[f"{prefix}.uscc"] = [f"投标人重复：与第 {seen[uscc] + 1} 个投标人的统一社会信用代码相同"]
        else:
            seen[uscc] = i
        name = _text(bid.get("name"))
        if not name:
            errors[f"{prefix}.name"] = ["请填写投标人名称"]
        elif len(name) > 200:
            errors[f"{prefix}.name"] = ["投标人名称不能超过200个字符"]
        amount = _amount(bid.get("amount"), f"{prefix}.amount", "投标报价", errors, required=True)
        winner = _winner(bid.get("winner", False), f"{prefix}.winner", errors)
        if winner:
            winners.append(i)
        row = {"uscc": uscc, "name": name, "amount": amount, "winner": winner}
        for fname, label, limit in BID_TEXT_FIELDS:
            value = _text(bid.get(fname))
            if fname in ("file_fingerprint", "ip", "mac"):
                value = value.lower()  # machine identifiers compare case-insensitively
            if len(value) > limit:
                errors[f"{prefix}.{fname}"] = [f"{label}不能超过{limit}个字符"]
            row[fname] = value
        staff = bid.get("key_staff") or []
        if isinstance(staff, str):
            staff = [s for s in staff.replace("；", ";").split(";")]
        if not isinstance(staff, list) or not all(isinstance(s, str) and len(s.strip()) <= 64 for s in staff):
            errors[f"{prefix}.key_staff"] = ["主要人员须为姓名列表，每个不超过64个字符"]
            staff = []
        row["key_staff"] = sorted({s.strip() for s in staff if s.strip()})
        clean_bids.append(row)
    if len(winners) > 1:
        errors["bids"] = errors.get("bids", []) + [
            "中标人只能有一个：第 " + "、".join(str(i + 1) for i in winners) + " 个投标人都标为中标"]
    if errors:
        raise DomainError("招标数据有误：" + "；".join(f"{k}：{v[0]}" for k, v in errors.items()),
                          field_errors=errors)
    return clean, clean_bids


def _payload_hash(clean: dict, bids: list[dict]) -> str:
    canonical = {
        "tender_id": clean["tender_id"], "project_code": clean["project_code"],
        "project_name": clean["project_name"], "trading_type": clean["trading_type"],
        "supervising_department": clean["supervising_department"].code,
        "opened_at": clean["opened_at"].astimezone(dt.UTC).isoformat(),
        "estimate": str(clean["estimate"]) if clean["estimate"] is not None else None,
        "bids": sorted(({**b, "amount": str(b["amount"])} for b in bids), key=lambda b: b["uscc"]),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def intake_tender(*, actor, data: TenderInput, client=None, schedule: bool = True) -> IntakeResult:
    """A tender with its bids from the trading centre. Idempotent like clues: the same sender and
    tender_id with the same content returns the first tender (200); different content under it is a
    Conflict (409) naming the tender_id. Safe when two identical requests race. New data asks for a
    screening run of its jurisdiction (debounced), unless `schedule` is False (bulk import)."""
    source = pushing_department(actor)
    clean, bids = validate_tender(data)
    key = f"client:{client.pk}:{clean['tender_id']}" if client is not None else \
        f"dept:{source.pk}:{clean['tender_id']}"
    fingerprint = _payload_hash(clean, bids)
    existing = Tender.objects.filter(intake_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                tender = Tender.objects.create(
                    intake_key=key, tender_id=clean["tender_id"], payload_hash=fingerprint, api_client=client,
                    source_department=source, supervising_department=clean["supervising_department"],
                    project_code=clean["project_code"], project_name=clean["project_name"],
                    trading_type=clean["trading_type"], opened_at=clean["opened_at"], estimate=clean["estimate"],
                    received_by=actor)
                Bid.objects.bulk_create([Bid(tender=tender, **b) for b in bids])
                record(actor=actor, obj=tender, action="risk.tender_received",
                       after={"tender_id": tender.tender_id, "bids": len(bids), "source": source.code,
                              "supervising": tender.supervising_department.code})
                if schedule:
                    jurisdiction_id = tender.supervising_department.jurisdiction_id
                    transaction.on_commit(lambda: _request_screening(jurisdiction_id))
                return IntakeResult(tender, True)
        except IntegrityError:
            existing = Tender.objects.filter(intake_key=key).first()
            if existing is None:
                raise
    if existing.payload_hash != fingerprint:
        message = f"招标编号“{clean['tender_id']}”已用于内容不同的招标数据，请核对后使用新的招标编号"
        raise Conflict(message, field_errors={"tender_id": [message]})
    return IntakeResult(existing, False)


def _request_screening(jurisdiction_id: int) -> None:
    try:
        from risk.tasks import request_screening

        request_screening(jurisdiction_id)
    except Exception:  # the nightly run catches up; never fail an intake for a broker hiccup
        logger.exception("could not queue screening for jurisdiction %s", jurisdiction_id)


# --- screening ------------------------------------------------------------------------------------
def thresholds_for(jurisdiction: Jurisdiction) -> dict:
    """The jurisdiction's screening profile, else its nearest ancestor's, over the defaults."""
    for node in jurisdiction.lineage():
        profile = ScreenProfile.objects.filter(jurisdiction=node).first()
        if profile is not None:
            return merged(profile.thresholds)
    return merged(None)


def load_tenders(jurisdiction: Jurisdiction) -> tuple[list[screens.Tender], dict[str, dict]]:
    """The jurisdiction's tenders as the screens read them, and tender_id -> {pk, source, supervising,
    opened_at, project_code, project_name}."""
    rows = (Tender.objects.filter(supervising_department__jurisdiction=jurisdiction)
            .values_list("pk", "tender_id", "trading_type", "opened_at", "estimate", "project_name",
                         "source_department_id", "supervising_department_id", "project_code"))
    meta, order = {}, []
    for pk, tid, ttype, opened, est, pname, src, sup, pcode in rows.iterator(chunk_size=5000):
        meta[pk] = {"tender_id": tid, "trading_type": ttype, "opened_at": opened,
                    "estimate": float(est) if est is not None else None, "project_name": pname,
                    "source": src, "supervising": sup, "project_code": pcode, "bids": []}
        order.append(pk)
    bids = (Bid.objects.filter(tender__supervising_department__jurisdiction=jurisdiction)
            .values_list("tender_id", "uscc", "name", "amount", "winner", "file_fingerprint", "ip", "mac",
                         "legal_rep", "contact_phone", "key_staff"))
    for tpk, uscc, name, amount, winner, fp, ip, mac, rep, phone, staff in bids.iterator(chunk_size=20000):
        meta[tpk]["bids"].append(screens.Bid(uscc, name, float(amount), winner, fp, ip, mac, rep, phone,
                                             tuple(staff or ())))
    tenders, by_id = [], {}
    for pk in order:
        m = meta[pk]
        tenders.append(screens.Tender(m["tender_id"], m["trading_type"], m["opened_at"], tuple(m.pop("bids")),
                                      m["estimate"], m["project_name"]))
        by_id[m["tender_id"]] = {**m, "pk": pk}
    return tenders, by_id


@dataclass
class RunResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_decided: int = 0
    tenders: int = 0
    per_screen: dict = field(default_factory=dict)


def _most_common(values):
    return Counter(values).most_common(1)[0][0]


def run_screening(*, actor=None, jurisdiction: Jurisdiction | None = None, since: dt.date | None = None,
                  timings: dict | None = None) -> RunResult:
    """Run every screen over each jurisdiction's tenders (or the one given) and raise or refresh its
    warnings. A warning is identified by its pattern (the screen and its bidders, or its tender), so a
    re-run updates an open warning instead of raising a second one, and leaves decided ones alone.
    With `since`, only patterns that involve a tender opened on or after that date are raised."""
    result = RunResult()
    jurisdictions = [jurisdiction] if jurisdiction else list(
        Jurisdiction.objects.filter(pk__in=Tender.objects.values("supervising_department__jurisdiction")))
    for j in jurisdictions:
        tenders, by_id = load_tenders(j)
        result.tenders += len(tenders)
        findings = screens.run_all(tenders, thresholds_for(j), timings=timings)
        if since is not None:
            findings = [f for f in findings
                        if any(timezone.localdate(by_id[t]["opened_at"]) >= since for t in f.tenders)]
        with transaction.atomic():
            _persist(actor, j, findings, by_id, result)
    return result


def _persist(actor, jurisdiction, findings, by_id, result: RunResult) -> None:
    existing = {w.key: w for w in Warning.objects.select_for_update().filter(jurisdiction=jurisdiction)}
    names: dict[str, str] = {}
    now = timezone.now()
    raised = []
    for f in findings:
        result.per_screen[f.screen] = result.per_screen.get(f.screen, 0) + 1
        metas = [by_id[t] for t in f.tenders]
        if not names:
            names = {}
        bidder_names = _names(f, metas, names)
        bidders = [{"uscc": u, "name": bidder_names.get(u, u)} for u in f.bidders]
        last = max(m["opened_at"] for m in metas) if metas else None
        fields = {"score": round(f.score, 1), "numbers": _jsonable(f.numbers), "edges": [list(e) for e in f.edges],
                  "explanation": f.explanation, "bidders": bidders,
                  "bidder_index": "|" + "|".join(f.bidders) + "|", "last_opened_at": last}
        warning = existing.get(f.key)
        tender_pks = sorted(m["pk"] for m in metas)
        if warning is None:
            warning = Warning.objects.create(
                jurisdiction=jurisdiction, key=f.key, screen=f.screen, detected_at=now,
                source_department_id=_most_common(m["source"] for m in metas),
                supervising_department_id=_most_common(m["supervising"] for m in metas), **fields)
            warning.tenders.set(tender_pks)
            raised.append(Entry(warning, "risk.warning_raised", None,
                                {"screen": f.screen, "score": fields["score"], "key": f.key,
                                 "tenders": len(tender_pks), "bidders": f.bidders[:20]}, "", actor))
            result.created += 1
            continue
        if warning.status != Warning.Status.OPEN:
            result.kept_decided += 1
            continue
        current = sorted(warning.tenders.values_list("pk", flat=True))
        if (warning.score, warning.explanation, current) == (fields["score"], f.explanation, tender_pks):
            result.unchanged += 1
            continue
        for name, value in fields.items():
            setattr(warning, name, value)
        warning.save(update_fields=[*fields, "updated_at"])
        if current != tender_pks:
            warning.tenders.set(tender_pks)
        result.updated += 1
    if raised:
        record_many(raised)


def _names(finding, metas, cache) -> dict[str, str]:
    wanted = [u for u in finding.bidders if u not in cache]
    if wanted:
        for uscc, name in (Bid.objects.filter(uscc__in=wanted, tender_id__in=[m["pk"] for m in metas])
                           .values_list("uscc", "name")):
            cache[uscc] = name
    return cache


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


# --- decisions ------------------------------------------------------------------------------------
def _locked(warning: Warning) -> Warning:
    return Warning.objects.select_for_update().select_related(
        "source_department", "supervising_department").get(pk=warning.pk)


@transaction.atomic
def dismiss_warning(*, actor, warning: Warning, reason: str) -> Warning:
    """The trading centre rules a warning out, with written reasons. A repeated click changes nothing."""
    require_member(actor, warning.source_department, "排除该预警")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError.for_field("reason", "请写明排除理由（不少于5个字）")
    if len(reason) > 5000:
        raise DomainError.for_field("reason", "排除理由不能超过5000个字")
    warning = _locked(warning)
    if warning.status == Warning.Status.DISMISSED and warning.dismissed_reason == reason:
        return warning
    if warning.status != Warning.Status.OPEN:
        raise DomainError(f"该预警{warning.get_status_display()}，不能再排除")
    warning.status, warning.dismissed_reason = Warning.Status.DISMISSED, reason
    warning.decided_by, warning.decided_at = actor, timezone.now()
    warning.save(update_fields=["status", "dismissed_reason", "decided_by", "decided_at"])
    record(actor=actor, obj=warning, action="risk.warning_dismissed", after={"status": warning.status},
           reason=reason)
    return warning


SIGNALS = {
    Screen.FINGERPRINT: "bid_file_fingerprint", Screen.RELATED: "related_bidders", Screen.RING: "related_bidders",
    Screen.ROTATION: "related_bidders", Screen.COVER: "abnormal_win_rate", Screen.KING: "abnormal_win_rate",
    Screen.PRICE: "bid_price_pattern", Screen.FIXED_RATIO: "bid_price_pattern",
}


@transaction.atomic
def warning_to_clue(*, actor, warning: Warning, note: str = ""):
    """Turn a warning into a clue in one step, through the normal clue intake: discovered when the
    warning was raised (so the push clock runs from then), sent to the warning's supervising department,
    copied to the police where the profile says so. A second click returns the same clue."""
    from referrals.services import ClueInput, intake_clue

    require_member(actor, warning.source_department, "将预警转为线索")
    warning = _locked(warning)
    if warning.status == Warning.Status.CLUED:
        return warning.clue
    if warning.status == Warning.Status.DISMISSED:
        raise DomainError("该预警已排除，不能再转为线索")
    tenders = list(warning.tenders.order_by("opened_at", "pk"))
    first = tenders[0]
    if len(tenders) == 1:
        code, name = first.project_code, first.project_name
    else:
        code = f"{first.project_code}等{len(tenders)}项"[:64]
        name = f"{first.project_name}等{len(tenders)}个招标项目"[:200]
    summary = (f"【{warning.get_screen_display()}，风险分值 {warning.score:.0f}】{warning.explanation}"
               + (f"\n研判意见：{note.strip()}" if note and note.strip() else "")
               + "\n涉及招标：" + "、".join(t.tender_id for t in tenders[:30]) + ("等" if len(tenders) > 30 else ""))
    result = intake_clue(actor=actor, data=ClueInput(
        external_id=f"RISK-{warning.pk}", project_code=code, project_name=name,
        discovered_at=warning.detected_at, signal_type=SIGNALS[warning.screen], summary=summary[:20000],
        supervising_department=warning.supervising_department.code,
        bidders=[{"name": b["name"], "uscc": b["uscc"]} for b in warning.bidders],
        details={"risk_warning": warning.pk, "screen": warning.screen, "score": warning.score,
                 "numbers": warning.numbers, "tenders": [t.tender_id for t in tenders]}))
    warning.status, warning.clue = Warning.Status.CLUED, result.clue
    warning.decided_by, warning.decided_at = actor, timezone.now()
    warning.save(update_fields=["status", "clue", "decided_by", "decided_at"])
    record(actor=actor, obj=warning, action="risk.warning_to_clue",
           after={"clue": result.clue.reference, "status": warning.status})
    return result.clue
