"""Demo data for risk screening, through the same services a user would go through (idempotent): a
small synthetic market (risk.synthetic, seeded) pushed as the trading centre's tender data, one
screening run, then one ring warning turned into a clue and one fingerprint warning dismissed."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casework.org.models import Department, Jurisdiction
from risk import services
from risk.models import Tender, Warning
from risk.synthetic import generate

DEMO_TENDERS = 400


def _user(dept: Department, role: str = "handler"):
    return get_user_model().objects.filter(username=f"{dept.code.lower()}.{role}").first()


def seed(*, stdout) -> None:
    for jurisdiction in Jurisdiction.objects.order_by("code"):
        depts = {}
        for d in Department.objects.filter(jurisdiction=jurisdiction, active=True).order_by("code"):
            depts.setdefault(d.type, d)
        centre, housing = depts.get("trading_centre"), depts.get("housing")
        if centre is None or housing is None or _user(centre) is None:
            continue
        if Tender.objects.filter(source_department=centre).exists():
            continue
        _seed_jurisdiction(jurisdiction, depts, stdout)
        return  # one jurisdiction per preset is enough to show the mechanism


def _seed_jurisdiction(jurisdiction, depts, stdout) -> None:
    centre, housing = depts["trading_centre"], depts["housing"]
    officer = _user(centre)
    supervising = {"engineering": housing, "property_rights": housing,
                   "procurement": depts.get("finance", housing),
                   "land_mining": depts.get("natural_resources", depts.get("transport", housing))}
    market = generate(DEMO_TENDERS, seed=19, minimum=1)
    for t in market.tenders:
        services.intake_tender(actor=officer, schedule=False, data=services.TenderInput(
            tender_id=f"DEMO-{t.tender_id}", project_code=f"ZB-{t.tender_id[1:]}", project_name=_project(t),
            trading_type=t.trading_type, supervising_department=supervising[t.trading_type].code,
            opened_at=t.opened_at, estimate=f"{t.estimate:.2f}" if t.estimate else None,
            bids=[{"uscc": b.uscc, "name": b.name, "amount": f"{b.amount:.2f}", "winner": b.winner,
                   "file_fingerprint": b.file_fingerprint, "ip": b.ip, "mac": b.mac, "legal_rep": b.legal_rep,
                   "contact_phone": b.contact_phone, "key_staff": list(b.key_staff)} for b in t.bids]))
    result = services.run_screening(actor=officer, jurisdiction=jurisdiction)
    ring = Warning.objects.filter(jurisdiction=jurisdiction, screen="ring", status="open").order_by("-score").first()
    if ring is not None:
        services.warning_to_clue(actor=officer, warning=ring, note="演示：经研判，三家以上企业长期共同投标，建议核查。")
    fp = Warning.objects.filter(jurisdiction=jurisdiction, screen="fingerprint", status="open").order_by("pk").first()
    if fp is not None:
        services.dismiss_warning(actor=officer, warning=fp,
                                 reason="演示：两家企业为同一集团的母子公司，已在资格审查时如实声明，未参与同一标段竞争。")
    stdout.write(f"风险筛查：{jurisdiction.name} 载入 {len(market.tenders)} 次招标，生成预警 {result.created} 条")


KINDS = {"engineering": ["道路改造工程", "教学楼新建工程", "污水管网工程", "老旧小区改造工程", "桥梁加固工程"],
         "procurement": ["办公设备采购", "医疗设备采购", "校园安防系统采购", "信息化平台采购"],
         "property_rights": ["国有股权转让", "闲置厂房租赁权转让"],
         "land_mining": ["国有建设用地使用权出让", "采矿权出让"]}


def _project(t) -> str:
    kinds = KINDS[t.trading_type]
    n = int(t.tender_id[1:])
    return f"{'城东城西城南城北新区'[2 * (n % 5):2 * (n % 5) + 2]}{kinds[n % len(kinds)]}（演示{n}）"
