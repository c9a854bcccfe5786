"""Administrators edit rules (versioned) and correct running clocks only on purpose."""

from casework.clocks import services
from casework.events.models import Event
from casework.org.models import Department
from casework.rules.models import Rule
from tests.conftest import at


def test_rule_edit_creates_a_version_and_correction_is_previewed_then_applied(client, luoyang, olga):
    clock = services.start_clock(actor=None, subject=luoyang["housing"], rule_key="referral.return",
                                 department=luoyang["housing"], started_at=at(2026, 11, 2))
    rule = Rule.objects.get(profile__jurisdiction=luoyang["housing"].jurisdiction, key="referral.return")
    client.force_login(olga)
    form = {"name": rule.name, "amount": "5", "unit": "working_days", "starts_on": "receipt", "source": "default",
            "clause": "参照 曾都 第十四条(三)", "note": "市里决定统一为5个工作日", "change_reason": "统一时限",
            "versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1", "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000", "versions-0-id": str(rule.current_version.pk),
            "versions-0-rule": str(rule.pk)}
    resp = client.post(f"/admin/casework/rule/{rule.pk}/change/", form, follow=True)
    assert resp.status_code == 200
    rule.refresh_from_db()
    assert rule.current_version.number == 2 and rule.current_version.amount == 5
    assert "仍按旧版本计算" in resp.content.decode()
    clock.refresh_from_db()
    assert clock.rule_version.number == 1  # untouched until corrected

    preview = client.get(f"/admin/casework/rule/{rule.pk}/correct/").content.decode()
    assert "2026-11-05 24:00" in preview and "2026-11-09 24:00" in preview
    resp = client.post(f"/admin/casework/rule/{rule.pk}/correct/", {"clocks": [str(clock.pk)], "reason": ""})
    assert resp.status_code == 200 and "该字段是必填项" in resp.content.decode()
    clock.refresh_from_db()
    assert clock.rule_version.number == 1
    resp = client.post(f"/admin/casework/rule/{rule.pk}/correct/", {"clocks": [str(clock.pk)], "reason": "统一时限"})
    assert resp.status_code == 302
    clock.refresh_from_db()
    assert clock.rule_version.number == 2 and clock.due_at == at(2026, 11, 10, 0, 0)


def test_non_staff_cannot_reach_admin(client, bob):
    client.force_login(bob)
    assert client.get("/admin/casework/rule/").status_code == 302  # to the admin login


def test_admin_adds_and_edits_a_department_with_its_access_group_and_audit(client, olga, luoyang):
    """Adding a department in the admin crashed (NOT NULL on its access group): it goes through the service."""
    client.force_login(olga)
    home = luoyang["housing"].jurisdiction
    resp = client.post("/admin/casework/department/add/", {
        "code": "LY-POLICE-JX", "name": "洛阳市公安局涧西分局", "short_name": "涧西分局", "doc_abbr": "",
        "type": "police", "jurisdiction": home.pk, "parent": luoyang["police"].pk, "active": "on"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    dept = Department.objects.get(code="LY-POLICE-JX")
    assert dept.group.name == "department:LY-POLICE-JX" and dept.parent == luoyang["police"]
    assert Event.objects.filter(action="department.created", object_id=str(dept.pk)).exists()
    resp = client.post(f"/admin/casework/department/{dept.pk}/change/", {
        "name": "洛阳市公安局涧西区分局", "short_name": "涧西分局", "doc_abbr": "洛公涧", "type": "police",
        "jurisdiction": home.pk, "parent": luoyang["police"].pk, "active": "on"})
    assert resp.status_code == 302
    dept.refresh_from_db()
    assert dept.name == "洛阳市公安局涧西区分局" and dept.doc_abbr == "洛公涧" and dept.code == "LY-POLICE-JX"
    assert Event.objects.filter(action="department.updated", object_id=str(dept.pk)).count() == 2


def test_admin_speaks_chinese_every_model_field_and_audit_action(client, luoyang, olga):
    """Every model of the portal's own apps in the admin has Chinese names for itself and its fields (an id
    excepted), and the audit log lists actions by their label, not their code."""
    import re

    from django.contrib import admin
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.db import models

    cjk = re.compile(r"[\u4e00-\u9fff]")
    ours = {"casework", "referrals", "complaints", "consultations", "credit", "jointaction", "inspections", "risk",
            "supervision", "public"}
    missing = []
    for model in admin.site._registry:
        if model._meta.app_label not in ours:
            continue
        if not cjk.search(str(model._meta.verbose_name)) or not cjk.search(str(model._meta.verbose_name_plural)):
            missing.append(model._meta.label)
        missing += [f"{model._meta.label}.{f.name}" for f in model._meta.get_fields()
                    if isinstance(f, models.Field) and not isinstance(f, GenericForeignKey) and not f.auto_created
                    and not cjk.search(str(f.verbose_name))]
    assert missing == []
    event_admin = admin.site._registry[Event]
    assert "action_display" in event_admin.list_display
    assert event_admin.action_display(Event(action="rules.rule_updated")) != "rules.rule_updated"
