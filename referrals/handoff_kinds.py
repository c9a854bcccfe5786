"""A clue's transfer (案件移送) is acted on only through the referral services: the receipt (回执) is signed,
the 退回函 and 转送告知函 issued, the callbacks sent and disputes raised."""

from django.urls import reverse

from casework.errors import Conflict, DomainError
from casework.forms import posted_date
from casework.handoffs.models import Handoff
from casework.handoffs.registry import HandoffKind, register


def _transfer(handoff):
    from referrals.models import Transfer

    transfer = Transfer.objects.filter(handoff=handoff).first()
    if transfer is None:
        raise Conflict("该移送没有对应的线索移送记录，不能办理")
    return transfer


def _pages(handoffs):
    from referrals.models import Transfer

    found = {}
    for handoff_id, clue_id in Transfer.objects.filter(handoff__in=handoffs).order_by("pk").values_list(
            "handoff_id", "clue_id"):
        found.setdefault(handoff_id, reverse("referrals:clue", args=[clue_id]))  # the first, as _page's first()
    return found


def _page(handoff):
    from referrals.models import Transfer

    transfer = Transfer.objects.filter(handoff=handoff).select_related("clue").first()
    return transfer.clue.get_absolute_url() if transfer else ""


def _forward(actor, handoff, data):
    from casework.org.models import Department
    from referrals import services

    to = Department.objects.filter(pk=data.get("to") or 0, active=True).first()
    if to is None:
        raise DomainError.for_field("to", "请选择转送的单位")
    return services.forward_transfer(actor=actor, transfer=_transfer(handoff), to_department=to,
                                     reasons=data.get("reasons", ""))


def _s():
    from referrals import services

    return services


register(HandoffKind(kind=Handoff.Kind.CASE_TRANSFER, mechanism="线索移交", page=_page, pages=_pages, actions={
    "receive": lambda actor, h, data: _s().sign_receipt(actor=actor, transfer=_transfer(h)),
    "accept": lambda actor, h, data: _s().accept_transfer(actor=actor, transfer=_transfer(h)),
    "complete": lambda actor, h, data: _s().report_result(
        actor=actor, transfer=_transfer(h), result=data.get("result", ""),
        completed_on=posted_date(data, "completed_on", "处理完毕日期", required=False)),
    "return": lambda actor, h, data: _s().return_transfer(actor=actor, transfer=_transfer(h),
                                                          reasons=data.get("reasons", "")),
    "forward": _forward,
}))
