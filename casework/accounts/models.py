from django.conf import settings
from django.db import models


class AccountSecurity(models.Model):
    """Per-person security state beyond django.contrib.auth: a password that must be changed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="account_security")
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    password_changed_at = models.DateTimeField("最近修改密码", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号安全状态"

    def __str__(self):
        return str(self.user)
