"""The joint report upward reaches the addressee's own accounts (chosen from departments), and the joint public
notice is signed by every participating organ."""

import subprocess

from casework.letters import signoff
from casework.letters.services import get_letter
from casework.notifications.models import Notification
from casework.org.models import Membership
from casework.org.services import ensure_department
from jointaction import selectors, services
from tests.conftest import at, make_user
from tests.jointaction.test_joint_actions import settle


def test_report_is_delivered_to_the_government_and_the_notice_names_every_organ(bob, carol, mark, pete, erin,
                                                                              luoyang, frozen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    government = ensure_department(code="LY-GOV", name="洛阳市人民政府", short_name="市政府", type="other",
                                   jurisdiction=luoyang["housing"].jurisdiction)
    gina = make_user("gina", government, Membership.Role.LEADER)
    action = settle(bob, mark, pete, luoyang, frozen)
    frozen(at(2026, 12, 16, 10))
    action = services.conclude_action(actor=carol, action=action, summary="共检查项目12个，发现问题2个，均已依法处理。")
    action = services.issue_report(actor=bob, action=action, addressee=government)
    # a report upward is the handler's draft until the housing bureau's leader signs it off (profile: report)
    assert action.report_letter is None and action.report_draft.state == "pending"
    assert not Notification.objects.filter(recipient=gina).exists()
    signoff.sign(actor=carol, draft=action.report_draft)
    action.refresh_from_db()
    report = action.report_letter
    assert report.issued_by == carol
    assert report.addressee == government and report.addressee_name == ""
    assert get_letter(gina, report.pk) == report
    assert selectors.visible_actions(gina).filter(pk=action.pk).exists()
    assert not selectors.visible_actions(erin).filter(pk=action.pk).exists()
    assert Notification.objects.filter(recipient=gina, url=action.get_absolute_url()).exists()
    action = services.publish_action(actor=carol, action=action,
                                     public_text="2026年12月，市住建局会同市市场监管局、市公安局开展联合执法，检查项目12个。")
    text = "".join(subprocess.run(["pdftotext", str(tmp_path / action.notice_letter.file.name), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    for organ in ("洛阳市住房和城乡建设局", "洛阳市市场监督管理局", "洛阳市公安局"):
        assert text.count(organ) >= 2, organ  # in the masthead and signed at the foot (and named in the text)
    # 联合行文 masthead, lead organ first
    assert text.startswith("洛阳市住房和城乡建设局洛阳市市场监督管理局洛阳市公安局")
    assert set(action.notice_letter.joint_issuers.all()) == {luoyang["market_regulation"], luoyang["police"]}
