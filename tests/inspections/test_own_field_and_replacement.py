"""A supervising department inspects its own field alone (Hegang 三(三)); a thin pool is warned about; one drawn
inspector is replaced without a re-draw, by the same verifiable lottery; the supervision office's staff see the
plans they organise (Pingdingshan 18)."""

import pytest
from django.db.models import Count

from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.services import timeline
from casework.org.models import Membership
from inspections import drawing, selectors, services
from inspections.models import TeamMember
from tests.conftest import make_user
from tests.inspections.conftest import add_inspector, plan_input


@pytest.fixture
def own_field(luoyang, bob, item, directory):
    """Housing alone: three housing inspectors, two per target, over housing's 30 projects (5 drawn)."""
    for i in range(1, 4):
        add_inspector(bob, luoyang["housing"], f"住建{i}", f"LY-HZ-000{i}", ["housing"])
    return services.create_plan(actor=bob, department=luoyang["housing"],
                                data=plan_input(item, scope_departments=[luoyang["housing"]]))


def test_a_department_draws_its_own_staff_for_its_own_projects(luoyang, bob, own_field):
    record = services.draw_plan(actor=bob, plan=own_field)
    assert len(record.result["targets"]) == 5
    assert record.inputs["conflicts"] == {}
    members = TeamMember.objects.filter(target__draw=record)
    assert members.count() == 10
    assert set(members.values_list("inspector__department", flat=True)) == {luoyang["housing"].pk}


def heavy_names(record) -> set[str]:
    """Who carries more than half of the targets, counted in the database."""
    targets = record.targets.count()
    loads = (TeamMember.objects.filter(target__draw=record, replaced_at__isnull=True)
             .values("inspector__name").annotate(n=Count("target")))
    return {row["inspector__name"] for row in loads if row["n"] * 2 > targets}


def test_a_thin_pool_is_warned_about_on_the_plan_page(client, bob, own_field):
    record = services.draw_plan(actor=bob, plan=own_field)
    warnings = selectors.thin_pool_warnings(list(selectors.targets_of(record)))
    # 3 people for 10 places on 5 targets: someone carries at least 4 (pigeonhole), more than half.
    assert warnings and all("执法人员库偏少" in w and "共 5 个" in w for w in warnings)
    assert {w.split("：")[1].split("（")[0] for w in warnings} == heavy_names(record)
    client.force_login(bob)
    page = client.get(own_field.get_absolute_url()).content.decode()
    assert page.count("pool-warning") == len(warnings)


def test_the_warning_names_exactly_those_over_half(luoyang, bob, plan):
    record = services.draw_plan(actor=bob, plan=plan)  # nine people, two per target, five targets
    warnings = selectors.thin_pool_warnings(list(selectors.targets_of(record)))
    assert {w.split("：")[1].split("（")[0] for w in warnings} == heavy_names(record)


def test_one_drawn_inspector_is_replaced_by_the_recorded_lottery(luoyang, bob, erin, carol, plan):
    record = services.draw_plan(actor=bob, plan=plan)
    target = record.targets.order_by("position").first()
    member = target.team.order_by("position").first()
    with pytest.raises(Forbidden):
        services.replace_inspector(actor=erin, member=member, reason="因病住院无法到岗")
    with pytest.raises(DomainError, match="须写明理由"):
        services.replace_inspector(actor=bob, member=member, reason="病")
    newcomer = services.replace_inspector(actor=bob, member=member, reason="因病住院无法到岗")
    member.refresh_from_db()
    assert member.replaced_at is not None and member.replaced_reason == "因病住院无法到岗"
    assert newcomer.replaces == member and newcomer.speciality == member.speciality
    # The same lottery as the draw, from the same record: anyone can recompute the replacement.
    team_before = {m["id"] for m in record.result["targets"][0]["inspectors"]}
    candidates = [str(p["id"]) for p in record.inputs["inspectors"]
                  if member.speciality in p["specialities"] and p["id"] not in team_before]
    code = target.project.project_code
    [(chosen, number)] = drawing.pick(record.seed, f"replace:{code}:{member.speciality}:1", candidates, 1)
    assert newcomer.inspector_id == int(chosen) and newcomer.lottery == number
    event = timeline(plan).get(action="inspection.inspector_replaced")
    assert event.reason == "因病住院无法到岗" and event.after["candidates"] == candidates
    assert [m.inspector_id for m in selectors.serving(target)] == [
        m.inspector_id for m in target.team.order_by("position") if m.replaced_at is None]
    with pytest.raises(Conflict, match="已被替换"):
        services.replace_inspector(actor=bob, member=member, reason="因病住院无法到岗")
    # The draw itself is untouched and still verifies.
    assert selectors.verify_draw(record).ok


def test_no_replacement_once_the_result_is_recorded(luoyang, bob, plan):
    record = services.draw_plan(actor=bob, plan=plan)
    target = record.targets.order_by("position").first()
    services.record_result(actor=bob, target=target, outcome="no_issue")
    with pytest.raises(Conflict, match="已登记检查结果"):
        services.replace_inspector(actor=bob, member=target.team.first(), reason="因病住院无法到岗")


def test_replacement_through_the_page_and_the_public_sees_only_who_served(client, luoyang, bob, plan):
    record = services.draw_plan(actor=bob, plan=plan)
    target = record.targets.order_by("position").first()
    member = target.team.order_by("position").first()
    client.force_login(bob)
    url = f"/inspections/plans/{plan.pk}/targets/{target.pk}/members/{member.pk}/replace/"
    short = client.post(url, {"reason": "病"})
    assert short.status_code == 400 and "须写明理由" in short.content.decode()
    done = client.post(url, {"reason": "因病住院无法到岗"})
    assert done.status_code == 302
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f"<s>{member.inspector.name}</s>" in page and "因病住院无法到岗" in page


def test_the_supervision_office_staff_see_the_plans_they_organise(luoyang, bob, plan):
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    clerk = make_user("ophelia", office, Membership.Role.HANDLER)
    assert selectors.get_plan(clerk, plan.pk) == plan
    outsider = make_user("walt", luoyang["water"], Membership.Role.HANDLER)
    with pytest.raises(NotFound):
        selectors.get_plan(outsider, plan.pk)
