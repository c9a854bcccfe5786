"""检查通知书 to the inspected party (issue 16): one per target of the plan's current draw, addressed to the tenderer,
naming the project's parties, the items with their basis and method, the period and the inspectors now serving
with their certificate numbers; a replaced inspector is left out; only targets of the current draw have one."""

import pytest
from django.test import Client

from inspections import selectors, services

pytestmark = pytest.mark.django_db


def test_each_target_of_the_current_draw_has_a_notice(luoyang, bob, carol, plan):
    record = services.draw_plan(actor=bob, plan=plan)
    plan.refresh_from_db()
    targets = list(selectors.targets_of(record))
    client = Client()
    client.force_login(bob)
    assert "检查通知书" in client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    first = targets[0]
    member = selectors.serving(first)[0]
    services.replace_inspector(actor=bob, member=member, reason="回避：与中标人有利害关系")
    first = selectors.targets_of(plan.current_draw).get(pk=first.pk)
    html = client.get(f"/inspections/plans/{plan.pk}/targets/{first.pk}/notice/").content.decode()
    assert "检 查 通 知 书" in html and f"{plan.reference}-1" in html
    assert f"<strong>{first.project.tenderer_name}</strong>" in html and first.project.winner_uscc in html
    team = html.split('id="notice-team"')[1].split("</table>")[0]
    serving = selectors.serving(first)
    assert all(m.inspector.certificate_number in team for m in serving)
    assert member.inspector.certificate_number not in team  # replaced: not sent
    items = html.split('id="notice-items"')[1]
    assert plan.items.first().legal_basis.splitlines()[0] in items
    # another plan's target, or a made-up one: not found
    assert client.get(f"/inspections/plans/{plan.pk}/targets/999999/notice/").status_code == 404
    services.redraw_plan(actor=carol, plan=plan, reason="抽中的两名执法人员已调离执法岗位，需重新抽取")
    assert client.get(f"/inspections/plans/{plan.pk}/targets/{first.pk}/notice/").status_code == 404  # superseded
