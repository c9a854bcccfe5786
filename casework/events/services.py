"""Append-only, hash-chained audit events. Every service writes one per state change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from casework.context import request_ip
from casework.events.models import AuditHead, Event

SYSTEM_LABEL = "系统"


def actor_label(actor) -> str:
    if actor is None:
        return SYSTEM_LABEL
    # RelatedObjectDoesNotExist is an AttributeError, so getattr's default covers staff users.
    client = getattr(actor, "api_client", None)
    if client is not None:
        return f"接口：{client.name}"
    full = actor.get_full_name()
    return f"{full}（{actor.username}）" if full else actor.username


def _plain(value) -> dict:
    """JSON-safe copy, so the stored value hashes the same when read back."""
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _digest(fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_fields(e: Event) -> dict:
    return {
        "seq": e.seq,
        "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "actor_label": e.actor_label,
        "ip": e.ip,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "action": e.action,
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
        "prev_hash": e.prev_hash,
    }


@dataclass
class Entry:
    obj: object
    action: str
    before: dict | None = None
    after: dict | None = None
    reason: str = ""
    actor: object = None


def object_key(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record(*, actor, obj, action: str, before=None, after=None, reason: str = "") -> Event:
    return record_many([Entry(obj, action, before, after, reason, actor)])[0]


def record_many(entries: list[Entry], *, at: dt.datetime | None = None) -> list[Event]:
    """Append several events under one lock on the chain head."""
    if not entries:
        return []
    at = at or timezone.now()
    ip = request_ip.get()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        events = []
        seq, prev = head.seq, head.hash
        for entry in entries:
            seq += 1
            otype, oid = object_key(entry.obj)
            event = Event(
                seq=seq, at=at, actor=entry.actor, actor_label=actor_label(entry.actor), ip=ip,
                object_type=otype, object_id=oid, action=entry.action,
                before=_plain(entry.before), after=_plain(entry.after), reason=entry.reason or "",
                prev_hash=prev,
            )
            event.hash = _digest(_hash_fields(event))
            prev = event.hash
            events.append(event)
        Event.objects.bulk_create(events)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return events


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(chunk: int = 2000) -> VerifyResult:
    """Walk the chain in order; report the first link whose hash or back-link is wrong."""
    prev, expected_seq, checked = "0" * 64, 1, 0
    last_seq = 0
    while True:
        batch = list(Event.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条事件")
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.seq, "前序哈希与上一条事件不符")
            if _digest(_hash_fields(event)) != event.hash:
                return VerifyResult(False, checked, event.seq, "事件内容与其哈希不符（已被改动）")
            prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last_seq = batch[-1].seq
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return VerifyResult(False, checked, checked + 1 if head.seq > checked else checked,
                            "链尾与记录的最后一条事件不符（事件被删除）")
    return VerifyResult(True, checked)


def timeline(obj):
    otype, oid = object_key(obj)
    return Event.objects.filter(object_type=otype, object_id=oid).select_related("actor")


def timeline_of(objects):
    """The events of several objects (an item, its hand-over, clocks and letters) in chain order."""
    from django.db.models import Q

    keys: dict[str, list[str]] = {}
    for obj in objects:
        otype, oid = object_key(obj)
        keys.setdefault(otype, []).append(oid)
    if not keys:
        return Event.objects.none()
    query = Q()
    for otype, ids in keys.items():
        query |= Q(object_type=otype, object_id__in=ids)
    return Event.objects.filter(query).select_related("actor").order_by("seq")
