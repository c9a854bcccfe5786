from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from casework.org.models import Department


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class Attachment(models.Model):
    """One stored file of any mechanism: a clue's evidence, a complaint's evidence, an assistance letter's
    materials, a result feedback's or a return's attachments. The SHA-256 is the record of what was received.

    Who may open it (casework.attachments.selectors): the uploader's department, the departments it was shared
    with (the receiver of a transfer or letter that lists it, the department a clue or complaint was sent to),
    and the supervisors of those departments' jurisdictions. Nobody else, superusers included."""

    class Purpose(models.TextChoices):
        EVIDENCE = "evidence", "证据材料"
        MATERIAL = "material", "有关材料"
        RESULT = "result", "处理结果材料"
        RETURN = "return", "退回材料"
        DRAFT = "draft", "征求意见稿"
        MEETING = "meeting", "会议材料"
        INSPECTION = "inspection", "检查材料"
        MINUTES = "minutes", "会议纪要"

    owner_type = models.ForeignKey(ContentType, verbose_name="所属对象类型", on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField("所属对象编号", )
    owner = GenericForeignKey("owner_type", "owner_id")
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices, default=Purpose.EVIDENCE)
    file = models.FileField("文件", upload_to="attachments/%Y/", max_length=255)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("字节数")
    sha256 = models.CharField("SHA-256 摘要", max_length=64, db_index=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传单位")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    shared_with = models.ManyToManyField(Department, through="AttachmentShare", related_name="shared_attachments",
                                         verbose_name="可查阅单位")
    letters = models.ManyToManyField("casework.Letter", blank=True, related_name="attachments",
                                     verbose_name="列有该附件的文书")

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["owner_type", "owner_id", "purpose", "sha256"],
                                               name="attachment_once_per_owner")]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("casework:attachment", args=[self.pk])

    @property
    def size_display(self) -> str:
        return human_size(self.size)

    @property
    def material_line(self) -> str:
        """How a letter lists it (附件): name and size; the hash belongs in the record, not in the letter."""
        return f"{self.name}（{self.size_display}）"

    @property
    def inline(self) -> bool:
        from casework.attachments.sniffing import INLINE

        return self.content_type.split(";")[0] in INLINE

    @property
    def api_url(self) -> str:
        return reverse("api-attachment", args=[self.pk])


class AttachmentShare(models.Model):
    """A department that received the file: the receiver of a transfer or letter listing it, or the department
    a clue or complaint was sent to. `basis` says why (e.g. the letter's 发文字号)."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="shares")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField("依据", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "附件分送"
        constraints = [models.UniqueConstraint(fields=["attachment", "department"], name="attachment_share_once")]
