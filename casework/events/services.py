"""Append-only, HMAC-chained audit events. Every service writes one per state change.

Writing never waits on other writers, nor on the chain: `record_many` inserts the events of the current
transaction unchained, with `seq` from a lock-free counter (a PostgreSQL sequence). The chain is written by a
sequencer, off the request path: when a transaction that wrote events commits, `request_chaining` asks Celery
for one `chain_audit_events` run (deduplicated by a short cache flag, so a burst of commits makes a few runs, not
one each; a broker that is down never fails the write), and that run's `chain_pending` links every committed,
unchained event in `seq` order, holding the chain head's row lock only for that short step in the worker. Events
are therefore linked within seconds of their commit, not at it; until then `verify_chain` reports them as
pending (the audit page and /metrics show the count). Beat's `chain_audit_events` every few seconds links
whatever a lost task or a broker outage left.

Each link is HMAC-SHA256 over the event's fields, its chain position and the previous link, keyed with
settings.AUDIT_CHAIN_KEY, which lives outside the database: rewriting history (or recomputing the chain with
plain SHA-256) without the key fails verification. Truncation (deleting the last rows and editing the head)
is caught by the signed checkpoints that beat writes outside the database (casework.events.checkpoints).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from casework.context import request_ip
from casework.events.models import AuditHead, Event

log = logging.getLogger(__name__)

SYSTEM_LABEL = "系统"
GENESIS = "0" * 64
PG_COUNTER = "casework_event_seq_counter"


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


def chain_key() -> bytes:
    key = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if not key:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("AUDIT_CHAIN_KEY is not set: the audit chain cannot be written or verified")
    return key.encode("utf-8")


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _digest(fields: dict) -> str:
    return hmac.new(chain_key(), b"event\x00" + canonical(fields), hashlib.sha256).hexdigest()


def _hash_fields(e: Event) -> dict:
    return {
        "chain_seq": e.chain_seq,
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


class _NextSeq(RawSQL):
    """The next insertion number, taken inside the INSERT itself (PostgreSQL: a sequence, no lock)."""

    def __init__(self):
        super().__init__(f"nextval('{PG_COUNTER}')", [], output_field=models.BigIntegerField())


def _allocate_seqs(n: int) -> list:
    """n increasing insertion numbers without a lock: on PostgreSQL the sequence is read by the INSERT itself
    (no extra query); on SQLite every write transaction already holds the database's write lock (BEGIN
    IMMEDIATE), so MAX + 1 is safe there."""
    if connection.vendor == "postgresql":
        return [_NextSeq() for _ in range(n)]
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(seq), 0) FROM casework_event")
        start = cur.fetchone()[0]
    return list(range(start + 1, start + n + 1))


def _take_seqs(n: int) -> list[int]:
    """n increasing insertion numbers from the PostgreSQL sequence, in one query."""
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [PG_COUNTER, n])
        return sorted(row[0] for row in cur.fetchall())


def record(*, actor, obj, action: str, before=None, after=None, reason: str = "") -> Event:
    return record_many([Entry(obj, action, before, after, reason, actor)])[0]


def record_many(entries: list[Entry], *, at: dt.datetime | None = None) -> list[Event]:
    """Append several events to the current transaction; they join the chain once it commits. One INSERT and
    no lock: no savepoint either (a failed audit write fails the business transaction, as it should).
    On PostgreSQL the returned events' `seq` is assigned by the database and not read back."""
    if not entries:
        return []
    from casework import bulk

    at = at or timezone.now()
    ip = request_ip.get()
    copy = bulk.use_copy(len(entries))  # a sweep's hundreds: COPY, with their numbers taken first
    with transaction.atomic(savepoint=False):
        events = []
        for seq, entry in zip(_take_seqs(len(entries)) if copy else _allocate_seqs(len(entries)), entries,
                              strict=True):
            otype, oid = object_key(entry.obj)
            events.append(Event(
                seq=seq, at=at, actor=entry.actor, actor_label=actor_label(entry.actor), ip=ip,
                object_type=otype, object_id=oid, action=entry.action,
                before=_plain(entry.before), after=_plain(entry.after), reason=entry.reason or "",
            ))
        if copy:
            bulk.insert(Event, events)
        else:
            Event.objects.bulk_create(events)
        _chain_after_commit()
    if connection.vendor == "postgresql" and not copy:
        for event in events:
            event.seq = None
    return events


def _chain_after_commit() -> None:
    """Ask for the sequencer when the outermost transaction commits (once, however many events)."""
    pending = getattr(connection, "run_on_commit", None) or []
    if any(item[1] is request_chaining for item in pending):
        return
    transaction.on_commit(request_chaining)


# Set when a sequencer run is asked for, cleared when that run starts: commits in between need no run of their
# own (the queued run links their events too). The timeout only matters when a run is lost (broker down, worker
# killed): then the next commit after it asks again, and beat's run links the events meanwhile.
CHAIN_REQUESTED_KEY = "audit-chain:requested"
CHAIN_REQUESTED_SECONDS = 5


def request_chaining() -> bool:
    """After commit: ask Celery to run the sequencer unless a run is already queued. Never raises and never
    waits on the chain: the business transaction is committed, and beat links its events if this is lost.
    Returns whether a run was dispatched."""
    from django.core.cache import cache

    from casework import outbox
    from casework.tasks import chain_audit_events

    try:
        if not cache.add(CHAIN_REQUESTED_KEY, 1, CHAIN_REQUESTED_SECONDS):
            return False
    except Exception:  # the cache is down: ask anyway (a duplicate run finds nothing to link)
        log.warning("cache unavailable; asking for an audit chaining run regardless", exc_info=True)
    return outbox.dispatch(chain_audit_events)


def run_sequencer() -> int:
    """The sequencer's run (the Celery task): clear the request flag first, so a commit from now on asks for a
    new run, then link everything committed so far."""
    from django.core.cache import cache

    try:
        cache.delete(CHAIN_REQUESTED_KEY)
    except Exception:
        log.warning("cache unavailable; chaining regardless", exc_info=True)
    return chain_pending()


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=1)
        except IntegrityError:
            pass
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _write_links(events: list[Event]) -> None:
    """One UPDATE for the batch (bulk_update's CASE per row is quadratic-ish on PostgreSQL)."""
    if connection.vendor != "postgresql":
        Event.objects.bulk_update(events, ["chain_seq", "prev_hash", "hash"])
        return
    # Four array parameters, not four per event: a sweep's thousand events were 4,000 placeholders to quote.
    params = [[e.pk for e in events], [e.chain_seq for e in events], [e.prev_hash for e in events],
              [e.hash for e in events]]
    with connection.cursor() as cur:
        cur.execute("UPDATE casework_event AS e SET chain_seq = v.c, prev_hash = v.p, hash = v.h "
                    "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, c, p, h) "
                    "WHERE e.id = v.id", params)


def chain_pending(*, batch: int = 2000) -> int:
    """Link committed, unchained events into the chain in `seq` order; returns how many were linked.
    Each batch is one short transaction holding the chain head's lock."""
    total = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            pending = list(Event.objects.filter(chain_seq__isnull=True).order_by("seq")[:batch])
            if not pending:
                return total
            seq, prev = head.seq, head.hash
            for event in pending:
                seq += 1
                event.chain_seq, event.prev_hash = seq, prev
                event.hash = prev = _digest(_hash_fields(event))
            _write_links(pending)
            head.seq, head.hash = seq, prev
            head.save(update_fields=["seq", "hash"])
        total += len(pending)
        if len(pending) < batch:
            return total


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    pending: int = 0  # committed events the sequencer has not linked yet (normally a few, for seconds)
    last_seq: int = 0
    base_seq: int = 0  # events up to here were purged after their retention period
    checkpoints: int = 0
    notes: list[str] = field(default_factory=list)


def verify_chain(chunk: int = 2000) -> VerifyResult:
    """Walk the chain in order from the last purge (or the genesis); report the first link whose position,
    back-link or HMAC is wrong, and any signed checkpoint the chain no longer reaches or no longer matches."""
    from casework.events import checkpoints

    anchors = checkpoints.read()
    base_seq, prev = anchors.base
    wanted = {r["seq"]: r["hash"] for r in anchors.checkpoints if r["seq"] > base_seq}
    pending = Event.objects.filter(chain_seq__isnull=True).count()
    result = VerifyResult(True, 0, pending=pending, base_seq=base_seq, checkpoints=len(anchors.checkpoints))

    def broken(seq, problem):
        result.ok, result.broken_seq, result.problem = False, seq, problem
        return result

    if anchors.bad_lines:
        result.notes.append(f"检查点文件第 {', '.join(map(str, anchors.bad_lines))} 行签名无效，已忽略")
    expected = base_seq + 1
    while True:
        batch = list(Event.objects.filter(chain_seq__gt=expected - 1).order_by("chain_seq")[:chunk])
        if not batch:
            break
        for event in batch:
            if event.chain_seq != expected:
                return broken(expected, f"缺少链序号第 {expected} 条事件（事件被删除）")
            if event.prev_hash != prev:
                return broken(event.chain_seq, "前序哈希与上一条事件不符")
            if not hmac.compare_digest(_digest(_hash_fields(event)), event.hash or ""):
                return broken(event.chain_seq, "事件内容与其密钥哈希不符（已被改动或重算）")
            if event.chain_seq in wanted and wanted.pop(event.chain_seq) != event.hash:
                return broken(event.chain_seq, "与库外签名检查点记录的哈希不符（链被重写）")
            prev, expected, result.checked = event.hash, expected + 1, result.checked + 1
    result.last_seq = expected - 1
    if wanted:
        return broken(expected, f"库外签名检查点记录链已到第 {max(wanted)} 条，数据库中只到第 {expected - 1} 条"
                                "（末尾事件被删除）")
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq, head.hash) != (result.last_seq, prev):
        return broken(result.last_seq + 1 if head.seq > result.last_seq else max(head.seq, 1),
                      "链尾记录与最后一条事件不符")
    return result


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
