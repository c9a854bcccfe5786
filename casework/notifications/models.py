from django.conf import settings
from django.db import models


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=255, blank=True)
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="notifications")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self):
        return self.title


class NoticeSetting(models.Model):
    """How one person wants routine notices e-mailed: each at once, or gathered into one daily digest.
    Urgent notices (deadlines reached or breached, 督办, returns) are always sent at once; the inbox is the same."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "逐条即时发送"
        DIGEST = "digest", "每日汇总一封（紧急事项仍即时发送）"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_setting",
                                verbose_name="用户")
    email_mode = models.CharField("邮件提醒方式", max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知设置"

    def __str__(self):
        return f"{self.user} · {self.get_email_mode_display()}"
