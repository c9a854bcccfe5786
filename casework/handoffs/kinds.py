"""The shared hand-over kinds that no mechanism owns (a plain notice or referral between departments, with no
record of its own): the shared services are their owner."""

from django.urls import reverse

from casework.handoffs import services
from casework.handoffs.models import Handoff
from casework.handoffs.registry import HandoffKind, register


def _page(handoff):
    return reverse("casework:handoff", args=[handoff.pk])


for _kind in (Handoff.Kind.NOTICE, Handoff.Kind.CLUE_REFERRAL):
    register(HandoffKind(kind=_kind, mechanism="通用移交", page=_page, actions={
        "receive": lambda actor, h, data: services.receive_handoff(actor=actor, handoff=h),
        "accept": lambda actor, h, data: services.accept_handoff(actor=actor, handoff=h),
        "complete": lambda actor, h, data: services.complete_handoff(actor=actor, handoff=h,
                                                                     result=data.get("result", "")),
        "return": lambda actor, h, data: services.return_handoff(actor=actor, handoff=h,
                                                                 reasons=data.get("reasons", "")),
    }))
