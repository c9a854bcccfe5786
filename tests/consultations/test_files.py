"""Meeting materials and minutes, and draft rules for comment, through the shared attachments: exactly the parties
open them (the meeting's units; the units asked for comments), everyone else gets 404; the bytes come back as
uploaded; a file that lies about its type is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.attachments.models import Attachment
from casework.attachments.selectors import get_attachment
from casework.errors import DomainError, Forbidden, NotFound
from casework.events.models import Event
from consultations import services
from tests.conftest import make_user
from tests.consultations.conftest import SET_UP, meeting_input
from tests.consultations.test_solicitations import data
from tests.test_permission_matrix import MINI_PDF


def pdf(name="材料.pdf", data=MINI_PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_meeting_materials_open_for_the_meetings_units_only(client, bob, erin, alice, pete, luoyang, mechanism,
                                                            frozen):
    frozen(SET_UP)
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))  # invites transport (erin) and police (pete)
    [material] = services.add_meeting_files(actor=pete, meeting=meeting, department=luoyang["police"],
                                            uploads=[pdf("公安局情况说明.pdf")])
    assert material.purpose == Attachment.Purpose.MEETING and material.department == luoyang["police"]
    assert Event.objects.filter(action="consultation.files_added").exists()
    for party in (bob, erin, pete):
        assert get_attachment(party, material.pk) == material
    with pytest.raises(NotFound):
        get_attachment(alice, material.pk)  # the trading centre was not invited
    client.force_login(erin)
    response = client.get(reverse("casework:attachment", args=[material.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content if response.streaming else
                                                    [response.content]) == MINI_PDF
    page = client.get(reverse("consultations:meeting", args=[meeting.pk])).content.decode()
    assert "公安局情况说明.pdf" in page and "meeting-files-form" in page
    client.force_login(alice)
    assert client.get(reverse("casework:attachment", args=[material.pk])).status_code == 404

    with pytest.raises(Forbidden):  # only the convener files the signed minutes
        services.add_meeting_files(actor=pete, meeting=meeting, department=luoyang["police"],
                                   uploads=[pdf("纪要.pdf")], purpose="minutes")
    [minutes] = services.add_meeting_files(actor=bob, meeting=meeting, department=luoyang["housing"],
                                           uploads=[pdf("会议纪要签批件.pdf", MINI_PDF + b"%minutes\n")],
                                           purpose="minutes")
    assert get_attachment(pete, minutes.pk) == minutes
    with pytest.raises(DomainError) as lying:  # an executable named .pdf
        services.add_meeting_files(actor=bob, meeting=meeting, department=luoyang["housing"],
                                   uploads=[pdf("议程.pdf", b"MZ\x90\x00" + b"\x00" * 200)])
    assert "files" in lying.value.field_errors
    with pytest.raises(Forbidden):
        services.add_meeting_files(actor=alice, meeting=meeting, department=luoyang["trading_centre"],
                                   uploads=[pdf()])


def test_draft_rules_for_comment_open_for_the_units_asked(client, bob, alice, erin, dave, carol, luoyang, drc,
                                                          mechanism, frozen):
    frozen(SET_UP)
    solicitation = services.solicit_comments(actor=bob, mechanism=mechanism, initiator=luoyang["housing"],
                                             data=data(luoyang, drc))  # asks the DRC, trading centre, transport
    with pytest.raises(Forbidden):
        services.add_draft_files(actor=erin, solicitation=solicitation, uploads=[pdf()])
    with pytest.raises(DomainError):
        services.add_draft_files(actor=bob, solicitation=solicitation, uploads=[])
    [draft] = services.add_draft_files(actor=bob, solicitation=solicitation,
                                       uploads=[pdf("实施细则（征求意见稿）.pdf")])
    assert draft.purpose == Attachment.Purpose.DRAFT
    for party in (bob, alice, erin):
        assert get_attachment(party, draft.pk) == draft
    police = next(d for d in luoyang["all"] if d.code == "LY-POLICE")
    outsider = make_user("piet", police, "handler")
    with pytest.raises(NotFound):
        get_attachment(outsider, draft.pk)
    client.force_login(alice)
    page = client.get(reverse("consultations:solicitation", args=[solicitation.pk])).content.decode()
    assert "实施细则（征求意见稿）.pdf" in page
    client.force_login(bob)
    response = client.post(reverse("consultations:solicitation_action", args=[solicitation.pk, "files"]), {})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()
