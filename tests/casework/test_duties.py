"""三员分立: system administrator, security administrator and auditor are separate duties, none a case role; a
Django superuser reads nothing of the cases."""

import pytest
from django.contrib.auth.models import Permission

from casework.errors import DomainError
from casework.org.models import Membership
from casework.org.selectors import user_departments
from casework.org.services import add_membership
from complaints import services
from tests.complaints.conftest import complaint_input


def test_duties_have_their_permissions_and_no_case_content(olga, sam, audrey):
    assert olga.has_perm("casework.change_department") and olga.has_perm("casework.change_calendaryear")
    assert olga.has_perm("casework.change_apiclient") and olga.has_perm("auth.add_user")
    assert not olga.has_perm("auth.change_group") and not olga.has_perm("casework.add_membership")
    assert sam.has_perm("auth.change_group") and sam.has_perm("casework.add_membership")
    assert not sam.has_perm("casework.change_department")
    assert audrey.has_perm("casework.view_auditlog") and audrey.has_perm("casework.view_event")
    assert not audrey.has_perm("auth.change_user")
    for user in (olga, sam, audrey):
        assert not user.is_superuser and user.is_staff
        assert user_departments(user) == []   # a duty makes no department "mine"
        assert not user.has_perm("complaints.view_complainant") and not user.has_perm("casework.view_letter")


def test_one_person_one_duty(luoyang, olga, bob):
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    with pytest.raises(DomainError, match="三员分立"):
        add_membership(user=olga, department=office, role=Membership.Role.AUDITOR)
    with pytest.raises(DomainError, match="三员分立"):
        add_membership(user=olga, department=office, role=Membership.Role.HANDLER)
    with pytest.raises(DomainError, match="三员分立"):
        add_membership(user=bob, department=office, role=Membership.Role.SECURITY_ADMIN)


@pytest.mark.parametrize("who", ["olga", "sam", "audrey", "root"])
def test_administrators_and_superuser_read_no_case(client, luoyang, who, request):
    user = request.getfixturevalue(who)
    complaint = services.file_complaint(data=complaint_input(luoyang), channel="online",
                                        submission_key="web:d1").complaint
    user.user_permissions.add(Permission.objects.get(codename="view_complainant"))
    client.force_login(user)
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    listing = client.get("/complaints/").content.decode()
    assert complaint.reference not in listing and "周明远" not in listing


def test_admin_letter_register_masks_identity(client, luoyang, bob, audrey, root):
    complaint = services.file_complaint(data=complaint_input(luoyang), channel="online",
                                        submission_key="web:d2").complaint
    services.refuse_complaint(actor=bob, complaint=complaint,
                              reasons="投诉人周明远（13800138000）所诉事项已由法院受理，不予受理。")
    letter = complaint.__class__.objects.get(pk=complaint.pk).decision_letter
    client.force_login(root)  # a superuser: the case registers of the admin are closed to it
    assert client.get("/admin/casework/letter/").status_code == 403
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404
    audrey.user_permissions.add(Permission.objects.get(codename="view_letter"))  # an explicit register grant
    client.force_login(audrey)
    page = client.get("/admin/casework/letter/").content.decode()
    assert "不予受理告知书" in page and "周明远" not in page and "周**" in page
    page = client.get(f"/admin/casework/letter/{letter.pk}/change/").content.decode()
    assert "周明远" not in page and "13800138000" not in page and "410302199001011235" not in page
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404
