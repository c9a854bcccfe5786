from django.db import models


class SmsMessage(models.Model):
    """A written notice to a person outside the portal (a complainant) in the outbox: a text message or an
    e-mail, written in the business transaction, delivered after commit (SMS through the configured provider,
    casework.sms.backends; e-mail through Django's mail backend), swept by beat when the broker lost the task."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"

    channel = models.CharField("渠道", max_length=8, choices=Channel.choices, default=Channel.SMS)
    phone = models.CharField("手机号码", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    subject = models.CharField("邮件主题", max_length=200, blank=True)
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
        verbose_name = verbose_name_plural = "短信和邮件通知"
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="sms_outbox")]

    def __str__(self):
        if self.channel == self.Channel.EMAIL:
            return f"{self.kind} → {self.email[:2]}***@{self.email.partition('@')[2]}"
        return f"{self.kind} → {self.phone[:3]}****"
