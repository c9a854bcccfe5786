"""Complaints (投诉): filed online, by other systems or recorded from paper and phone; triaged,
decided within the legal limits, answered in writing and published without the complainant."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from casework.org.models import Department
from casework.trading import TradingField

TradingType = TradingField  # a complaint's trading type


class Grounds(models.TextChoices):
    BID_RIGGING = "bid_rigging", "串通投标"
    FRAUD = "fraud", "弄虚作假骗取中标"
    QUALIFICATION = "qualification", "资格条件设置或审查不当"
    EVALUATION = "evaluation", "评标（评审）不公正"
    PROCEDURE = "procedure", "招标采购程序违法"
    BID_DOCUMENTS = "bid_documents", "招标采购文件违法违规"
    OTHER = "other", "其他"


class Complaint(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网上投诉"
        API = "api", "系统对接"
        PAPER = "paper", "书面投诉（线下）"
        PHONE = "phone", "电话投诉（线下）"

    class ComplainantType(models.TextChoices):
        PERSON = "person", "自然人"
        ORGANISATION = "organisation", "法人或其他组织"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        ACCEPTED = "accepted", "已受理"
        REFUSED = "refused", "不予受理"
        TRANSFERRED = "transferred", "已移交有管辖权的部门"
        REDIRECTED = "redirected", "已告知向有管辖权的部门投诉"
        DECIDED = "decided", "已作出处理决定"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "投诉成立"
        PARTLY_UPHELD = "partly_upheld", "投诉部分成立"
        DISMISSED = "dismissed", "驳回投诉"

    reference = models.CharField("编号", max_length=48, unique=True)
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    submission_key = models.CharField(max_length=200, unique=True, editable=False)
    content_hash = models.CharField(max_length=64, db_index=True, editable=False)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="complaints",
                                   verbose_name="处理部门")
    received_at = models.DateTimeField("收到时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # The complainant: confidential (Hegang 四(二)); shown only to the handling department's staff
    # who hold complaints.view_complainant, masked everywhere else.
    complainant_type = models.CharField("投诉人类型", max_length=16, choices=ComplainantType.choices)
    complainant_name = models.CharField("投诉人", max_length=200)
    complainant_id_number = models.CharField("身份证件号码/统一社会信用代码", max_length=32)
    contact_phone = models.CharField("联系电话", max_length=32)
    contact_email = models.EmailField("电子邮箱", blank=True)
    contact_address = models.CharField("联系地址", max_length=200, blank=True)
    project_code = models.CharField("项目编号", max_length=64)
    project_name = models.CharField("项目名称", max_length=200)
    trading_type = models.CharField("交易类型", max_length=32, choices=TradingType.choices)
    grounds_category = models.CharField("投诉事由", max_length=32, choices=Grounds.choices)
    grounds = models.TextField("投诉事项和理由")
    requested_outcome = models.TextField("投诉请求")
    objection_filed = models.BooleanField("已先向招标人/采购人提出异议", default=False)
    objection_date = models.DateField("异议提出日期", null=True, blank=True)
    objection_reply = models.TextField("异议答复情况", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    triage_note = models.TextField("受理审查意见/不予受理理由/告知内容", blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices, blank=True)
    decision = models.TextField("处理决定", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    decision_delivered_at = models.DateTimeField("决定书送达时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    transfer_handoff = models.ForeignKey("casework.Handoff", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="complaint_transfers", verbose_name="最近一次移交")
    return_count = models.PositiveIntegerField("退回次数", default=0)
    publication_text = models.TextField("公开内容（已隐去投诉人信息）", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉"
        ordering = ["-received_at", "-id"]
        permissions = [("view_complainant", "查看投诉人身份信息")]

    def __str__(self):
        return f"{self.reference} {self.project_name}"

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])
