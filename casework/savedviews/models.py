from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A named filter of one list ("我的超期", "本周收到"), kept by a user and offered back as a link on that list;
    optionally shared with one of the user's departments."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                              verbose_name="保存人")
    path = models.CharField("列表地址", max_length=200)
    name = models.CharField("名称", max_length=60)
    query = models.CharField("筛选条件", max_length=1000, blank=True)
    department = models.ForeignKey("casework.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="saved_views", verbose_name="共享给本单位")
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "保存的筛选"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "path", "name"], name="saved_view_unique_name")]
        indexes = [models.Index(fields=["path", "owner"], name="saved_view_path")]

    def __str__(self):
        return self.name

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
