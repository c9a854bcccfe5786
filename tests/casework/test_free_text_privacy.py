"""Personal data in the free text of every mechanism besides complaints (issue 11): an anonymous report's summary
(a clue), an assistance letter, a joint action and its findings, an inspection's findings and follow-up, a
meeting's topics and decisions, a hand-over. Planted there: a name in context, a resident ID number, phones in
three formats (spaces, +86 with dashes, full-width digits) and an e-mail address.

Only the handling department's handler or leader holding casework.view_personal_data reads the original, and
each such read is in the audit trail (identity.viewed); the same department's staff without the permission, its
liaison with it, the supervisor with it, another department with it, a superuser and the public see it masked,
on every page, API response, notification, letter to a third party and admin page.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from casework.privacy import mask_text

PLANTED_NAME, PLANTED_ID = "张晓东", "410302198807071234"
PLANTED = (f"举报人{PLANTED_NAME}（身份证号 {PLANTED_ID}）反映，联系电话 0468 888 1234、+86 138-0000-0000、"
           "１３９１２３４５６７８，邮箱 witness.zhang@example.invalid。")
SECRETS = (PLANTED_NAME, PLANTED_ID, "0468 888 1234", "04688881234", "8881234", "138-0000-0000", "13800000000",
           "１３９１２３４５６７８", "13912345678", "witness.zhang@example.invalid")


def leaked(text: str) -> list[str]:
    flat = re.sub(r"\s+", "", text)
    return [s for s in SECRETS if s in text or re.sub(r"\s+", "", s) in flat]


def test_mask_text_hides_every_planted_value():
    masked = mask_text(PLANTED)
    assert not leaked(masked), masked
    assert "张**" in masked and "4103**********1234" in masked and "*******1234" in masked
    assert "138****0000" in masked and "139****5678" in masked and "w***@example.invalid" in masked
    # role words not followed by a name stay as written
    plain = "投诉人称两家投标人由同一人报名，由联系人负责答复"
    assert mask_text(plain) == plain


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    from casework.accounts import services as account_services
    from casework.handoffs.models import Handoff
    from casework.org.models import Department
    from consultations.models import Decision, Meeting
    from inspections.models import Plan, Target
    from jointaction.models import AssistanceRequest, Finding, JointAction
    from referrals import services as referrals

    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="ly-")}
    for user in users.values():
        account_services.password_changed(user=user)
    housing = Department.objects.get(code="LY-HOUSING")
    w = {"users": users, "housing": housing}
    w["clue"] = referrals.intake_report(department=housing, project_code="LYGC2026-777", project_name="某道路工程",
                                        summary=PLANTED, submission_key="privacy:1").clue
    w["assistance"] = AssistanceRequest.objects.filter(requester=housing).first()
    AssistanceRequest.objects.filter(pk=w["assistance"].pk).update(case_summary=PLANTED, matters=PLANTED,
                                                                   reasons=PLANTED, result=PLANTED)
    w["action"] = JointAction.objects.filter(initiator=housing).first()
    JointAction.objects.filter(pk=w["action"].pk).update(trigger_note=PLANTED, summary=PLANTED, public_text=PLANTED)
    Finding.objects.filter(action=w["action"]).update(description=PLANTED, measures=PLANTED)
    plans = Plan.objects.filter(lead_department=housing, current_draw__isnull=False)
    w["plan"] = plans.filter(published_at__isnull=False).first() or plans.first()
    Target.objects.filter(draw=w["plan"].current_draw).update(findings=PLANTED, follow_up=PLANTED)
    w["meeting"] = Meeting.objects.filter(decisions__isnull=False).first()
    Meeting.objects.filter(pk=w["meeting"].pk).update(purpose=PLANTED)
    w["decision"] = w["meeting"].decisions.first()
    Decision.objects.filter(pk=w["decision"].pk).update(text=PLANTED, result=PLANTED)
    w["handoff"] = Handoff.objects.filter(sender=housing).first()
    Handoff.objects.filter(pk=w["handoff"].pk).update(description=PLANTED, result=PLANTED)
    perm = Permission.objects.get(content_type__app_label="casework", codename="view_personal_data")
    w["perm"] = perm
    return w


def pages(w) -> list[tuple[str, str, str]]:
    """(what, path, the handling department's code)."""
    housing, convener = "ly-housing", w["meeting"].convener.code.lower()
    clue, req, act, plan = w["clue"], w["assistance"], w["action"], w["plan"]
    return [
        ("anonymous report", f"/referrals/{clue.pk}/", housing),
        ("anonymous report API", f"/api/v1/clues/{clue.pk}/", housing),
        ("assistance letter", f"/joint/assistance/{req.pk}/", housing),
        ("assistance API", f"/api/v1/assistance/{req.pk}/", housing),
        ("joint action", f"/joint/actions/{act.pk}/", housing),
        ("joint action API", f"/api/v1/joint-actions/{act.pk}/", housing),
        ("inspection plan", f"/inspections/plans/{plan.pk}/", housing),
        ("inspection plan API", f"/api/v1/inspections/plans/{plan.pk}/", housing),
        ("meeting", f"/consultations/meetings/{w['meeting'].pk}/", convener),
        ("decision", f"/consultations/decisions/{w['decision'].pk}/", convener),
        ("decision API", f"/api/v1/consultations/decisions/{w['decision'].pk}/", convener),
    ]


PUBLIC_PAGES = ("/joint/public/", "/inspections/public/")


def _as(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_planted_personal_data_only_for_the_cleared_handler(world):
    from casework.events.models import Event

    w, users = world, world["users"]
    leaks, shown = [], []
    for what, path, dept in pages(w):
        cleared = users[f"{dept}.handler"]
        cleared.user_permissions.add(w["perm"])
        uncleared = [users[f"{dept}.leader"],                     # same department, no permission
                     users[f"{dept}.liaison"],                    # the permission, but a liaison
                     users["ly-drc.supervisor"],                  # the permission, but no case role here
                     users["ly-water.handler"],                   # another department
                     users["ly-drc.admin"], users["ly-drc.security_admin"], users["ly-drc.auditor"]]
        for user in uncleared[1:]:
            user.user_permissions.add(w["perm"])  # cleared by mistake: the rule still decides
        for user in uncleared:
            response = _as(get_user_model().objects.get(pk=user.pk)).get(path)
            if response.status_code == 200 and leaked(response.content.decode()):
                leaks.append(f"{what} {path} as {user.username}: {leaked(response.content.decode())}")
        root = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
            "root", "root@example.invalid", "pw-root")
        response = _as(root).get(path)
        if response.status_code == 200 and leaked(response.content.decode()):
            leaks.append(f"{what} {path} as superuser")
        before = Event.objects.filter(action="identity.viewed", actor=cleared).count()
        response = _as(get_user_model().objects.get(pk=cleared.pk)).get(path)
        assert response.status_code == 200, (what, path, response.status_code)
        body = response.content.decode()
        if PLANTED_ID in body or PLANTED_ID in body.replace("\\u", ""):
            shown.append(what)
            assert Event.objects.filter(action="identity.viewed", actor=cleared).count() > before, what
        cleared.user_permissions.remove(w["perm"])
        for user in uncleared[1:]:
            user.user_permissions.remove(w["perm"])
    for path in PUBLIC_PAGES:
        response = Client().get(path)
        if response.status_code == 200 and leaked(response.content.decode()):
            leaks.append(f"public {path}: {leaked(response.content.decode())}")
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    # the cleared handler reads the original on every page (the decision page, the meeting, the clue ...)
    assert {"anonymous report", "assistance letter", "joint action", "meeting", "decision"} <= set(shown), shown


def test_notifications_and_letters_carry_no_planted_data(world):
    from casework.letters.models import Letter
    from casework.notifications.models import Notification

    w = world
    notes = Notification.objects.filter(url=w["clue"].get_absolute_url())
    assert notes.exists()
    for note in notes:
        assert not leaked(note.title + note.body), note.body
    # a letter to a third party built from the free text (the transfer of the reported clue to another organ)
    from casework.letters.services import issue_letter
    from casework.org.models import Department

    handler = w["users"]["ly-housing.handler"]
    letter = issue_letter(actor=handler, issuer=w["housing"], kind=Letter.Kind.ASSISTANCE,
                          addressee=Department.objects.get(code="LY-POLICE"), title="关于商请协助的函",
                          body=["一、基本情况。" + PLANTED], subject=w["clue"])
    assert not leaked(letter.body), letter.body


def test_admin_change_pages_mask_the_free_text(world):
    w = world
    auditor = w["users"]["ly-drc.auditor"]
    auditor.user_permissions.add(Permission.objects.get(codename="view_decision"),
                                 Permission.objects.get(codename="view_meeting"),
                                 Permission.objects.get(codename="view_handoff"), w["perm"])
    c = _as(get_user_model().objects.get(pk=auditor.pk))
    for path in (f"/admin/consultations/decision/{w['decision'].pk}/change/",
                 f"/admin/consultations/meeting/{w['meeting'].pk}/change/",
                 f"/admin/casework/handoff/{w['handoff'].pk}/change/"):
        response = c.get(path)
        assert response.status_code == 200, path
        assert not leaked(response.content.decode()), path
        assert "4103**********1234" in response.content.decode(), path


def test_audit_page_detail_is_masked(world):
    """An audit event's reason or result (free text) shows masked on the auditor's page."""
    from casework.events.services import record

    w = world
    record(actor=w["users"]["ly-housing.handler"], obj=w["clue"], action="clue.returned",
           after={"reasons": PLANTED})
    response = _as(get_user_model().objects.get(username="ly-drc.auditor")).get("/audit/")
    assert response.status_code == 200
    assert not leaked(response.content.decode())
