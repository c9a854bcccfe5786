"""Credit sanctions (失信惩戒): subjects, records, measures, the black and red lists, shared expert
bans, the push to the credit platform, and the eligibility check other systems call."""

from django.conf import settings
from django.db import models

from casework.org.models import Department
from casework.trading import TradingField

Domain = TradingField  # the domain a restriction applies to


class CreditSubject(models.Model):
    class Type(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        AGENCY = "agency", "招标代理机构"
        EXPERT = "expert", "评标评审专家"
        INDIVIDUAL = "individual", "自然人"

    type = models.CharField("主体类型", max_length=16, choices=Type.choices)
    code = models.CharField("统一社会信用代码/专家编号/证件号码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=200)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用主体"

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ExpertPoolMembership(models.Model):
    class Pool(models.TextChoices):
        TENDERING = "tendering", "综合评标专家库"
        PROCUREMENT = "procurement", "政府采购评审专家库"

    subject = models.ForeignKey(CreditSubject, verbose_name="专家", on_delete=models.CASCADE, related_name="pools")
    pool = models.CharField("专家库", max_length=16, choices=Pool.choices)
    managing_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                            verbose_name="管理部门")

    class Meta:
        verbose_name = verbose_name_plural = "专家库成员"
        constraints = [models.UniqueConstraint(fields=["subject", "pool"], name="expert_pool_once")]


class PenaltyCategory(models.TextChoices):
    """行政处罚种类（《行政处罚法》第九条）, as the credit platform's exchange format names them."""

    WARNING = "warning", "警告、通报批评"
    FINE = "fine", "罚款、没收违法所得、没收非法财物"
    QUALIFICATION = "qualification", "暂扣许可证件、降低资质等级、吊销许可证件"
    RESTRICTION = "restriction", "限制开展生产经营活动、责令停产停业、责令关闭、限制从业"
    DETENTION = "detention", "行政拘留"
    OTHER = "other", "其他"


class CreditRecord(models.Model):
    class Kind(models.TextChoices):
        PENALTY = "penalty", "行政处罚"
        BAD_CONDUCT = "bad_conduct", "不良行为记录"

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        REPAIRED = "repaired", "已信用修复"
        WITHDRAWN = "withdrawn", "已撤销"

    subject = models.ForeignKey(CreditSubject, verbose_name="主体", on_delete=models.PROTECT, related_name="records")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="credit_records",
                                   verbose_name="作出部门")
    decision_number = models.CharField("决定书文号", max_length=64)
    decided_on = models.DateField("决定日期")
    facts = models.TextField("违法事实")
    legal_basis = models.TextField("法律依据")
    penalty = models.TextField("处罚/处理内容")
    serious = models.BooleanField("严重失信", default=False)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField("修复/撤销决定", blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    publishable = models.BooleanField("可公开", default=True)
    penalty_category = models.CharField("处罚类别", max_length=32, choices=PenaltyCategory.choices, blank=True)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
        ordering = ["-decided_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["department", "decision_number", "subject"],
                                               name="credit_record_once")]

    def __str__(self):
        return f"{self.decision_number} {self.subject.name}"


class Measure(models.Model):
    """A restriction that follows from a record: barred from a domain for a period, or a market ban."""

    class Kind(models.TextChoices):
        RESTRICTION = "restriction", "限制参与"
        MARKET_BAN = "market_ban", "市场禁入"

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="measures")
    subject = models.ForeignKey(CreditSubject, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField("措施", max_length=16, choices=Kind.choices)
    domain = models.CharField("领域", max_length=32, choices=Domain.choices)
    starts_on = models.DateField("起始日")
    ends_on = models.DateField("截止日", null=True, blank=True)
    active = models.BooleanField(default=True)  # false once the record is repaired or withdrawn

    class Meta:
        verbose_name = verbose_name_plural = "惩戒措施"
        indexes = [models.Index(fields=["subject", "active", "domain", "starts_on"], name="measure_lookup")]


class RedListEntry(models.Model):
    """守信激励 (Pingdingshan 23): entered by the issuing department with its basis and period; shown on the
    public red list and, as information, in the eligibility answer."""

    subject = models.ForeignKey(CreditSubject, verbose_name="主体", on_delete=models.PROTECT, related_name="red_list")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="列入部门")
    reason = models.TextField("列入理由")
    basis = models.TextField("列入依据", blank=True)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "守信红名单"


class ExpertBanNotice(models.Model):
    """An expert banned by one pool's department: the department managing the other pool must
    acknowledge within 2 working days (Luoyang 六(二))."""

    record = models.ForeignKey(CreditRecord, verbose_name="信用记录",
                               on_delete=models.CASCADE, related_name="ban_notices")
    to_department = models.ForeignKey(Department, verbose_name="通知单位", on_delete=models.PROTECT, related_name="+")
    pool = models.CharField("专家库", max_length=16, choices=ExpertPoolMembership.Pool.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人",
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    # 共享处罚结果，实施联合惩戒: what the notified department did in its own pool
    measure_taken = models.TextField("本库采取的措施", blank=True)
    # the record was entered after the notice period had already run out (entry delay, not the receiver's)
    entered_late = models.BooleanField("录入时已逾通报时限", default=False)
    closed_reason = models.TextField("通报终止原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家禁入通知"


class EligibilityQuery(models.Model):
    """Every eligibility check: who asked, why (project), and what they were told."""

    subject_code = models.CharField("主体代码", max_length=32, db_index=True)
    domain = models.CharField("领域", max_length=32, choices=Domain.choices)
    on_date = models.DateField("核查日期")
    project_code = models.CharField("项目编号", max_length=64, blank=True)
    eligible = models.BooleanField("可参与", )
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查询人",
                                 on_delete=models.PROTECT, related_name="+")
    # The asker's department, recorded when the check stopped a listed subject (the dashboard counts those per
    # department); left empty for the eligible answers so the common check costs no extra query.
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="核查单位")
    asked_at = models.DateTimeField("查询时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "资格核查记录"


class Correction(models.Model):
    """更正: the issuing department corrects its record; before, after and the reason are kept."""

    record = models.ForeignKey(CreditRecord, verbose_name="信用记录",
                               on_delete=models.CASCADE, related_name="corrections")
    before = models.JSONField("修改前", )
    after = models.JSONField("修改后", )
    reason = models.TextField("更正理由")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人",
                                     on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录更正"
        ordering = ["-corrected_at", "-id"]


class CreditPush(models.Model):
    """One push of a record to the credit platform (Zengdu 第九条; Luoyang 四(二)): the original penalty, and
    each later correction, repair or withdrawal. Over HTTP it rides the signed, retried webhook outbox;
    without a platform connection it goes out in a numbered batch of the standard export file, and staff
    enter the platform's receipt."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "公示"
        CORRECTION = "correction", "更正"
        REPAIR = "repair", "信用修复"
        WITHDRAWAL = "withdrawal", "撤销"

    class Channel(models.TextChoices):
        HTTP = "http", "接口推送"
        FILE = "file", "标准文件报送"

    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", on_delete=models.CASCADE, related_name="pushes")
    action = models.CharField("报送事项", max_length=16, choices=Action.choices)
    channel = models.CharField("报送方式", max_length=8, choices=Channel.choices)
    payload = models.JSONField("报送内容", )
    delivery = models.OneToOneField("casework.WebhookDelivery", verbose_name="投递记录",
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    batch = models.CharField("报送批次", max_length=32, blank=True, db_index=True)
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    receipt = models.CharField("平台回执", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用平台报送"
        ordering = ["created_at", "id"]

    @property
    def pushed_at(self):
        if self.channel == self.Channel.HTTP:
            return self.delivery.delivered_at if self.delivery else None
        return self.confirmed_at

    @property
    def state(self) -> str:
        if self.pushed_at:
            return "已送达" if self.channel == self.Channel.HTTP else "已确认报送"
        if self.channel == self.Channel.FILE:
            return f"已导出（批次 {self.batch}），待确认" if self.batch else "待导出"
        d = self.delivery
        if d is None or d.attempts == 0:
            return "待推送"
        return "重试中" if d.next_attempt_at else "推送失败，已停止重试"

    @property
    def receipt_display(self) -> str:
        if self.channel == self.Channel.HTTP and self.delivery:
            d = self.delivery
            if d.delivered_at:
                return f"HTTP {d.last_status}" + (f"：{d.receipt}" if d.receipt else "")
            return d.last_error
        return self.receipt
