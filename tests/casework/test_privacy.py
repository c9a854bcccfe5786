"""The masking service (casework.privacy): structured fields and free text, any phone format, full-width digits;
and the one rule for who sees the original."""

import pytest
from django.contrib.auth.models import Permission

from casework import privacy
from casework.events.models import Event
from complaints import services
from tests.complaints.conftest import complaint_input

ID = "410423199001011232"
TERMS = privacy.Terms(names=("张三丰",), ids=(ID,), phones=("0468-8881234",), emails=("zs@qq.com",))


def test_structured_fields():
    assert privacy.mask_id_number(ID) == "4104**********1232"
    assert privacy.mask_phone("+86 138-1234-5678") == "138****5678"
    assert privacy.mask_phone("0468-8881234") == "*******1234"
    assert privacy.mask_email("zhang@example.cn") == "z***@example.cn"
    assert privacy.mask_name("张三丰") == "张**"
    firm = privacy.mask_name("演示丁建设有限公司")
    assert firm.startswith("演示") and "建设" not in firm


@pytest.mark.parametrize("text, gone", [
    (f"投诉人张三丰，身份证{ID}", ["张三丰", ID]),
    ("张 三 丰的身份证４１０４２３１９９００１０１１２３２", ["张 三 丰", "４１０４２３１９９００１０１１２３２"]),
    ("电话0468 8881234，又及0468-8881234、（0468）8881234、０４６８８８８１２３４", ["8881234", "８８８１２３４"]),
    ("手机+86 138-1234-5678 或 (+86)13812345678 或 8613812345678 或 １３８１２３４５６７８",
     ["1234-5678", "12345678", "１２３４５６７８"]),
    ("邮箱 zs@qq.com，另一个 li.si@example.cn，全角 zs＠qq．com", ["zs@qq.com", "li.si@", "zs＠"]),
])
def test_free_text(text, gone):
    masked = privacy.mask_text(text, TERMS)
    for secret in gone:
        assert secret not in masked, (secret, masked)


def test_individual_business_uscc_is_masked_an_enterprise_uscc_kept():
    text = "个体工商户 92410302MA9F1234XQ 与 甲公司 91410300MA9F1234XQ"
    masked = privacy.mask_text(text)
    assert "92410302MA9F1234XQ" not in masked and "9241**********34XQ" in masked
    assert "91410300MA9F1234XQ" in masked


def test_ordinary_numbers_are_kept():
    text = "项目编号 LYGC2026-118，2026-11-20 开标，金额 1234567 元，文号 洛住建〔2026〕3号"
    assert privacy.mask_text(text, TERMS) == text


def _complaint(luoyang, **kw):
    return services.file_complaint(data=complaint_input(luoyang, **kw), channel="online",
                                   submission_key="web:p1").complaint


def test_may_see_identity_only_handling_cleared_case_staff(luoyang, bob, carol, dave, erin, olga, root, lily):
    complaint = _complaint(luoyang)
    perm = Permission.objects.get(codename="view_complainant")
    for user in (bob, dave, erin, olga, lily):
        user.user_permissions.add(perm)
    assert privacy.may_see_identity(bob, complaint)
    assert not privacy.may_see_identity(carol, complaint)      # same department, not cleared
    assert not privacy.may_see_identity(dave, complaint)       # supervisor of another department, cleared
    assert not privacy.may_see_identity(erin, complaint)       # unrelated department, cleared
    assert not privacy.may_see_identity(olga, complaint)       # the system administrator, cleared by mistake
    assert not privacy.may_see_identity(lily, complaint)       # a liaison is not a case role for identity
    assert not privacy.may_see_identity(root, complaint)       # a superuser: has_perm says yes, the rule says no
    assert root.has_perm("complaints.view_complainant")


def test_permitted_read_is_audited(client, luoyang, bob):
    complaint = _complaint(luoyang)
    bob.user_permissions.add(Permission.objects.get(codename="view_complainant"))
    client.force_login(bob)
    before = Event.objects.filter(action="identity.viewed").count()
    client.get(complaint.get_absolute_url())
    event = Event.objects.filter(action="identity.viewed").latest("seq")
    assert Event.objects.filter(action="identity.viewed").count() == before + 1
    assert (event.actor, event.object_id, event.after["where"]) == (bob, str(complaint.pk), "complaint_page")


def test_free_text_masked_on_the_case_page_for_others(client, luoyang, carol, dave):
    complaint = _complaint(luoyang, grounds="本人周明远（电话 138 0013 8000，身份证410302199001011235）发现串标。")
    for user in (carol, dave):
        client.force_login(user)
        page = client.get(complaint.get_absolute_url()).content.decode()
        assert "周明远" not in page and "138 0013 8000" not in page and "410302199001011235" not in page
        assert "周**" in page


def test_notifications_and_emails_are_masked(luoyang, bob):
    from casework.notifications.models import Notification
    from casework.notifications.services import notify_department

    notify_department(department=luoyang["housing"], roles=["handler"], kind="x",
                      title="来电 138 1234 5678", body=f"举报人身份证{ID}，邮箱 a.b@qq.com")
    note = Notification.objects.get(recipient=bob, kind="x")
    assert "1234 5678" not in note.title and ID not in note.body and "a.b@qq.com" not in note.body
