"""Retention of the audit trail (等保2.0 8.1.4.3: audit records kept at least six months).

Events are kept AUDIT_RETENTION_DAYS (never fewer than 183). The purge removes only whole, verified chain
prefixes older than that: it first writes a signed "purge" anchor (position and hash of the last removed
event) outside the database, so the remaining chain still verifies from that anchor and an unauthorised
deletion (without the key) still shows as one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casework.clocks.timing import SHANGHAI
from casework.errors import DomainError, Forbidden
from casework.events import checkpoints
from casework.events.models import AuditHead, Event
from casework.events.services import actor_label, chain_pending, record, verify_chain


def retention_days() -> int:
    return max(int(settings.AUDIT_RETENTION_DAYS), settings.AUDIT_RETENTION_MIN_DAYS)


def earliest_allowed_cutoff(today: dt.date | None = None) -> dt.date:
    """The latest `before` date a purge may use: everything younger than the retention period stays."""
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days())


@dataclass
class PurgeResult:
    deleted: int
    through_seq: int


def _system_administrator(actor) -> bool:
    """三员分立: purging old records is the system administrator's duty (the auditor reads, never deletes)."""
    from casework.org.models import Membership

    return Membership.objects.filter(user=actor, role=Membership.Role.ADMIN).exists()


def purge_before(*, actor, before: dt.date) -> PurgeResult:
    """Delete audit events dated before `before` (Asia/Shanghai), keeping the retention period."""
    if actor is not None and not _system_administrator(actor):
        raise Forbidden("只有系统管理员可以清理过期审计记录")
    if not isinstance(before, dt.date) or isinstance(before, dt.datetime):
        raise DomainError.for_field("before", "请填写清理截止日期（YYYY-MM-DD）")
    limit = earliest_allowed_cutoff()
    if before > limit:
        raise DomainError.for_field(
            "before", f"审计记录须保存至少 {retention_days()} 天（不少于六个月），只能清理 {limit:%Y-%m-%d} 之前的记录")
    chain_pending()
    check = verify_chain()
    if not check.ok:
        raise DomainError(f"审计链校验未通过（第 {check.broken_seq} 条：{check.problem}），为保全证据不予清理")
    cutoff = dt.datetime.combine(before, dt.time.min, tzinfo=SHANGHAI)
    first_kept = (Event.objects.filter(chain_seq__gt=check.base_seq, at__gte=cutoff)
                  .order_by("chain_seq").values_list("chain_seq", flat=True).first())
    through = (first_kept - 1) if first_kept is not None else AuditHead.objects.get(pk=1).seq
    if through <= check.base_seq:
        return PurgeResult(0, check.base_seq)
    last = Event.objects.get(chain_seq=through)
    # The anchor goes out first: if the deletion then fails, verification simply starts after it.
    checkpoints.write_purge(seq=through, hash=last.hash, before=before.isoformat(), actor_label=actor_label(actor))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL casework.audit_purge = 'on'")
        deleted, _ = Event.objects.filter(chain_seq__lte=through).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL casework.audit_purge = 'off'")
        record(actor=actor, obj=AuditHead.objects.get(pk=1), action="audit.purged",
               after={"through_seq": through, "before": before.isoformat(), "deleted": deleted,
                      "retention_days": retention_days()})
    return PurgeResult(deleted, through)
