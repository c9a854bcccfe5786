"""The complaint transfer's hand-over (投诉移交) is acted on only through the complaint services: signing,
accepting (the complaint's triage) and returning with a 退回函, its return count and the fallback receiver."""

from django.urls import reverse

from casework.errors import Conflict
from casework.handoffs.models import Handoff
from casework.handoffs.registry import HandoffKind, register


def _complaint(handoff):
    from complaints import services
    from complaints.models import Complaint

    complaint = Complaint.objects.filter(transfer_handoff=handoff).first()
    if complaint is None or services.incoming_transfer(complaint) != handoff:
        raise Conflict("该投诉移交已结束或已被后续移交取代，请在投诉页面办理")
    return complaint


def _pages(handoffs):
    from complaints.models import Complaint

    found = {}
    for handoff_id, pk in Complaint.objects.filter(transfer_handoff__in=handoffs).order_by("pk").values_list(
            "transfer_handoff_id", "pk"):
        found.setdefault(handoff_id, reverse("complaints:detail", args=[pk]))
    return found


def _page(handoff):
    from complaints.models import Complaint

    complaint = Complaint.objects.filter(transfer_handoff=handoff).first()
    return complaint.get_absolute_url() if complaint else ""


def _services():
    from complaints import services

    return services


register(HandoffKind(kind=Handoff.Kind.COMPLAINT_TRANSFER, mechanism="投诉处理", page=_page, pages=_pages, actions={
    "receive": lambda actor, h, data: _services().sign_transfer_receipt(actor=actor, complaint=_complaint(h)),
    "accept": lambda actor, h, data: _services().accept_complaint(actor=actor, complaint=_complaint(h)),
    "return": lambda actor, h, data: _services().return_complaint(actor=actor, complaint=_complaint(h),
                                                                  reasons=data.get("reasons", "")),
}))
