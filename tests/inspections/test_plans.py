"""Plans: validation, permissions, the recorded draw (reproducible, auditable), conflict exclusion, the re-draw
with its reason, the end of the inspection and its publication clock (with escalation), results, publication."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from casework.clocks import escalation
from casework.clocks.models import Clock
from casework.clocks.services import clocks_for
from casework.clocks.timing import due_date
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import timeline
from casework.letters.models import Letter
from casework.notifications.models import Notification
from credit import services as credit
from inspections import drawing, selectors, services
from inspections.models import Draw, Plan, Target, TeamMember
from tests.conftest import at, make_user, run_concurrently
from tests.inspections.conftest import add_inspector, add_project, plan_input, uscc


def drawn(bob, plan):
    services.draw_plan(actor=bob, plan=plan)
    plan.refresh_from_db()
    return plan


def finish(bob, plan):
    for target in plan.current_draw.targets.all():
        services.record_result(actor=bob, target=target, outcome="no_issue")


# --- plan ----------------------------------------------------------------------------------------
def test_plan_validation_names_each_field(luoyang, bob, item):
    other_item = services.create_item(actor=make_user("wendy", luoyang["water"], "handler"),
                                      department=luoyang["water"], title="水利工程检查", trading_field="engineering",
                                      content="合同", legal_basis="《招标投标法》", method="on_site")
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(
            item, title="", items=[other_item], ratio_high="120", ratio_medium="x", ratio_low="0.001",
            team=[{"speciality": "housing", "count": 1}, {"speciality": "housing", "count": 1},
                  {"speciality": "magic", "count": 1}],
            participants=[luoyang["trading_centre"]], trading_fields=["fishing"],
            starts_on=today, ends_on=today - dt.timedelta(days=1)))
    errors = exc.value.field_errors
    assert {"title", "items", "ratio_high", "ratio_medium", "ratio_low", "team.1", "team.2", "participants",
            "trading_fields", "ends_on"} <= set(errors)
    assert "须为牵头或参与单位的有效事项" in errors["items"][0]
    assert "重复列出" in errors["team.1"][0]
    assert exc.value.message.startswith("抽查计划有误：计划名称：请填写计划名称")
    with pytest.raises(DomainError, match="不得少于2名") as exc:
        services.create_plan(actor=bob, department=luoyang["housing"],
                             data=plan_input(item, team=[{"speciality": "housing", "count": 1}]))
    assert set(exc.value.field_errors) == {"team"}
    with pytest.raises(DomainError, match="至少一个风险层的抽查比例须大于 0"):
        services.create_plan(actor=bob, department=luoyang["housing"],
                             data=plan_input(item, ratio_high="0", ratio_medium="0", ratio_low="0"))
    assert not Plan.objects.exists()


def test_only_an_enforcement_department_plans_for_itself_and_a_double_submission_is_one_plan(
        luoyang, alice, bob, erin, item):
    with pytest.raises(Forbidden, match="只有洛阳市住房和城乡建设局的工作人员可以制定抽查计划"):
        services.create_plan(actor=erin, department=luoyang["housing"], data=plan_input(item))
    make_user("tina", luoyang["trading_centre"], "leader")
    with pytest.raises(Forbidden, match="洛阳市公共资源交易中心不是公共资源交易的行政监督部门"):
        services.create_plan(actor=alice, department=luoyang["trading_centre"], data=plan_input(item))
    first = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(item), submission_key="k1")
    again = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(item), submission_key="k1")
    assert first.pk == again.pk and Plan.objects.count() == 1
    assert first.reference == f"CC{timezone.localdate().year}{first.pk:06d}" and first.status == Plan.Status.DRAFT
    assert first.scope_from == dt.date(timezone.localdate().year - 1, 1, 1)  # this year and last by default
    assert timeline(first).filter(action="inspection.plan_created").count() == 1


# --- draw ---------------------------------------------------------------------------------------------
def test_draw_records_seed_inputs_and_result_and_re_runs_identically(luoyang, bob, erin, mia, plan):
    with pytest.raises(Forbidden):
        services.draw_plan(actor=erin, plan=plan)  # a participant does not draw
    record = services.draw_plan(actor=bob, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAWN and plan.current_draw == record
    assert len(record.seed) == 64 and record.algorithm == "sjyg-v1"
    # Housing's 30 projects: 10 per stratum; 30 % / 10 % / 5 % → 3 / 1 / 1 (half up, at least one).
    assert [(s["level"], s["population"], s["quota"]) for s in record.result["strata"]] == [
        ("high", 10, 3), ("medium", 10, 1), ("low", 10, 1)]
    assert [c for s in record.inputs["strata"] for c in s["candidates"]] == [f"LYGC-{n:03d}" for n in range(1, 31)]
    assert record.inputs["team"] == [{"speciality": "housing", "label": "房屋建筑和市政工程", "count": 2}]
    assert [p["id"] for p in record.inputs["inspectors"]] == sorted(p["id"] for p in record.inputs["inspectors"])
    assert Target.objects.filter(draw=record).count() == 5
    assert TeamMember.objects.filter(target__draw=record).count() == 10
    # Anyone holding the record re-runs it and gets the identical result; another seed gives another result.
    stored = json.loads(json.dumps(Draw.objects.get(pk=record.pk).record))
    assert drawing.draw(stored["inputs"], stored["seed"]) == stored["result"]
    assert drawing.draw(stored["inputs"], stored["seed"][::-1])["targets"] != stored["result"]["targets"]
    assert selectors.verify_draw(record).ok
    public = selectors.public_record(record)
    assert drawing.verify(json.loads(json.dumps(public)))[0]
    event = timeline(plan).get(action="inspection.drawn")
    assert event.after["seed"] == record.seed and event.after["inputs_sha256"] == drawing.digest(record.inputs)
    assert event.after["targets"] == [t["code"] for t in record.result["targets"]]
    # The departments whose staff were drawn are told, and can open the plan.
    drawn_depts = set(TeamMember.objects.filter(target__draw=record).values_list("inspector__department", flat=True))
    assert drawn_depts <= {luoyang["housing"].pk, luoyang["transport"].pk, luoyang["market_regulation"].pk}
    if luoyang["transport"].pk in drawn_depts:
        assert Notification.objects.filter(recipient=erin, kind="inspection_drawn").exists()
        assert selectors.get_plan(erin, plan.pk) == plan
    with pytest.raises(Conflict, match="已抽取"):
        services.draw_plan(actor=bob, plan=plan)


def test_tampering_with_a_stored_draw_is_detected(bob, plan):
    record = services.draw_plan(actor=bob, plan=plan)
    inputs = dict(record.inputs)
    inputs["strata"] = [dict(s) for s in inputs["strata"]]
    inputs["strata"][0]["candidates"] = inputs["strata"][0]["candidates"][1:]
    Draw.objects.filter(pk=record.pk).update(inputs=inputs)
    check = selectors.verify_draw(Draw.objects.get(pk=record.pk))
    assert not check.ok and not check.chain_matches
    Draw.objects.filter(pk=record.pk).update(inputs=record.inputs, seed="0" * 64)
    check = selectors.verify_draw(Draw.objects.get(pk=record.pk))
    assert not check.ok and not check.rerun_matches and "不一致" in check.message


def test_conflicts_of_interest_are_never_drawn(luoyang, alice, bob, erin, mia, item, pool, directory):
    """A person who declared a link to a party (by USCC or by name) never inspects that project — over the
    recorded draw and 300 re-runs with other seeds. Working for the supervising department is no conflict."""
    linked_by_code = add_inspector(erin, luoyang["transport"], "关联甲", "LY-T-0100", ["housing"],
                                   links=[{"name": "", "uscc": uscc(3)}])
    linked_by_name = add_inspector(mia, luoyang["market_regulation"], "关联乙", "LY-S-0100", ["housing"],
                                   links=[{"name": "洛阳 招标人5", "uscc": ""}])  # spacing differs
    plan = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(
        item, participants=[luoyang["transport"], luoyang["market_regulation"]], ratio_high="100",
        ratio_medium="100", ratio_low="100", scope_departments=[luoyang["housing"]]))
    record = services.draw_plan(actor=bob, plan=plan)
    conflicts = {code: dict(entries) for code, entries in record.inputs["conflicts"].items()}
    housing_staff = {pool[f"H{i}"].pk for i in range(1, 4)}
    assert conflicts["LYGC-003"][linked_by_code.pk] == "申报与中标人（洛阳中标人3有限公司）存在关联"
    assert conflicts["LYGC-005"][linked_by_name.pk] == "申报与招标人（洛阳招标人5）存在关联"
    assert not any(housing_staff & set(c) for c in conflicts.values())
    forbidden = {code: set(c) for code, c in conflicts.items()}

    def check(result):
        for t in result["targets"]:
            assert not {m["id"] for m in t["inspectors"]} & forbidden.get(t["code"], set()), t["code"]

    check(record.result)
    for i in range(300):
        check(drawing.draw(record.inputs, f"other-{i}"))


def test_pool_eligibility_and_not_enough_inspectors_names_the_speciality(luoyang, bob, erin, mia, item, directory):
    add_inspector(erin, luoyang["transport"], "过期", "LY-T-0200", ["housing"], expires=timezone.localdate())
    add_inspector(erin, luoyang["transport"], "离库", "LY-T-0201", ["housing"], active=False)
    add_inspector(mia, luoyang["market_regulation"], "代理", "LY-S-0200", ["agency"])
    plan = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(
        item, participants=[luoyang["transport"], luoyang["market_regulation"]],
        team=[{"speciality": "agency", "count": 1}, {"speciality": "housing", "count": 1}]))
    inputs = selectors.draw_inputs(plan, timezone.localdate())
    assert [p["name"] for p in inputs["inspectors"]] == ["代理"]
    assert inputs["ineligible"][0][1] == "过期" and "早于计划结束日" in inputs["ineligible"][0][2]
    with pytest.raises(DomainError, match="专长“房屋建筑和市政工程”可抽取的执法人员不足") as exc:
        services.draw_plan(actor=bob, plan=plan)
    assert set(exc.value.field_errors) == {"team"}
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT and not Draw.objects.exists() and not Target.objects.exists()


def test_an_empty_scope_is_refused(luoyang, bob, item, pool):
    plan = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(item))
    with pytest.raises(DomainError, match="没有可抽取的检查对象"):
        services.draw_plan(actor=bob, plan=plan)


def test_scope_defaults_to_this_year_and_last_and_credit_raises_the_stratum(luoyang, alice, bob, item, pool):
    today = timezone.localdate()
    old = add_project(alice, luoyang, 40, risk="high", completed=dt.date(today.year - 2, 12, 31))
    low = add_project(alice, luoyang, 41, risk="low")
    black = add_project(alice, luoyang, 42, risk="low")
    other = add_project(alice, luoyang, 43, risk="low", dept="transport")
    firm = credit.ensure_subject(actor=bob, type="enterprise", code=uscc(41), name="洛阳中标人41有限公司")
    credit.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="bad_conduct",
                           decision_number="洛建记〔2026〕1号", decided_on=today, facts="未按规定签订合同",
                           legal_basis="《招标投标法实施条例》", penalty="记不良行为", valid_from=today)
    agent = credit.ensure_subject(actor=bob, type="agency", code=uscc(999), name="洛阳代理有限公司")
    rec = credit.record_sanction(actor=bob, department=luoyang["housing"], subject=agent, kind="penalty",
                                 decision_number="洛建罚〔2026〕9号", decided_on=today, facts="泄露应当保密的资料",
                                 legal_basis="《招标投标法》第五十条", penalty="罚款", valid_from=today, serious=True)
    plan = services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(
        item, participants=[luoyang["transport"]], scope_departments=[luoyang["housing"]]))
    inputs = selectors.draw_inputs(plan, today)
    by_level = {s["level"]: s["candidates"] for s in inputs["strata"]}
    assert old.project_code not in sum(by_level.values(), []) and other.project_code not in sum(by_level.values(), [])
    # Every project shares the seriously dishonest agency: all are drawn from the high stratum.
    assert by_level == {"high": [low.project_code, black.project_code], "medium": [], "low": []}
    credit.withdraw_record(actor=bob, rec=rec, reason="处罚决定被依法撤销")
    by_level = {s["level"]: s["candidates"] for s in selectors.draw_inputs(plan, today)["strata"]}
    assert by_level == {"high": [], "medium": [low.project_code], "low": [black.project_code]}


# --- re-draw --------------------------------------------------------------------------------------------
def test_redraw_needs_the_leader_and_a_reason_and_keeps_the_earlier_draw(luoyang, bob, carol, plan):
    first = services.draw_plan(actor=bob, plan=plan)
    with pytest.raises(Forbidden, match="负责人"):
        services.redraw_plan(actor=bob, plan=plan, reason="抽中对象已被专项检查覆盖，需重新抽取")
    with pytest.raises(DomainError, match="不少于10个字") as exc:
        services.redraw_plan(actor=carol, plan=plan, reason="重抽")
    assert set(exc.value.field_errors) == {"reason"}
    second = services.redraw_plan(actor=carol, plan=plan, reason="抽中的两名执法人员已调离执法岗位，需重新抽取")
    plan.refresh_from_db()
    first.refresh_from_db()
    assert second.number == 2 and plan.current_draw == second and second.seed != first.seed
    assert first.superseded_at is not None and Target.objects.filter(draw=first).count() == 5
    assert drawing.draw(first.inputs, first.seed) == first.result and selectors.verify_draw(first).ok
    event = timeline(plan).get(action="inspection.redrawn")
    assert event.reason == "抽中的两名执法人员已调离执法岗位，需重新抽取"
    assert event.before["seed"] == first.seed and event.after["seed"] == second.seed
    with pytest.raises(Conflict, match="已被重新抽取替代"):
        services.record_result(actor=bob, target=first.targets.first(), outcome="no_issue")
    services.record_result(actor=bob, target=second.targets.first(), outcome="no_issue")
    with pytest.raises(Conflict, match="已有检查对象登记了检查结果"):
        services.redraw_plan(actor=carol, plan=plan, reason="再一次重新抽取的理由写得足够长")


# --- end, results, publication, the clock ----------------------------------------------------------------
def test_end_starts_the_ten_working_day_clock_and_publication_meets_it(june, luoyang, bob, carol, lily, erin, frozen,
                                                                       plan):
    with pytest.raises(Conflict, match="尚未抽取"):
        services.end_inspection(actor=carol, plan=plan)
    plan = drawn(bob, plan)
    with pytest.raises(Forbidden):
        services.end_inspection(actor=erin, plan=plan)
    # ending the inspection and publishing its results are the leader's acts (casework.rules.powers)
    for staff in (bob, lily):
        with pytest.raises(Forbidden, match="结束抽查须由洛阳市住房和城乡建设局的负责人办理"):
            services.end_inspection(actor=staff, plan=plan)
    with pytest.raises(DomainError, match="不能晚于当前时间") as exc:
        services.end_inspection(actor=carol, plan=plan, ended_at=at(2026, 6, 2))
    assert set(exc.value.field_errors) == {"ended_at"}
    frozen(at(2026, 6, 12, 17))
    services.end_inspection(actor=carol, plan=plan, ended_at=at(2026, 6, 12, 16))
    clock = clocks_for(plan).get()
    assert clock.rule_version.rule.key == "inspection.publish_results" and clock.department == luoyang["housing"]
    # Fri 06-12 + 10 working days (Dragon Boat holiday 06-19 is a rest day in 2026): 06-29 24:00.
    assert due_date(clock.due_at) == dt.date(2026, 6, 29)
    with pytest.raises(Conflict, match="检查已于 2026-06-12 16:00 记录结束"):
        services.end_inspection(actor=carol, plan=plan)
    with pytest.raises(DomainError, match="尚未登记检查结果") as exc:
        services.publish_results(actor=carol, plan=plan)
    assert set(exc.value.field_errors) == {"targets"}
    finish(bob, plan)
    frozen(at(2026, 6, 15, 10))
    with pytest.raises(Forbidden, match="公开抽查结果须由洛阳市住房和城乡建设局的负责人办理"):
        services.publish_results(actor=bob, plan=plan)
    plan = services.publish_results(actor=carol, plan=plan)
    clock.refresh_from_db()
    assert clock.state == Clock.State.MET and plan.status == Plan.Status.PUBLISHED
    letter = plan.notice_letter
    assert letter.kind == Letter.Kind.PUBLIC_NOTICE and letter.title == f"关于{plan.title}结果的公告"
    assert plan.current_draw.seed[:16] in letter.body and "未发现问题" in letter.body
    with pytest.raises(Conflict, match="已于 2026-06-15"):
        services.publish_results(actor=carol, plan=plan)
    with pytest.raises(Conflict, match="已公开"):
        services.record_result(actor=bob, target=plan.current_draw.targets.first(), outcome="rectify",
                               findings="招标文件限制潜在投标人", follow_up="责令整改")


def test_an_unpublished_result_escalates_like_any_clock(june, luoyang, bob, carol, dave, frozen, plan):
    plan = drawn(bob, plan)
    services.end_inspection(actor=carol, plan=plan)
    clock = clocks_for(plan).get()
    assert due_date(clock.due_at) == dt.date(2026, 6, 15)
    frozen(at(2026, 6, 16, 0, 1))
    escalation.sweep()
    clock.refresh_from_db()
    assert clock.state == Clock.State.BREACHED
    assert set(Notification.objects.filter(kind="breach").values_list("recipient__username", flat=True)) == {
        "bob", "carol"}
    frozen(at(2026, 6, 23, 0, 1))  # 3 working days after the deadline: supervision
    escalation.sweep()
    assert Notification.objects.filter(kind="supervision", recipient=dave).exists()
    finish(bob, plan)
    services.publish_results(actor=carol, plan=plan)
    clock.refresh_from_db()
    assert clock.closed_at is not None and clock.state == Clock.State.BREACHED  # published, but late


def test_results_are_validated_recorded_by_participants_and_idempotent(luoyang, bob, erin, plan):
    plan = drawn(bob, plan)
    target = plan.current_draw.targets.first()
    with pytest.raises(DomainError) as exc:
        services.record_result(actor=bob, target=target, outcome="")
    assert exc.value.field_errors == {"outcome": ["请选择检查结果"]}
    with pytest.raises(DomainError) as exc:
        services.record_result(actor=bob, target=target, outcome="rectify", findings="有")
    assert set(exc.value.field_errors) == {"findings", "follow_up"}
    with pytest.raises(DomainError, match="检查结果须为"):
        services.record_result(actor=bob, target=target, outcome="praise")
    outsider = make_user("wendy", luoyang["water"], "handler")
    with pytest.raises(Forbidden, match="只有牵头单位或参与单位"):
        services.record_result(actor=outsider, target=target, outcome="no_issue")
    services.record_result(actor=erin, target=target, outcome="case_filed", findings="中标人提供虚假业绩骗取中标",
                           follow_up="已立案调查，案号洛交立〔2026〕3号")
    services.record_result(actor=erin, target=target, outcome="case_filed", findings="中标人提供虚假业绩骗取中标",
                           follow_up="已立案调查，案号洛交立〔2026〕3号")  # submitted twice
    assert timeline(plan).filter(action="inspection.result_recorded").count() == 1
    services.record_result(actor=bob, target=target, outcome="issue_found", findings="中标人提供的业绩证明材料存疑")
    event = timeline(plan).filter(action="inspection.result_recorded").last()
    assert event.before["outcome"] == "case_filed" and event.after["outcome"] == "issue_found"
    target.refresh_from_db()
    assert target.outcome == "issue_found" and target.recorded_by == bob


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_draws_make_one_draw(luoyang, bob, plan):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    results, errors = run_concurrently(lambda: services.draw_plan(actor=bob, plan=plan),
                                       lambda: services.draw_plan(actor=bob, plan=plan))
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert Draw.objects.filter(plan=plan).count() == 1


def test_every_audit_action_reads_in_chinese():
    import inspect
    import re

    from casework.events.labels import ACTION_LABELS

    actions = set(re.findall(r'"(inspection\.[a-z_]+)"', inspect.getsource(services))) - {services.PUBLISH_RULE}
    assert len(actions) >= 12 and actions <= set(ACTION_LABELS)
    assert all(re.search(r"[\u4e00-\u9fff]", ACTION_LABELS[a]) for a in actions)


def test_result_files_open_for_the_plans_units_only(luoyang, bob, erin, alice, plan, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from casework.attachments.selectors import get_attachment
    from casework.errors import NotFound
    from tests.test_permission_matrix import MINI_PDF

    plan = drawn(bob, plan)
    target = plan.current_draw.targets.first()
    with pytest.raises(Forbidden):
        services.add_result_files(actor=alice, plan=plan, target=target,
                                  uploads=[SimpleUploadedFile("记录.pdf", MINI_PDF)])
    [record] = services.add_result_files(actor=erin, plan=plan, target=target,
                                         uploads=[SimpleUploadedFile("现场检查记录.pdf", MINI_PDF)])
    assert record.purpose == "inspection" and get_attachment(bob, record.pk) == record
    with pytest.raises(NotFound):
        get_attachment(alice, record.pk)
    client.force_login(bob)
    page = client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert "现场检查记录.pdf" in page
    response = client.post(reverse("inspections:plan_action", args=[plan.pk, "files"]), {"target": target.pk})
    assert response.status_code == 400
