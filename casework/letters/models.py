from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from casework.org.models import Department


class LetterSequence(models.Model):
    """The last 发文顺序号 an issuing department used in one year for one kind of document: each kind is its own
    series (移送函 1号, 2号…; 退回函 its own 1号, 2号…). Locked (select_for_update) while a letter is issued, in
    the same transaction as the letter: numbers are gapless and never repeated. `kind` empty: the single series
    used before numbering was per kind (kept for the record)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="letter_sequences",
                                   verbose_name="发文单位")
    kind = models.CharField("文种", max_length=32, blank=True, default="")
    year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "发文字号序列"
        constraints = [models.UniqueConstraint(fields=["department", "kind", "year"],
                                               name="letter_sequence_unique_kind_year")]

    def __str__(self):
        return f"{self.department.display_name} {self.kind or '（统一）'} {self.year}年 已用至{self.last_number}号"


class Letter(models.Model):
    """An issued official letter. The stored PDF is the record; `sha256` proves it is unchanged."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", "移送函"
        RECEIPT = "receipt", "移送回执"
        RETURN = "return", "退回函"
        FORWARD_NOTICE = "forward_notice", "转送告知函"
        ASSISTANCE = "assistance", "协助办理函"
        GENERIC = "generic", "函"
        DECISION = "decision", "投诉处理决定书"
        NOTICE = "notice", "告知书"
        ASSISTANCE_RESULT = "assistance_result", "协助办理结果反馈函"
        SOLICIT = "solicit", "征求意见函"
        MINUTES = "minutes", "会议纪要"
        REPORT = "report", "情况报告"
        PUBLIC_NOTICE = "public_notice", "公告"
        SUPERVISION_NOTICE = "supervision_notice", "督办函"
        CIRCULAR = "circular", "通报"
        SUPERVISION_REPORT = "supervision_report", "监管工作情况报告"
        RESULT_NOTICE = "result_notice", "处理结果告知函"
        DESIGNATION = "designation", "指定管辖通知书"

    # The character after the issuer's abbreviation in the 发文字号, e.g. 市住建局移〔2026〕3号.
    DOC_CHAR = {
        Kind.TRANSFER: "移", Kind.RECEIPT: "执", Kind.RETURN: "退",
        Kind.FORWARD_NOTICE: "告", Kind.ASSISTANCE: "协", Kind.GENERIC: "函", Kind.DECISION: "决",
        Kind.NOTICE: "知", Kind.ASSISTANCE_RESULT: "复", Kind.SOLICIT: "征", Kind.MINUTES: "纪",
        Kind.REPORT: "报", Kind.PUBLIC_NOTICE: "公", Kind.RESULT_NOTICE: "结", Kind.DESIGNATION: "指",
        Kind.SUPERVISION_NOTICE: "督", Kind.CIRCULAR: "通", Kind.SUPERVISION_REPORT: "监",
    }

    # Forms (表格), not numbered 发文: a 移送回执 travels with its 移送函 and carries that letter's number.
    FORMS = frozenset({Kind.RECEIPT})

    # 上行文: reports to a higher organ. GB/T 9704 7.2.6: the masthead names the 签发人 beside the 发文字号.
    UPWARD = frozenset({Kind.REPORT, Kind.SUPERVISION_REPORT})

    # Documents addressed to no one in particular: minutes record, a public notice is read by everyone.
    WITHOUT_ADDRESSEE = frozenset({Kind.MINUTES, Kind.PUBLIC_NOTICE})

    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="issued_letters",
                               verbose_name="发文单位")
    addressee = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="received_letters", verbose_name="主送单位")
    addressee_name = models.CharField("主送机关（名称）", max_length=200, blank=True,
                                      help_text="主送机关不是平台内单位时填写；填写后作为主送机关名称。")
    kind = models.CharField("文种", max_length=32, choices=Kind.choices)
    restricted_to_perm = models.CharField(
        "查阅权限", max_length=100, blank=True,
        help_text="除发文、收文单位外还须具备的权限，如写有投诉人身份的文书须有 complaints.view_complainant。")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("发文顺序号")
    # Unique per issuer: two cities' housing bureaus may both abbreviate to 市住建局 (the 机关代字 should differ,
    # but numbering must not fail when an administrator has not set one).
    doc_number = models.CharField("发文字号", max_length=64, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", help_text="自然段之间以空行分隔。")
    reasons = models.JSONField("退回理由", default=list, blank=True)
    materials = models.JSONField("附件", default=list, blank=True)
    cc = models.JSONField("抄送", default=list, blank=True)
    readers = models.ManyToManyField(Department, blank=True, related_name="distributed_letters",
                                     verbose_name="分送单位",
                                     help_text="主送、发文单位以外可以查阅的单位，如抄送、参会单位。")
    joint_issuers = models.ManyToManyField(Department, blank=True, related_name="joint_letters",
                                           verbose_name="联合发文单位",
                                           help_text="联合行文（如联合公告）时主办单位以外的发文机关，依次署名。")
    issued_at = models.DateTimeField("成文时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="issued_letters", verbose_name="签发人")
    subject_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    subject_id = models.CharField("对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    file = models.FileField("文件", upload_to="letters/%Y/", max_length=255)
    sha256 = models.CharField("SHA-256 摘要", max_length=64)
    size = models.PositiveIntegerField("字节数")

    class Meta:
        verbose_name = verbose_name_plural = "公文函件"
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "year", "number"],
                                               name="letter_unique_kind_number"),
                       models.UniqueConstraint(fields=["issuer", "doc_number"], name="letter_unique_doc_number")]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="letter_subject")]

    def __str__(self):
        return f"{self.doc_number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("casework:letter_pdf", args=[self.pk])

    @property
    def addressee_display(self) -> str:
        if self.addressee_name:
            return self.addressee_name
        return self.addressee.name if self.addressee_id else ""

    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]


class LetterDraft(models.Model):
    """签发稿: a letter drafted by a handler that is issued only when a leader of the issuing department signs it
    off (《党政机关公文处理工作条例》第二十条 “公文应当经本机关负责人审批签发”), where the rule profile requires
    it for the kind (RuleProfile.signoff_kinds). Signing issues the letter (it takes its 文号 then, gapless as any
    other) with the leader as 签发人, and runs the drafting mechanism's continuation (`purpose`, registered in
    casework.letters.signoff); sending back records the leader's reason and returns the draft to its drafter."""

    class State(models.TextChoices):
        PENDING = "pending", "待签发"
        RETURNED = "returned", "已退回修改"
        ISSUED = "issued", "已签发"
        WITHDRAWN = "withdrawn", "已撤回"

    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="letter_drafts",
                               verbose_name="发文单位")
    kind = models.CharField("文种", max_length=32, choices=Letter.Kind.choices)
    addressee = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="主送单位")
    addressee_name = models.CharField("主送机关（名称）", max_length=200, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    materials = models.JSONField("附件", default=list, blank=True)
    cc = models.JSONField("抄送", default=list, blank=True)
    readers = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name="分送单位")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    purpose = models.CharField("签发后续办理", max_length=64, blank=True)
    payload = models.JSONField("后续办理参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="拟稿人")
    drafted_at = models.DateTimeField("拟稿时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="签发或退回人")
    decided_at = models.DateTimeField("签发或退回时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="draft",
                                  verbose_name="签发的文书")

    class Meta:
        verbose_name = verbose_name_plural = "待签发文稿"
        ordering = ["-drafted_at", "-id"]
        indexes = [models.Index(fields=["issuer", "state"], name="letter_draft_issuer_state"),
                   models.Index(fields=["subject_type", "subject_id"], name="letter_draft_subject")]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_state_display()}）{self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("casework:letter_draft", args=[self.pk])
