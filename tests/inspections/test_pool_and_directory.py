"""The enforcement staff pool (each department its own staff, CSV import) and the inspection-object directory
(validated parties, idempotent registration by API and CSV, credit standing read from the credit app, risk
adjustment by the supervising department)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import timeline
from casework.org.services import create_api_client
from credit import services as credit
from inspections import selectors, services
from inspections.models import Inspector, Project
from tests.conftest import make_user
from tests.inspections.conftest import add_inspector, add_project, organ, project_input, uscc

EXPIRES = dt.date(2035, 12, 31)


# --- pool ---------------------------------------------------------------------------------------------
def test_inspector_input_is_validated_naming_each_field(luoyang, bob):
    with pytest.raises(DomainError) as exc:
        services.save_inspector(actor=bob, department=luoyang["housing"], data=services.InspectorInput(
            name="", certificate_number="证号!", certificate_expires_on="2035-13-01", specialities=["cooking"],
            declared_links=[{"name": "甲公司", "uscc": uscc(1)[:-1] + "0"}, {"name": "", "uscc": ""}]))
    errors = exc.value.field_errors
    assert set(errors) == {"name", "certificate_number", "certificate_expires_on", "specialities",
                           "declared_links.0", "declared_links.1"}
    assert "校验位错误" in errors["declared_links.0"][0] and "不是有效日期" in errors["certificate_expires_on"][0]
    assert exc.value.message.startswith("执法人员信息有误：姓名：请填写姓名")
    assert not Inspector.objects.exists()


def test_each_department_keeps_its_own_staff(luoyang, alice, bob, erin):
    with pytest.raises(Forbidden, match="只有洛阳市交通运输局的工作人员可以维护本单位的执法人员库"):
        add_inspector(bob, luoyang["transport"], "赵", "LY-T-1", ["transport"])
    with pytest.raises(Forbidden, match="交易中心不是公共资源交易的行政监督部门"):
        add_inspector(alice, luoyang["trading_centre"], "钱", "LY-C-1", ["agency"])
    person = add_inspector(bob, luoyang["housing"], "王建国", "ly-h-1", ["housing", "房屋建筑和市政工程", "agency"],
                           links=[{"name": "洛阳甲建设有限公司", "uscc": uscc(7).lower()}])
    assert person.certificate_number == "LY-H-1" and person.specialities == ["housing", "agency"]
    assert person.declared_links == [{"name": "洛阳甲建设有限公司", "uscc": uscc(7)}]
    with pytest.raises(Conflict, match="执法证号 LY-H-1 已登记在洛阳市住房和城乡建设局的王建国名下") as exc:
        add_inspector(erin, luoyang["transport"], "冒用", "LY-H-1", ["transport"])
    assert set(exc.value.field_errors) == {"certificate_number"}
    data = services.InspectorInput(name="王建国", certificate_number="LY-H-1", certificate_expires_on=EXPIRES,
                                   specialities=["housing"], active=False)
    with pytest.raises(Forbidden):
        services.save_inspector(actor=erin, department=luoyang["transport"], data=data, inspector=person)
    services.save_inspector(actor=bob, department=luoyang["housing"], data=data, inspector=person)
    services.save_inspector(actor=bob, department=luoyang["housing"], data=data, inspector=person)  # no change
    events = timeline(person).filter(action="inspection.inspector_updated")
    assert events.count() == 1 and events[0].before["active"] is True and events[0].after["active"] is False
    assert list(selectors.visible_inspectors(erin)) == [] and list(selectors.visible_inspectors(bob)) == [person]


CSV_OK = ("姓名,执法证号,执法证有效期至,业务专长,在库,申报关联企业\n"
          "王建国,LY-H-1,2035-12-31,房屋建筑和市政工程、招标代理,是,\n"
          f"李红梅,LY-H-2,2035-06-30,housing,是,洛阳乙公司:{uscc(8)}；洛阳丙公司\n")


def test_csv_import_creates_updates_and_refuses_a_bad_file_whole(luoyang, bob):
    summary = services.import_inspectors(actor=bob, department=luoyang["housing"], content=CSV_OK.encode("utf-8-sig"),
                                         filename="staff.csv")
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    li = Inspector.objects.get(certificate_number="LY-H-2")
    assert li.declared_links == [{"name": "洛阳乙公司", "uscc": uscc(8)}, {"name": "洛阳丙公司", "uscc": ""}]
    changed = CSV_OK.replace("2035-06-30,housing,是", "2035-06-30,housing,否")
    summary = services.import_inspectors(actor=bob, department=luoyang["housing"], content=changed.encode(),
                                         filename="staff.csv")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert not Inspector.objects.get(certificate_number="LY-H-2").active
    bad = CSV_OK + "张三,LY-H-3,明年,housing,是,\n赵四,LY-H-1,2035-01-01,housing,是,\n钱五,LY-H-5,2035-01-01,烹饪,是,\n"
    with pytest.raises(DomainError) as exc:
        services.import_inspectors(actor=bob, department=luoyang["housing"], content=bad.encode(), filename="s.csv")
    message = exc.value.message
    assert message.startswith("导入失败，未导入任何记录。")
    assert "第 4 行 执法证有效期至：执法证有效期至“明年”不是有效日期" in message
    assert "第 5 行 执法证号：与第 2 行重复" in message and "第 6 行 业务专长：业务专长须为" in message
    assert exc.value.field_errors == {"file": [message]}
    assert Inspector.objects.count() == 2
    header_only = "姓名,执法证号,执法证有效期至,业务专长\n".encode()
    for content, name, text in ((b"\xff\xfe", "s.csv", "UTF-8"), (b"name\nx\n", "s.csv", "缺少列：执法证号"),
                                (CSV_OK.encode(), "s.xlsx", ".csv"), (header_only, "s.csv", "没有数据行")):
        with pytest.raises(DomainError, match=text):
            services.import_inspectors(actor=bob, department=luoyang["housing"], content=content, filename=name)


# --- directory --------------------------------------------------------------------------------------------
def test_project_input_is_validated_naming_each_field(luoyang, alice):
    with pytest.raises(DomainError) as exc:
        services.register_project(actor=alice, data=project_input(
            luoyang, 1, winner_uscc=uscc(1)[:-1] + "0", tenderer_uscc="", agency_uscc="", risk_level="极高",
            trading_field="fishing", tender_completed_on=timezone.localdate() + dt.timedelta(days=1),
            supervising_department="NOPE", contract_amount="12.345"))
    errors = exc.value.field_errors
    assert set(errors) == {"winner_uscc", "tenderer_uscc", "agency_uscc", "risk_level", "trading_field",
                           "tender_completed_on", "supervising_department", "contract_amount"}
    assert errors["winner_uscc"][0].startswith("中标人统一社会信用代码校验位错误")
    assert errors["risk_level"] == ["风险等级须为 高、中、低 之一"]
    assert "中标人统一社会信用代码：中标人统一社会信用代码校验位错误" in exc.value.message
    with pytest.raises(DomainError, match="洛阳市公共资源交易中心不是公共资源交易的行政监督部门"):
        services.register_project(actor=alice, data=project_input(
            luoyang, 1, supervising_department=luoyang["trading_centre"].code))
    assert not Project.objects.exists()


def test_who_may_register_and_idempotency_on_the_project_code(luoyang, alice, bob, erin):
    with pytest.raises(Forbidden, match="只有公共资源交易中心或洛阳市住房和城乡建设局可以登记该项目"):
        services.register_project(actor=erin, data=project_input(luoyang, 1))
    own, created = services.register_project(actor=bob, data=project_input(luoyang, 1, risk="高"))
    assert created and own.risk_level == "high" and own.registered_department == luoyang["housing"]
    same, created = services.register_project(actor=alice, data=project_input(luoyang, 1, risk="high"))
    assert same.pk == own.pk and not created and Project.objects.count() == 1
    assert timeline(own).filter(action="inspection.project_registered").count() == 1
    with pytest.raises(Conflict) as exc:
        services.register_project(actor=alice, data=project_input(luoyang, 1, risk="low", winner_name="别的公司"))
    assert set(exc.value.field_errors) == {"risk_level", "winner_name"}
    assert "项目编号 LYGC-001 已登记，内容不同（风险等级、中标人）" in exc.value.message


def test_credit_standing_is_read_from_the_credit_app(luoyang, alice, bob):
    project = add_project(alice, luoyang, 1, risk="low")
    assert selectors.project_standings([project])[project.pk].level == "good"
    firm = credit.ensure_subject(actor=bob, type="enterprise", code=uscc(1), name="洛阳中标人1有限公司")
    today = timezone.localdate()
    rec = credit.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="bad_conduct",
                                 decision_number="洛建记〔2026〕2号", decided_on=today, facts="转包",
                                 legal_basis="《建筑法》", penalty="记不良行为", valid_from=today)
    standing = selectors.project_standings([project])[project.pk]
    assert standing.level == "records" and selectors.stratum("low", standing.level) == "medium"
    winner = next(s for role, _, _, s in standing.parties if role == "中标人")
    assert winner.notes == ["市住建局 洛建记〔2026〕2号"]
    credit.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="penalty",
                           decision_number="洛建罚〔2026〕3号", decided_on=today, facts="串通投标",
                           legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=today,
                           measures=[credit.MeasureInput("market_ban", [], today, None)])
    assert selectors.project_standings([project])[project.pk].level == "black"
    assert selectors.stratum("low", "black") == "high" and selectors.stratum("high", "records") == "high"
    credit.repair_record(actor=bob, rec=rec, decision="信用修复申请已核准")
    future = selectors.credit_standing([uscc(1)], today - dt.timedelta(days=1))
    assert future[uscc(1)].level == "good"  # nothing was in force yesterday


def test_the_supervising_department_adjusts_the_risk_level(luoyang, alice, bob, erin):
    project = add_project(alice, luoyang, 1, risk="low")
    with pytest.raises(Forbidden):
        services.set_risk_level(actor=erin, project=project, risk_level="high", reason="多次被投诉举报")
    with pytest.raises(DomainError) as exc:
        services.set_risk_level(actor=bob, project=project, risk_level="top", reason="短")
    assert set(exc.value.field_errors) == {"risk_level", "reason"}
    services.set_risk_level(actor=bob, project=project, risk_level="高", reason="多次被投诉举报，列为高风险")
    project.refresh_from_db()
    assert project.risk_level == "high" and project.risk_reason == "多次被投诉举报，列为高风险"
    event = timeline(project).get(action="inspection.risk_changed")
    assert event.before["risk_level"] == "low" and event.reason == "多次被投诉举报，列为高风险"
    with pytest.raises(Conflict, match="已是“高”"):
        services.set_risk_level(actor=bob, project=project, risk_level="high", reason="重复调整风险等级")
    # The trading centre's system re-posting the original content is still idempotent.
    again, created = services.register_project(actor=alice, data=project_input(luoyang, 1, risk="low"))
    assert again.pk == project.pk and not created


PROJECTS_CSV = ("项目编号,项目名称,交易领域,行政监督部门,完成招投标日期,风险等级,招标人,招标人统一社会信用代码,"
                "中标人,中标人统一社会信用代码,招标代理机构,招标代理机构统一社会信用代码,中标金额\n")


def csv_row(luoyang, n, **kw):
    values = dict(code=f"LYGC-{n:03d}", name=f"洛阳第{n}号工程", field="工程建设招标投标",
                  dept=luoyang["housing"].code, on=(timezone.localdate() - dt.timedelta(days=10)).isoformat(),
                  risk="中", winner_uscc=uscc(n), amount="1,250.50")
    values.update(kw)
    return (f"{values['code']},{values['name']},{values['field']},{values['dept']},{values['on']},{values['risk']},"
            f"招标人{n},{organ(n)},中标人{n},{values['winner_uscc']},,,\"{values['amount']}\"\n")


def test_csv_import_of_projects(luoyang, alice):
    content = PROJECTS_CSV + csv_row(luoyang, 1) + csv_row(luoyang, 2, risk="high")
    summary = services.import_projects(actor=alice, content=content.encode(), filename="projects.csv")
    assert (summary.created, summary.unchanged) == (2, 0)
    first = Project.objects.get(project_code="LYGC-001")
    assert first.source == "csv" and str(first.contract_amount) == "1250.50" and first.risk_level == "medium"
    content += csv_row(luoyang, 3)
    summary = services.import_projects(actor=alice, content=content.encode(), filename="projects.csv")
    assert (summary.created, summary.unchanged) == (1, 2)
    bad = (PROJECTS_CSV + csv_row(luoyang, 4) + csv_row(luoyang, 5, winner_uscc="123")
           + csv_row(luoyang, 1, risk="低") + csv_row(luoyang, 6, dept=luoyang["transport"].code))
    with pytest.raises(DomainError) as exc:
        services.import_projects(actor=alice, content=bad.encode(), filename="p.csv")
    message = exc.value.message
    assert "第 3 行 中标人统一社会信用代码：中标人统一社会信用代码应为18位" in message
    assert "第 4 行 风险等级：与已登记的内容不同（已登记：中）" in message
    assert "第 2 行" not in message and "第 5 行" not in message
    assert Project.objects.count() == 3
    with pytest.raises(DomainError) as exc:  # a transport officer may register transport's projects only
        services.import_projects(actor=make_user("tim", luoyang["transport"], "handler"), content=bad.encode(),
                                 filename="p.csv")
    assert "第 2 行 行政监督部门（单位代码）：无权为该部门登记项目" in exc.value.message
    assert "第 5 行" not in exc.value.message
    assert Project.objects.count() == 3


# --- API --------------------------------------------------------------------------------------------------
@pytest.fixture
def centre_api(luoyang):
    _, token = create_api_client(name="trading-platform", department=luoyang["trading_centre"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def api_payload(luoyang, n=1, **kw):
    data = dict(project_code=f"LYGC-{n:03d}", name=f"洛阳第{n}号工程", trading_field="engineering",
                supervising_department=luoyang["housing"].code,
                tender_completed_on=(timezone.localdate() - dt.timedelta(days=5)).isoformat(), risk_level="high",
                tenderer_name=f"招标人{n}", tenderer_uscc=organ(n), winner_name=f"中标人{n}", winner_uscc=uscc(n),
                contract_amount="880.00")
    data.update(kw)
    return data


def test_api_posts_projects_idempotently(luoyang, centre_api, bob):
    url = "/api/v1/inspections/projects/"
    assert APIClient().post(url, api_payload(luoyang), format="json").status_code == 401
    first = centre_api.post(url, api_payload(luoyang), format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["project_code"] == "LYGC-001" and body["credit"] == "good" and body["stratum"] == "high"
    assert [p["role"] for p in body["parties"]] == ["招标人", "中标人"]
    again = centre_api.post(url, api_payload(luoyang), format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    clash = centre_api.post(url, api_payload(luoyang, risk_level="low"), format="json")
    assert clash.status_code == 409 and set(clash.json()["error"]["fields"]) == {"risk_level"}
    bad = centre_api.post(url, api_payload(luoyang, 2, winner_uscc=uscc(2)[:-1] + "0"), format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["winner_uscc"][0].startswith("中标人统一社会信用代码校验位错误")
    missing = centre_api.post(url, {"project_code": "X"}, format="json")
    assert missing.status_code == 400 and "winner_uscc" in missing.json()["error"]["fields"]
    listed = centre_api.get(url).json()  # the page's filter, paginated with the total
    assert listed["count"] == 1 and [p["project_code"] for p in listed["results"]] == ["LYGC-001"]
    assert listed["results"][0]["credit"] == "good" and listed["results"][0]["stratum"] == "high"
    client = APIClient()
    client.force_authenticate(bob)
    assert [p["project_code"] for p in client.get(url, {"code": "LYGC-001"}).json()["results"]] == ["LYGC-001"]
    assert client.get(url, {"search": "第1号"}).json()["count"] == 1 and client.get(url, {"code": "LYGC"}).json()[
        "count"] == 0
