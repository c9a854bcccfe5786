from django.conf import settings
from django.db import models
from django.db.models import Q


class AuditHead(models.Model):
    """The chain's tip: the last chained position and its hash. Locked only by the chainer, for the few
    milliseconds it takes to link the events committed since its last run (never by a business write)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class Event(models.Model):
    """Append-only audit record of a state change.

    A business transaction only inserts its events (`seq` from a lock-free counter: insertion order, with
    gaps where a transaction rolled back). After commit the chainer links committed events, in `seq` order,
    into the HMAC-keyed chain: `chain_seq` (contiguous position), `prev_hash`, `hash`. Those three columns
    are written once; the database refuses any other UPDATE, and any DELETE outside the audited purge."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人（显示名）", max_length=128)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    action = models.CharField("操作", max_length=64)
    before = models.JSONField("修改前", default=dict)
    after = models.JSONField("修改后", default=dict)
    reason = models.TextField("理由", blank=True)
    chain_seq = models.BigIntegerField("链序号", unique=True, null=True, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, null=True, blank=True)
    hash = models.CharField("哈希", max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="event_object"),
            models.Index(fields=["actor", "at"], name="event_actor_at"),
            models.Index(fields=["action", "at"], name="event_action_at"),
            # The chainer's queue: tiny, because rows leave it moments after their commit.
            models.Index(fields=["seq"], condition=Q(chain_seq__isnull=True), name="event_unchained"),
        ]
        permissions = [("view_auditlog", "查阅审计日志")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
