from django.conf import settings
from django.db import models

from casework.org.models import Department


class Handoff(models.Model):
    """The one motion every mechanism repeats: an item passes from one department to another,
    a statutory clock starts, and the receiver must act on it.

    Each mechanism (clue referral, complaint transfer, assistance letter...) records its own
    details and points here; access is granted per object to the sender's and the receiver's
    department groups (django-guardian).
    """

    class Kind(models.TextChoices):
        CLUE_REFERRAL = "clue_referral", "线索移交"
        CASE_TRANSFER = "case_transfer", "案件移送"
        COMPLAINT_TRANSFER = "complaint_transfer", "投诉移交"
        ASSISTANCE = "assistance", "协助办理"
        NOTICE = "notice", "通报告知"

    class State(models.TextChoices):
        SENT = "sent", "待签收"
        RECEIVED = "received", "已签收"
        ACCEPTED = "accepted", "已受理"
        RETURNED = "returned", "已退回"
        FORWARDED = "forwarded", "已转送"
        COMPLETED = "completed", "已办结"

    OPEN_STATES = (State.SENT, State.RECEIVED, State.ACCEPTED)

    reference = models.CharField("编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    title = models.CharField("事项", max_length=200)
    description = models.TextField("内容", blank=True)
    sender = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="sent_handoffs",
                               verbose_name="移交单位")
    receiver = models.ForeignKey(Department, on_delete=models.PROTECT,
                                 related_name="received_handoffs", verbose_name="接收单位")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    sent_at = models.DateTimeField("移交时间")
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.TextField("办理结果/退回理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "移交事项"
        ordering = ["-sent_at", "-id"]
        permissions = [("act_on_handoff", "办理移交事项"),
                       # Free text of clues, hand-overs, joint actions, inspections, consultations and assistance
                       # letters shown unmasked (casework.privacy.PERSONAL_DATA_PERM), for the handling department.
                       ("view_personal_data", "查看线索、移交等记录中的个人信息原文")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        """The owning mechanism's page (casework.handoffs.registry); the shared page for shared kinds."""
        from django.urls import reverse

        from casework.handoffs.registry import page_for

        if "_page_url" not in self.__dict__:  # read once per object (registry.prime_pages reads a list's at once)
            self._page_url = page_for(self)
        return self._page_url or reverse("casework:handoff", args=[self.pk])
