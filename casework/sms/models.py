from django.db import models


class SmsMessage(models.Model):
    """A text message in the outbox: written in the business transaction, delivered after commit through the
    configured provider (casework.sms.backends), swept by beat when the broker lost the task."""

    phone = models.CharField("手机号码", max_length=32)
    text = models.CharField("短信内容", max_length=500)
    kind = models.CharField("类型", max_length=32)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    claimed_at = models.DateTimeField("发送开始时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    provider_id = models.CharField("服务商回执编号", max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "短信"
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="sms_outbox")]

    def __str__(self):
        return f"{self.kind} → {self.phone[:3]}****"
