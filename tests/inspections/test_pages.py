"""Pages and the rest of the API: staff pages drive the same services (bad input shown at its field), the
public sees items, plans and — once published — results and draw records that re-run, with no login."""

import json

import pytest
from rest_framework.test import APIClient

from inspections import drawing, services
from inspections.models import Draw, Inspector, Plan, Project
from tests.inspections.conftest import uscc


def login(client, user):
    client.force_login(user)
    return client


def published(bob, plan, leader):
    plan.refresh_from_db()
    if plan.status == "draft":
        services.draw_plan(actor=bob, plan=plan)
        plan.refresh_from_db()
    for target in plan.current_draw.targets.all():
        services.record_result(actor=bob, target=target, outcome="rectify", findings="招标文件设置不合理的资格条件",
                               follow_up="责令招标人限期整改")
    services.end_inspection(actor=leader, plan=plan)  # ending and publishing: the leader's acts
    return services.publish_results(actor=leader, plan=plan)


def test_staff_pages_render(client, luoyang, bob, plan):
    assert client.get("/inspections/")["Location"].startswith("/login/")  # staff pages need a login
    assert client.get("/inspections/public/").status_code == 200  # the public page does not
    login(client, bob)
    for url in ("/inspections/", "/inspections/inspectors/", "/inspections/projects/", "/inspections/projects/?all=1",
                "/inspections/items/", "/inspections/plans/new/", f"/inspections/plans/{plan.pk}/",
                f"/inspections/projects/{Project.objects.first().pk}/", "/inspections/verify/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert "随机抽取" in page and "将抽取" in page and 'id="draw-preview"' in page
    assert "双随机抽查" in client.get("/").content.decode()  # the nav link


def test_plan_form_creates_a_plan_and_shows_errors_at_their_fields(client, luoyang, bob, item, pool):
    login(client, bob)
    form = {"department": luoyang["housing"].pk, "submission_key": "abc", "title": "页面制定的计划",
            "items": [item.pk], "participants": [luoyang["transport"].pk], "scope_from": "2025-01-01",
            "scope_to": "2026-11-01", "ratio_high": "30", "ratio_medium": "10", "ratio_low": "5",
            "starts_on": "2026-11-01", "ends_on": "2026-12-31", "team_1_speciality": "housing", "team_1_count": "1"}
    bad = client.post("/inspections/plans/new/", form)
    assert bad.status_code == 400
    assert "每个检查对象的执法人员合计不得少于2名" in bad.content.decode()
    assert client.post("/inspections/plans/new/", {**form, "team_1_count": "", "ends_on": ""}).status_code == 400
    ok = client.post("/inspections/plans/new/", {**form, "team_1_count": "2"})
    plan = Plan.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/inspections/plans/{plan.pk}/"
    again = client.post("/inspections/plans/new/", {**form, "team_1_count": "2"})  # double click
    assert again.status_code == 302 and Plan.objects.count() == 1


def test_plan_page_walks_the_whole_flow(client, luoyang, bob, carol, erin, plan):
    login(client, bob)
    base = f"/inspections/plans/{plan.pk}/"
    assert client.post(base + "draw/").status_code == 302
    page = client.get(base).content.decode()
    plan.refresh_from_db()
    assert plan.current_draw.seed in page and "查看抽取记录" in page
    record_page = client.get(base + "draws/1/").content.decode()
    assert "核验通过" in record_page and plan.current_draw.seed in record_page
    tried = client.get(base + "draws/1/?seed=another").content.decode()
    assert "结果与记录不同" in tried
    dumped = client.get(base + "draws/1/record.json")
    assert dumped["Content-Disposition"].startswith("attachment") and dumped.json()["seed"] == plan.current_draw.seed
    assert client.post(base + "redraw/", {"reason": "太短"}).status_code == 400  # bob is no leader either
    target = plan.current_draw.targets.first()
    bad = client.post(f"{base}targets/{target.pk}/result/", {f"t{target.pk}-outcome": "rectify",
                                                             f"t{target.pk}-findings": "问题"})
    assert bad.status_code == 400 and "请写明后续处理" in bad.content.decode()
    refused = client.post(base + "end/")  # a handler records results; ending and publishing are the leader's
    assert refused.status_code == 403 and "结束抽查须由洛阳市住房和城乡建设局的负责人办理" in refused.content.decode()
    login(client, carol)
    assert client.post(base + "publish/").status_code == 409
    assert client.post(base + "end/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "ended" and "公开抽查事项、计划和结果" in client.get(base).content.decode()
    blocked = client.post(base + "publish/")
    assert blocked.status_code == 400 and "尚未登记检查结果" in blocked.content.decode()
    for t in plan.current_draw.targets.all():
        ok = client.post(f"{base}targets/{t.pk}/result/", {f"t{t.pk}-outcome": "no_issue"})
        assert ok.status_code == 302
    assert client.post(base + "publish/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "published" and plan.notice_letter is not None
    login(client, erin)
    assert client.post(base + "end/").status_code in (403, 404)


def test_redraw_page_for_the_leader(client, luoyang, bob, carol, plan):
    services.draw_plan(actor=bob, plan=plan)
    login(client, carol)
    base = f"/inspections/plans/{plan.pk}/"
    assert "重新抽取（须负责人决定" in client.get(base).content.decode()
    short = client.post(base + "redraw/", {"reason": "重抽"})
    assert short.status_code == 400 and "不少于10个字" in short.content.decode()
    assert client.post(base + "redraw/", {"reason": "原抽中执法人员因病无法参加检查，需重新抽取"}).status_code == 302
    assert Draw.objects.filter(plan=plan).count() == 2
    page = client.get(base).content.decode()
    assert "已被替代" in page and "原抽中执法人员因病无法参加检查" in page


def test_outsiders_do_not_see_plans(client, luoyang, plan):
    from tests.conftest import make_user

    login(client, make_user("wendy", luoyang["water"], "handler"))
    assert client.get(f"/inspections/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/inspections/plans/{plan.pk}/draws/1/").status_code == 404


def test_pool_and_directory_pages(client, luoyang, bob, alice):
    login(client, bob)
    bad = client.post("/inspections/inspectors/", {"department": luoyang["housing"].pk, "name": "王建国",
                                                   "certificate_number": "X", "certificate_expires_on": "2030-01-01",
                                                   "specialities": ["housing"], "active": "on"})
    assert bad.status_code == 400 and "执法证号应为4–32位" in bad.content.decode()
    ok = client.post("/inspections/inspectors/", {
        "department": luoyang["housing"].pk, "name": "王建国", "certificate_number": "LY-H-9",
        "certificate_expires_on": "2030-01-01", "specialities": ["housing"], "active": "on",
        "declared_links": f"洛阳甲公司,{uscc(5)}"})
    assert ok.status_code == 302
    person = Inspector.objects.get()
    assert person.declared_links == [{"name": "洛阳甲公司", "uscc": uscc(5)}]
    edit = client.post(f"/inspections/inspectors/{person.pk}/", {
        "department": luoyang["housing"].pk, "name": "王建国", "certificate_number": "LY-H-9",
        "certificate_expires_on": "2031-01-01", "specialities": ["housing", "agency"]})
    assert edit.status_code == 302
    person.refresh_from_db()
    assert person.specialities == ["housing", "agency"] and not person.active
    upload = client.post("/inspections/inspectors/import/", {"department": luoyang["housing"].pk,
                                                             "file": _file("staff.csv", "姓名\n张三\n")})
    assert upload.status_code == 400 and "CSV 缺少列" in upload.content.decode()
    login(client, alice)
    form = {"project_code": "LYGC-100", "name": "页面登记的工程", "trading_field": "engineering",
            "supervising_department": luoyang["housing"].code, "tender_completed_on": "2026-10-01",
            "risk_level": "medium", "tenderer_name": "招标人", "tenderer_uscc": uscc(6), "winner_name": "中标人",
            "winner_uscc": uscc(7)[:-1] + "0"}
    bad = client.post("/inspections/projects/", form)
    assert bad.status_code == 400 and "中标人统一社会信用代码校验位错误" in bad.content.decode()
    ok = client.post("/inspections/projects/", {**form, "winner_uscc": uscc(7)})
    project = Project.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/inspections/projects/{project.pk}/"
    page = client.get(ok["Location"]).content.decode()
    assert "无失信记录" in page and uscc(7) in page
    login(client, bob)
    short = client.post(f"/inspections/projects/{project.pk}/", {"risk_level": "high", "reason": "短"})
    assert short.status_code == 400 and "不少于5个字" in short.content.decode()
    assert client.post(f"/inspections/projects/{project.pk}/",
                       {"risk_level": "high", "reason": "近期被多次投诉举报"}).status_code == 302


def _file(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_items_page(client, luoyang, bob):
    login(client, bob)
    form = {"department": luoyang["housing"].pk, "title": "招标代理行为检查", "trading_field": "engineering",
            "method": "documents", "content": "代理合同、档案", "legal_basis": ""}
    assert client.post("/inspections/items/", form).status_code == 400
    assert client.post("/inspections/items/", {**form, "legal_basis": "《招标投标法》"}).status_code == 302
    item = services.Item.objects.get()
    assert client.post(f"/inspections/items/{item.pk}/retire/", {"reason": "短"}).status_code == 400
    assert client.post(f"/inspections/items/{item.pk}/retire/", {"reason": "事项已合并到综合检查"}).status_code == 302
    item.refresh_from_db()
    assert not item.active


# --- public --------------------------------------------------------------------------------------------------
def test_the_public_sees_items_plans_and_published_results_without_login(client, luoyang, bob, carol, item, plan):
    page = client.get("/inspections/public/").content.decode()
    assert item.title in page and plan.title not in page  # not drawn yet: not public
    services.draw_plan(actor=bob, plan=plan)
    page = client.get("/inspections/public/").content.decode()
    assert plan.title in page
    detail = client.get(f"/inspections/public/plans/{plan.pk}/").content.decode()
    assert "检查结束后10个工作日内公开" in detail and "public-results" not in detail
    plan.refresh_from_db()
    assert plan.current_draw.seed not in detail
    assert client.get(f"/inspections/public/plans/{plan.pk}/draws/1/").status_code == 404
    assert client.get(f"/inspections/public/plans/{plan.pk}/notice.pdf").status_code == 404
    published(bob, plan, carol)
    detail = client.get(f"/inspections/public/plans/{plan.pk}/").content.decode()
    assert "责令整改" in detail and "招标文件设置不合理的资格条件" in detail and "第1次抽取" in detail
    pdf = client.get(f"/inspections/public/plans/{plan.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    draw_page = client.get(f"/inspections/public/plans/{plan.pk}/draws/1/").content.decode()
    assert "核验通过" in draw_page and "所在单位为该项目的行政监督部门" not in draw_page  # reasons stay inside
    record = client.get(f"/inspections/public/plans/{plan.pk}/draws/1/record.json").json()
    assert "ineligible" not in record["inputs"]
    verified = client.post("/inspections/verify/", {"record": json.dumps(record, ensure_ascii=False)})
    assert verified.status_code == 200 and "一致：重新抽取的结果与记录完全相同" in verified.content.decode()
    other = client.post("/inspections/verify/", {"record": json.dumps(record), "seed": "another"}).content.decode()
    assert "重新计算的结果与记录的结果不一致" in other
    broken = client.post("/inspections/verify/", {"record": "{not json"})
    assert broken.status_code == 400 and "不是有效的 JSON" in broken.content.decode()


def test_api_plans_draw_record_and_anonymous_verify(luoyang, bob, erin, plan):
    services.draw_plan(actor=bob, plan=plan)
    api = APIClient()
    api.force_authenticate(bob)
    assert [p["reference"] for p in api.get("/api/v1/inspections/plans/").json()["results"]] == [plan.reference]
    detail = api.get(f"/api/v1/inspections/plans/{plan.pk}/").json()
    assert len(detail["targets"]) == 5 and detail["draws"][0]["number"] == 1
    record = api.get(f"/api/v1/inspections/plans/{plan.pk}/draws/1/").json()
    anonymous = APIClient()
    same = anonymous.post("/api/v1/inspections/draws/verify/", record, format="json").json()
    assert same["identical"] is True and same["result"] == record["result"]
    other = anonymous.post("/api/v1/inspections/draws/verify/", {**record, "seed": "x"}, format="json").json()
    assert other["identical"] is False and other["result"]["targets"] != record["result"]["targets"]
    wrong = anonymous.post("/api/v1/inspections/draws/verify/",
                           {**record, "inputs": {**record["inputs"], "algorithm": "v9"}}, format="json")
    assert wrong.status_code == 400 and "algorithm" in wrong.json()["error"]["fields"]
    outsider = APIClient()
    from tests.conftest import make_user

    outsider.force_authenticate(make_user("wendy", luoyang["water"], "handler"))
    assert outsider.get(f"/api/v1/inspections/plans/{plan.pk}/").status_code == 404
    assert drawing.draw(record["inputs"], record["seed"]) == record["result"]


@pytest.mark.parametrize("preset", ["luoyang", "hegang"])
def test_demo_data_is_idempotent(db, preset, settings):
    from io import StringIO

    from django.core.management import call_command

    from inspections import demo
    from inspections.models import Item, Target

    settings.DEBUG = True
    command, out = StringIO(), StringIO()
    call_command("seed_demo", "--preset", preset, stdout=command)
    demo.seed(stdout=out)  # idempotent whether or not seed_demo already calls it
    counts = [m.objects.count() for m in (Inspector, Project, Item, Plan, Draw, Target)]
    assert counts[:4] == [9, 12, 3, 2] and "双随机一公开演示数据" in command.getvalue() + out.getvalue()
    statuses = sorted(Plan.objects.values_list("status", flat=True))
    assert statuses == ["drawn", "published"]
    demo.seed(stdout=StringIO())
    assert [m.objects.count() for m in (Inspector, Project, Item, Plan, Draw, Target)] == counts
