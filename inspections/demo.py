"""Demo data for 双随机一公开, through the same services a user would go through (idempotent): a small staff pool
with one declared link, a directory of finished projects (one winner on the credit black list of the demo), two
inspection items, a joint plan whose results are published and a plan drawn and under way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.org.models import Department, Jurisdiction
from casework.validators import uscc_with_check
from inspections import services
from inspections.models import Inspector, Item, Plan, Project

NEEDED = ("trading_centre", "housing", "transport", "market_regulation")

STAFF = {  # type -> [(name, specialities)]
    "housing": [("王建国", ["housing", "agency"]), ("李红梅", ["housing", "evaluation"]),
                ("张志强", ["housing", "transport"])],
    "transport": [("赵立新", ["transport", "housing"]), ("孙海燕", ["transport", "agency"]),
                  ("周文斌", ["transport", "housing"])],
    "market_regulation": [("吴晓东", ["agency", "evaluation"]), ("郑丽娟", ["agency", "housing"]),
                          ("冯振华", ["agency", "transport"])],
}

PROJECTS = [  # (suffix, name, supervising type, risk, days ago, winner)
    ("001", "城区雨污分流改造工程（演示）", "housing", "high", 40, "演示戊建筑工程有限公司"),
    ("002", "第三中学教学楼新建工程（演示）", "housing", "high", 75, "演示甲建设集团有限公司"),
    ("003", "老旧小区改造一期工程（演示）", "housing", "medium", 90, "演示乙建筑安装有限公司"),
    ("004", "市民中心装饰装修工程（演示）", "housing", "medium", 120, "演示丙装饰工程有限公司"),
    ("005", "人民医院门诊楼改扩建工程（演示）", "housing", "medium", 150, "演示丁建设有限公司"),
    ("006", "城市道路照明提升工程（演示）", "housing", "low", 180, "演示己电气工程有限公司"),
    ("007", "滨河公园景观工程（演示）", "housing", "low", 210, "演示庚园林绿化有限公司"),
    ("008", "保障性住房配套管网工程（演示）", "housing", "low", 240, "演示辛市政工程有限公司"),
    ("009", "国道改线工程第二标段（演示）", "transport", "high", 60, "演示壬路桥工程有限公司"),
    ("010", "农村公路提档升级工程（演示）", "transport", "medium", 100, "演示癸交通建设有限公司"),
    ("011", "公交枢纽站建设工程（演示）", "transport", "low", 130, "演示子建工集团有限公司"),
    ("012", "县乡公路养护工程（演示）", "transport", "low", 200, "演示丑公路养护有限公司"),
]


def _code(prefix: str, jurisdiction: Jurisdiction, n: int) -> str:
    return uscc_with_check(f"{prefix}{jurisdiction.code}{'MA' if prefix == '91' else '00'}DE{n:05d}"[:17])


def _user(dept: Department, role: str = "handler"):
    return get_user_model().objects.filter(username=f"{dept.code.lower()}.{role}").first()


def seed(*, stdout) -> None:
    for jurisdiction in Jurisdiction.objects.order_by("code"):
        depts = {}
        for d in Department.objects.filter(jurisdiction=jurisdiction, active=True).order_by("code"):
            depts.setdefault(d.type, d)
        if not all(t in depts for t in NEEDED) or not all(_user(depts[t]) for t in NEEDED):
            continue
        created = _seed_jurisdiction(jurisdiction, depts)
        if created:
            stdout.write(f"双随机一公开演示数据（{jurisdiction.name}）：{created}")


def _seed_jurisdiction(jurisdiction: Jurisdiction, depts: dict) -> str:
    today = timezone.localdate()
    done = []
    # The staff pool: each department enters its own people; one declares a link to a winning bidder.
    n = 0
    for dept_type, people in STAFF.items():
        dept = depts[dept_type]
        for name, specialities in people:
            n += 1
            number = f"{jurisdiction.code}{n:04d}"
            if Inspector.objects.filter(certificate_number=number).exists():
                continue
            links = [{"name": "演示乙建筑安装有限公司", "uscc": _code("91", jurisdiction, 3)}] if n == 4 else []
            services.save_inspector(actor=_user(dept), department=dept, data=services.InspectorInput(
                name=name, certificate_number=number, certificate_expires_on=dt.date(today.year + 2, 12, 31),
                specialities=specialities, declared_links=links))
            done.append("执法人员")
    # The directory: the trading centre registers the projects that finished tendering.
    centre = _user(depts["trading_centre"])
    for i, (suffix, name, dept_type, risk, days, winner) in enumerate(PROJECTS, start=1):
        winner_code = (uscc_with_check("91410300MA9D0002X") if winner == "演示戊建筑工程有限公司"
                       else _code("91", jurisdiction, i))
        _, created = services.register_project(actor=centre, source=Project.Source.API, data=services.ProjectInput(
            project_code=f"DEMO-{jurisdiction.code}-{suffix}", name=name, trading_field="engineering",
            supervising_department=depts[dept_type].code, tender_completed_on=today - dt.timedelta(days=days),
            risk_level=risk, tenderer_name=f"演示招标人{i}号单位", tenderer_uscc=_code("11", jurisdiction, i),
            winner_name=winner, winner_uscc=winner_code, agency_name="演示招标代理有限公司",
            agency_uscc=_code("91", jurisdiction, 99), contract_amount=Decimal(800 + 137 * i)))
        if created:
            done.append("检查对象")
    # Items, one per department.
    items = []
    for dept_type, title, content in (
            ("housing", "房屋建筑和市政工程招标投标活动监督检查",
             "招标公告和招标文件、资格审查、开标评标定标、异议答复、招标投标情况书面报告、合同签订与履约"),
            ("transport", "交通工程招标投标活动监督检查", "招标文件、评标委员会组建、中标候选人公示、合同订立"),
            ("market_regulation", "招标代理机构执业行为检查", "代理合同、代理档案、从业人员、收费行为")):
        dept = depts[dept_type]
        item = Item.objects.filter(department=dept, title=title, active=True).first()
        if item is None:
            item = services.create_item(actor=_user(dept), department=dept, title=title, trading_field="engineering",
                                        content=content, method="documents",
                                        legal_basis="《中华人民共和国招标投标法》《中华人民共和国招标投标法实施条例》")
            done.append("抽查事项")
        items.append(item)
    housing, transport, samr = depts["housing"], depts["transport"], depts["market_regulation"]
    # A joint plan, drawn, ended and published.
    key = f"demo:inspections:{jurisdiction.code}:1"
    plan = Plan.objects.filter(submission_key=key).first()
    if plan is None:
        plan = services.create_plan(actor=_user(housing), department=housing, submission_key=key,
                                    data=services.PlanInput(
                                        title=f"{today.year}年房建市政工程招标投标“双随机”联合抽查（演示）",
                                        items=[items[0], items[2]], participants=[transport, samr],
                                        scope_departments=[housing], starts_on=today - dt.timedelta(days=20),
                                        ends_on=today + dt.timedelta(days=10), ratio_high="50", ratio_medium="20",
                                        ratio_low="10", team=[{"speciality": "housing", "count": 1},
                                                             {"speciality": "agency", "count": 1}]))
        done.append("抽查计划")
    if plan.status == Plan.Status.DRAFT:
        services.draw_plan(actor=_user(housing), plan=plan)
        plan.refresh_from_db()
    if plan.status == Plan.Status.DRAWN:
        outcomes = [("no_issue", "", ""),
                    ("rectify", "招标文件设置的业绩条件与项目规模不相适应，排斥潜在投标人。",
                     "已责令招标人在10日内整改并报送整改情况。"),
                    ("issue_found", "评标报告个别评分项未写明扣分理由。", "已提醒招标人督促评标委员会完善评标报告。"),
                    ("no_issue", "", "")]
        for target, (outcome, findings, follow_up) in zip(plan.current_draw.targets.order_by("position"),
                                                          outcomes * 4, strict=False):
            services.record_result(actor=_user(housing), target=target, outcome=outcome, findings=findings,
                                   follow_up=follow_up)
        services.end_inspection(actor=_user(housing, "leader"), plan=plan)  # ending and publishing: the leader
        plan.refresh_from_db()
    if plan.status == Plan.Status.ENDED:
        services.publish_results(actor=_user(housing, "leader"), plan=plan)
        done.append("公开结果")
    # A plan of the transport bureau, drawn and under way.
    key = f"demo:inspections:{jurisdiction.code}:2"
    plan = Plan.objects.filter(submission_key=key).first()
    if plan is None:
        plan = services.create_plan(actor=_user(transport), department=transport, submission_key=key,
                                    data=services.PlanInput(
                                        title=f"{today.year}年交通工程招标投标“双随机”抽查（演示）",
                                        items=[items[1]], participants=[housing, samr], scope_departments=[transport],
                                        starts_on=today, ends_on=today + dt.timedelta(days=30), ratio_high="100",
                                        ratio_medium="50", ratio_low="50",
                                        team=[{"speciality": "transport", "count": 2}]))
        services.draw_plan(actor=_user(transport), plan=plan)
        done.append("抽查计划")
    return "、".join(dict.fromkeys(done))
