"""An assistance letter's hand-over (协助办理) is acted on only through the assistance services: deciding to
assist, returning with a 退回函, feeding the result back with its 结果反馈函."""

from django.urls import reverse

from casework.errors import Conflict
from casework.handoffs.models import Handoff
from casework.handoffs.registry import HandoffKind, register


def _request(handoff):
    from jointaction.models import AssistanceRequest

    req = AssistanceRequest.objects.filter(handoff=handoff).first()
    if req is None:
        raise Conflict("该协助事项没有对应的协助办理函，不能办理")
    return req


def _page(handoff):
    from jointaction.models import AssistanceRequest

    req = AssistanceRequest.objects.filter(handoff=handoff).first()
    return req.get_absolute_url() if req else ""


def _pages(handoffs):
    from jointaction.models import AssistanceRequest

    return {handoff_id: reverse("jointaction:assistance", args=[pk]) for pk, handoff_id in
            AssistanceRequest.objects.filter(handoff__in=handoffs).values_list("pk", "handoff_id")}


def _s():
    from jointaction import services

    return services


register(HandoffKind(kind=Handoff.Kind.ASSISTANCE, mechanism="协助办理", page=_page, pages=_pages, actions={
    "accept": lambda actor, h, data: _s().accept_assistance(actor=actor, request=_request(h)),
    "return": lambda actor, h, data: _s().return_assistance(actor=actor, request=_request(h),
                                                            reasons=data.get("reasons", "")),
    "complete": lambda actor, h, data: _s().report_assistance_result(actor=actor, request=_request(h),
                                                                     result=data.get("result", "")),
}))
