from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class WebhookDelivery(models.Model):
    """An outbound status callback, written in the same transaction as the change it reports
    (outbox), so it is never lost; delivered and retried by Celery until the receiver answers 2xx."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    receipt = models.CharField("回执", max_length=500, blank=True)  # the receiver's 2xx answer body (truncated)

    class Meta:
        verbose_name = verbose_name_plural = "回调投递"
        indexes = [models.Index(fields=["next_attempt_at"], name="webhook_due",
                                condition=models.Q(delivered_at__isnull=True))]

    def __str__(self):
        return f"{self.event} → {self.url}"
