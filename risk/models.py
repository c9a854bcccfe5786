"""Risk screening (智慧监管): tenders the trading centre sends in, the screening profile of a
jurisdiction, and the warnings the screens raise."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from casework.org.models import ApiClient, Department, Jurisdiction
from casework.trading import TradingField


class ScreenProfile(models.Model):
    """A jurisdiction's thresholds, laid over risk.screens.thresholds.DEFAULTS screen by screen."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="screen_profile",
                                        verbose_name="辖区")
    thresholds = models.JSONField("阈值（覆盖默认值）", default=dict, blank=True,
                                  help_text='例如 {"ring": {"min_cobids": 4}, "win_rate": {"min_bids": 30}}')
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "筛查阈值方案"

    def __str__(self):
        return f"{self.jurisdiction.name}筛查阈值"

    def clean(self):
        from django.core.exceptions import ValidationError

        from risk.screens.thresholds import problems

        errors = problems(self.thresholds)
        if errors:
            raise ValidationError({"thresholds": errors})


class Tender(models.Model):
    intake_key = models.CharField("接收幂等键", max_length=200, unique=True, editable=False)
    tender_id = models.CharField("招标编号", max_length=100)
    payload_hash = models.CharField("内容摘要", max_length=64, editable=False)
    api_client = models.ForeignKey(ApiClient, verbose_name="接口客户端",
                                   null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="sent_tenders",
                                          verbose_name="交易中心")
    supervising_department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                               related_name="supervised_tenders", verbose_name="行政监督部门")
    project_code = models.CharField("项目编号", max_length=64)
    project_name = models.CharField("项目名称", max_length=200)
    trading_type = models.CharField("交易类型", max_length=24, choices=TradingField.choices)
    opened_at = models.DateTimeField("开标时间")
    estimate = models.DecimalField("招标控制价（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                                    null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "招标项目（交易数据）"
        indexes = [models.Index(fields=["supervising_department", "opened_at"])]

    def __str__(self):
        return f"{self.tender_id} {self.project_name}"


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("投标人", max_length=200)
    amount = models.DecimalField("投标报价（元）", max_digits=16, decimal_places=2)
    winner = models.BooleanField("中标", default=False)
    file_fingerprint = models.CharField("投标文件特征码", max_length=128, blank=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    mac = models.CharField("MAC 地址", max_length=32, blank=True)
    legal_rep = models.CharField("法定代表人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=32, blank=True)
    key_staff = models.JSONField("主要人员", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投标记录"
        constraints = [models.UniqueConstraint(fields=["tender", "uscc"], name="risk_bid_one_per_bidder")]

    def __str__(self):
        return f"{self.name} {self.amount}"


class Screen(models.TextChoices):
    FINGERPRINT = "fingerprint", "投标文件特征雷同"
    RELATED = "related", "投标人关联关系"
    RING = "ring", "抱团投标"
    ROTATION = "rotation", "轮流中标"
    COVER = "cover", "陪标专业户"
    KING = "king", "标王（中标率异常高）"
    PRICE = "price", "报价异常（离散度/不对称）"
    FIXED_RATIO = "fixed_ratio", "报价为控制价固定比例"


class Warning(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待研判"
        DISMISSED = "dismissed", "已排除"
        CLUED = "clued", "已转线索"

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    key = models.CharField("预警键", max_length=120, editable=False)
    screen = models.CharField("预警类型", max_length=16, choices=Screen.choices)
    score = models.FloatField("风险分值")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    source_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                          verbose_name="交易中心")
    supervising_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                               verbose_name="行政监督部门")
    tenders = models.ManyToManyField(Tender, related_name="warnings", verbose_name="涉及招标")
    bidders = models.JSONField("涉及投标人", default=list)  # [{"uscc", "name"}]
    bidder_index = models.TextField("投标人索引", editable=False, default="")  # "|uscc|uscc|" for the bidder filter
    numbers = models.JSONField("触发数据", default=dict)
    edges = models.JSONField("关联关系", default=list, blank=True)
    explanation = models.TextField("说明")
    detected_at = models.DateTimeField("发现时间")
    updated_at = models.DateTimeField("最近筛查", auto_now=True)
    last_opened_at = models.DateTimeField("最近一次相关开标", null=True)
    dismissed_reason = models.TextField("排除理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    clue = models.OneToOneField("referrals.Clue", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="risk_warning", verbose_name="转成的线索")

    class Meta:
        verbose_name = verbose_name_plural = "风险预警"
        ordering = ["-score", "-detected_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "key"], name="risk_warning_once")]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self):
        return f"{self.get_screen_display()} {self.score:.0f}"

    def get_absolute_url(self):
        return reverse("risk:warning", args=[self.pk])

    @property
    def bidder_names(self) -> str:
        return "、".join(b["name"] for b in self.bidders[:6]) + (" 等" if len(self.bidders) > 6 else "")
