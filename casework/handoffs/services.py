"""The shared motion: send an item to another department, sign for it, return it with
written reasons, or complete it. Mechanisms build their own steps on these."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from casework.clocks.services import complete_clock, open_clocks_for, start_clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import record
from casework.handoffs.models import Handoff
from casework.org.models import Department
from casework.org.selectors import require_member
from casework.org.services import grant
from casework.privacy import holds_object_perm
from casework.references import numbered, placeholder

VIEW, ACT = "casework.view_handoff", "casework.act_on_handoff"


@transaction.atomic
def send_handoff(*, actor, kind: str, title: str, sender: Department, receiver: Department,
                 rule_key: str | None, description: str = "", sent_at: dt.datetime | None = None,
                 reference_prefix: str = "YJ") -> Handoff:
    errors = {}
    if kind not in Handoff.Kind.values:
        errors["kind"] = [f"未知的事项类型：{kind}"]
    if not (title or "").strip():
        errors["title"] = ["请填写事项名称"]
    if sender == receiver:
        errors["receiver"] = ["接收单位不能是移交单位本身"]
    if errors:
        raise DomainError("；".join(v[0] for v in errors.values()), field_errors=errors)
    require_member(actor, sender, "以该单位名义移交")
    sent_at = sent_at or timezone.now()
    handoff = Handoff.objects.create(
        reference=placeholder(), kind=kind, title=title.strip(),
        description=description, sender=sender, receiver=receiver, created_by=actor,
        sent_at=sent_at)
    handoff.reference = numbered(reference_prefix, handoff.pk, sent_at)
    handoff.save(update_fields=["reference"])
    grant("view_handoff", (sender, receiver), handoff)
    grant("act_on_handoff", (receiver,), handoff)
    record(actor=actor, obj=handoff, action="handoff.sent",
           after={"reference": handoff.reference, "kind": kind, "title": handoff.title,
                  "sender": sender.code, "receiver": receiver.code})
    # The receiving clock starts at delivery, not when the receiver gets round to signing. A hand-over
    # the receiver may not refuse (a designated transfer) runs no return clock: rule_key=None.
    if rule_key is not None:
        start_clock(actor=actor, subject=handoff, rule_key=rule_key, department=receiver,
                    counterpart=sender, started_at=sent_at)
    return handoff


def _locked_for_receiver(actor, handoff: Handoff) -> Handoff:
    handoff = Handoff.objects.select_for_update().select_related("receiver", "sender").get(pk=handoff.pk)
    if not holds_object_perm(actor, ACT, handoff):  # a grant to the receiving department, never superuser
        raise Forbidden("只有接收单位可以办理该事项")
    return handoff


@transaction.atomic
def receive_handoff(*, actor, handoff: Handoff) -> Handoff:
    handoff = _locked_for_receiver(actor, handoff)
    if handoff.state != Handoff.State.SENT:
        raise Conflict(f"该事项当前为“{handoff.get_state_display()}”，无需签收")
    handoff.state, handoff.received_at = Handoff.State.RECEIVED, timezone.now()
    handoff.save(update_fields=["state", "received_at"])
    record(actor=actor, obj=handoff, action="handoff.received", before={"state": "sent"},
           after={"state": handoff.state})
    return handoff


def _complete_open_clocks(actor, handoff: Handoff, at) -> None:
    for clock in open_clocks_for(handoff):
        complete_clock(actor=actor, clock=clock, at=at)


def _close(actor, handoff: Handoff, state: str, text: str, action: str) -> Handoff:
    before = {"state": handoff.state}
    handoff.state, handoff.result, handoff.closed_at = state, text.strip(), timezone.now()
    handoff.save(update_fields=["state", "result", "closed_at"])
    _complete_open_clocks(actor, handoff, handoff.closed_at)
    record(actor=actor, obj=handoff, action=action, before=before,
           after={"state": state, "text": handoff.result})
    return handoff


@transaction.atomic
def accept_handoff(*, actor, handoff: Handoff) -> Handoff:
    """The receiver takes the matter on: the window for returning it closes, met."""
    handoff = _locked_for_receiver(actor, handoff)
    if handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该事项当前为“{handoff.get_state_display()}”，不能受理")
    before = {"state": handoff.state}
    now = timezone.now()
    handoff.state, handoff.received_at = Handoff.State.ACCEPTED, handoff.received_at or now
    handoff.save(update_fields=["state", "received_at"])
    _complete_open_clocks(actor, handoff, now)
    record(actor=actor, obj=handoff, action="handoff.accepted", before=before, after={"state": handoff.state})
    return handoff


@transaction.atomic
def complete_handoff(*, actor, handoff: Handoff, result: str) -> Handoff:
    if not (result or "").strip():
        raise DomainError.for_field("result", "请填写办理结果")
    handoff = _locked_for_receiver(actor, handoff)
    if handoff.state not in Handoff.OPEN_STATES:
        raise Conflict(f"该事项已{handoff.get_state_display()}")
    return _close(actor, handoff, Handoff.State.COMPLETED, result, "handoff.completed")


@transaction.atomic
def forward_handoff(*, actor, handoff: Handoff, note: str) -> Handoff:
    """In scope but for another level: passed on; this receiver's clocks close."""
    handoff = _locked_for_receiver(actor, handoff)
    if handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该事项当前为“{handoff.get_state_display()}”，不能转送")
    return _close(actor, handoff, Handoff.State.FORWARDED, note, "handoff.forwarded")


@transaction.atomic
def return_handoff(*, actor, handoff: Handoff, reasons: str) -> Handoff:
    """Return with written reasons; refusing without a reason is impossible."""
    if len((reasons or "").strip()) < 10:
        raise DomainError.for_field("reasons", "退回须书面说明理由（不少于10个字）")
    handoff = _locked_for_receiver(actor, handoff)
    if handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该事项已{handoff.get_state_display()}")
    return _close(actor, handoff, Handoff.State.RETURNED, reasons, "handoff.returned")
