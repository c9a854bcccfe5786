"""The joint action's plan on paper (issue 16: "a printable joint-action plan"): the settled version with its duties
and the staff each department sends, the latest draft marked 征求意见稿 before that, free text masked as on the
page, and a 404 for a department outside the action."""

import pytest
from django.test import Client

from casework.org.models import Membership
from casework.org.services import add_membership
from tests.conftest import at
from tests.jointaction.test_joint_actions import propose, settle, start

pytestmark = pytest.mark.django_db


def test_the_settled_plan_prints_with_duties_and_staff(bob, mark, pete, luoyang, frozen, django_user_model):
    action = settle(bob, mark, pete, luoyang, frozen)
    client = Client()
    client.force_login(mark)  # a participant
    page = client.get(f"/joint/actions/{action.pk}/")
    assert f'/joint/actions/{action.pk}/plan/print/' in page.content.decode()
    html = client.get(f"/joint/actions/{action.pk}/plan/print/").content.decode()
    assert "<h1>房建工程串通投标专项联合执法行动方案</h1>" in html and "第1版（已确定" in html
    assert "查处房建工程领域串通投标、弄虚作假行为" in html and "核查企业登记和股权关系" in html
    staff = html.split('id="plan-staff"')[1]
    assert "张三 科长" in staff and "王五 执法员" in staff and "赵六 民警" in staff
    stranger = django_user_model.objects.create_user("stranger")
    add_membership(user=stranger, department=luoyang["water"], role=Membership.Role.HANDLER)
    client.force_login(stranger)
    assert client.get(f"/joint/actions/{action.pk}/plan/print/").status_code == 404


def test_a_draft_prints_as_draft_and_no_plan_is_a_404_and_personal_data_stays_masked(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    action = start(bob, luoyang)
    client = Client()
    client.force_login(mark)
    assert client.get(f"/joint/actions/{action.pk}/plan/print/").status_code == 404  # nothing drafted yet
    propose(bob, action, luoyang, targets="举报人欧阳晓东（电话 13912345678）反映的在建项目")
    html = client.get(f"/joint/actions/{action.pk}/plan/print/").content.decode()
    assert "征求意见稿" in html and "（尚未选派）" in html
    assert "13912345678" not in html and "欧阳晓东" not in html
    assert "13912345678" not in client.get(f"/joint/actions/{action.pk}/").content.decode()  # the page too
