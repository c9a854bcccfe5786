"""Clue referrals (线索移交): the trading centre's clue, its evidence, and every transfer of it."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from casework.handoffs.models import Handoff
from casework.org.models import ApiClient, Department


class SignalType(models.TextChoices):
    BID_FILE_FINGERPRINT = "bid_file_fingerprint", "标书特征码一致"
    BLIND_BID_CLEARING = "blind_bid_clearing", "暗标清标异常"
    URGENT_TENDER_PLAN = "urgent_tender_plan", "招标计划紧急情况"
    EVALUATION_ROLLBACK = "evaluation_rollback", "评标回退记录"
    RELATED_BIDDERS = "related_bidders", "投标人关联关系（围标串标）"
    ABNORMAL_WIN_RATE = "abnormal_win_rate", "中标率异常（陪标专业户/标王）"
    BID_PRICE_PATTERN = "bid_price_pattern", "报价规律异常（围标串标迹象）"
    OTHER = "other", "其他"


# Signals that point at bid-rigging (围标串标) or fraud (弄虚作假): copied to the police where the
# jurisdiction's profile says so (Weihai (八)).
BID_RIGGING_SIGNALS = frozenset({
    SignalType.BID_FILE_FINGERPRINT, SignalType.BLIND_BID_CLEARING, SignalType.RELATED_BIDDERS,
    SignalType.ABNORMAL_WIN_RATE, SignalType.BID_PRICE_PATTERN,
})


class Matter(models.TextChoices):
    """What the transferred matter is, per the routing table (Luoyang 三(二); Weihai (十二); Zengdu 第十二条)."""

    OFFICIAL_MISCONDUCT = "official_misconduct", "公职人员以权谋私、收受贿赂"
    PUBLIC_INTEREST = "public_interest", "损害国家利益或社会公共利益（公益诉讼线索）"
    CRIME = "crime", "串通投标、强迫交易、商业贿赂等涉嫌犯罪"
    QUALIFICATION_PENALTY = "qualification_penalty", "降低或吊销资质证照等行政处罚"
    CONTRACT_QUALITY_SAFETY = "contract_quality_safety", "违约、违法分包转包、质量安全问题"
    FUNDING = "funding", "暂停或停止拨付资金"
    LAND_MINING_TITLE = "land_mining_title", "暂停土地矿业权出让或资产权属登记"
    TRADING_BAN = "trading_ban", "禁止在交易中心参与交易"
    SAME_DUTY_OTHER_LEVEL = "same_duty_other_level", "属本系统职责但归其他层级管辖"
    OTHER = "other", "其他"


class Clue(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "待登记"
        REGISTERED = "registered", "已登记，研判中"
        TRANSFERRED = "transferred", "已移送"
        DISPUTED = "disputed", "管辖争议待定"
        CLOSED = "closed", "已办结"

    reference = models.CharField("编号", max_length=48, unique=True)
    intake_key = models.CharField(max_length=200, unique=True, editable=False)
    external_id = models.CharField("外部编号", max_length=100, blank=True)
    api_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="clues")
    payload_hash = models.CharField(max_length=64, editable=False)
    source_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="pushed_clues",
                                          verbose_name="推送单位")
    supervising_department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                               related_name="supervised_clues", verbose_name="行政监督部门")
    project_code = models.CharField("项目编号", max_length=64)
    project_name = models.CharField("项目名称", max_length=200)
    discovered_at = models.DateTimeField("发现时间")
    signal_type = models.CharField("预警类型", max_length=32, choices=SignalType.choices)
    summary = models.TextField("线索摘要")
    bidders = models.JSONField("涉及投标人", default=list, blank=True)
    # What the list's search box looks through, in one column (reference, external id, project, bidders' names
    # and USCCs, summary), so that one index serves it (pg_trgm on PostgreSQL). Set by refresh_search_text().
    search_text = models.TextField("检索文本", blank=True, default="", editable=False)
    # The summary as written, kept only when masking changed it (it holds personal data): what the search looks in
    # for those cleared to read it, beside search_text, through its own small index (partial: non-empty rows).
    private_search_text = models.TextField("含个人信息的摘要（检索用）", blank=True, default="", editable=False)
    # The search text's distinct character pairs holding a non-ASCII character, space-separated: a GIN index over
    # them as an array (PostgreSQL) finds a two-character Chinese word, which has no trigram.
    search_pairs = models.TextField("检索字对", blank=True, default="", editable=False)
    details = models.JSONField("其他信息", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField("接收时间")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # None: an anonymous report from the public
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    return_count = models.PositiveIntegerField("退回次数", default=0)
    callback_url = models.URLField("回调地址", max_length=500, blank=True)
    callback_secret = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "问题线索"
        ordering = ["-received_at", "-id"]
        # The lists' order, read backwards: a page of the newest clues (or of the newest matching a common word)
        # stops after its rows instead of sorting every visible clue.
        indexes = [models.Index(fields=["received_at", "id"], name="clue_received_order")]

    def __str__(self):
        return f"{self.reference} {self.project_name}"

    def get_absolute_url(self):
        return reverse("referrals:clue", args=[self.pk])

    SEARCH_FIELDS = ("search_text", "search_pairs", "private_search_text")  # what refresh_search_text sets

    def refresh_search_text(self) -> str:
        self.search_text, self.search_pairs, self.private_search_text = search_texts_of(self)
        return self.search_text

    @property
    def is_anonymous_report(self) -> bool:
        return self.details.get("channel") == "anonymous_report"

    @property
    def is_bid_rigging(self) -> bool:
        return self.signal_type in BID_RIGGING_SIGNALS


class ClueCopy(models.Model):
    """A copy for information (同时推送), e.g. to the police for bid-rigging (Weihai (八))."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="copies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clue", "department"], name="cluecopy_once")]


class Transfer(models.Model):
    """One transfer (移送) of a clue to one receiving organ, over the shared hand-over."""

    class Delivery(models.TextChoices):
        SYSTEM = "system", "平台送达"
        IN_PERSON = "in_person", "直接送达"
        POST = "post", "邮寄送达"
        EMAIL = "email", "电子邮件送达"

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="transfers")
    handoff = models.OneToOneField(Handoff, on_delete=models.PROTECT, related_name="transfer")
    sender = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="移送单位")
    receiver = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="接收单位")
    matter = models.CharField("移送事项", max_length=32, choices=Matter.choices)
    legal_basis = models.TextField("法律依据")
    materials = models.JSONField("移送材料", default=list)
    delivery_method = models.CharField("送达方式", max_length=16, choices=Delivery.choices)
    delivered_at = models.DateTimeField("送达时间")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="forwards",
                               verbose_name="转送自")
    designated = models.BooleanField("综合监管部门指定管辖", default=False)
    transfer_letter = models.ForeignKey("casework.Letter", null=True, on_delete=models.PROTECT, related_name="+")
    receipt_letter = models.ForeignKey("casework.Letter", null=True, on_delete=models.PROTECT, related_name="+")
    return_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    forward_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    result_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="处理结果告知函")
    receipt_signed_at = models.DateTimeField("回执签收时间", null=True, blank=True)
    receipt_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    decided_at = models.DateTimeField("受理决定时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    return_reasons = models.TextField("退回理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "移送"
        ordering = ["delivered_at", "id"]

    def __str__(self):
        return f"{self.clue.reference} → {self.receiver.display_name}"

    @property
    def state(self) -> str:
        return self.handoff.state

    @property
    def letter_label(self) -> str:
        return f"{self.clue.reference}（{self.clue.project_name}）"

    @property
    def letters(self) -> list:
        return [x for x in (self.transfer_letter, self.receipt_letter, self.return_letter, self.forward_letter,
                            self.result_letter) if x]

    def get_state_display(self) -> str:
        return self.handoff.get_state_display()


class JurisdictionDispute(models.Model):
    """A matter bounced between two departments more than once: the supervision office decides."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="disputes")
    first = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="综合监管部门")
    raised_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    designated = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="指定管辖单位")
    reason = models.TextField("决定理由", blank=True)

    class Meta:
        ordering = ["raised_at"]

    def __str__(self):
        return f"管辖争议：{self.clue.project_name}"

    def get_absolute_url(self):
        return self.clue.get_absolute_url()


class PenaltyPowerMove(models.Model):
    """An industry authority's penalty power moved to comprehensive law enforcement (综合执法)."""

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="penalty_power_move",
                                      verbose_name="原行业主管部门")
    law_enforcement = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                        verbose_name="承接处罚权的综合执法部门")
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "处罚权划转"


def search_texts_of(clue) -> tuple[str, str, str]:
    """What the clue search box looks in: references, project, bidders' names and USCCs, and the summary masked
    (the index must not answer a search for a witness's phone or name that the page masks); its character pairs
    (`search_pairs_of`); and, for those cleared to read it, the summary as written when masking changed it (""
    otherwise: the masked text already holds it). Takes any object with the clue's fields, so the data migrations
    that re-indexed stored clues use it too."""
    from casework.privacy import mask_text

    parts = [clue.reference, clue.external_id, clue.project_code, clue.project_name]
    for b in clue.bidders or []:
        if isinstance(b, dict):
            parts += [str(b.get("name") or ""), str(b.get("uscc") or "")]
    summary = clue.summary[:2000]
    masked = mask_text(summary)
    parts.append(masked)
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text, search_pairs_of(text), (summary if masked != summary else "")


def search_pairs_of(text: str) -> str:
    """The distinct pairs of adjacent characters of `text` in upper case that hold a non-ASCII character and no
    space, space-separated (the words of a two-character search the pairs index can answer: see has_pair)."""
    upper = text.upper()
    return " ".join(sorted({upper[i:i + 2] for i in range(len(upper) - 1) if is_pair(upper[i:i + 2])}))


def is_pair(word: str) -> bool:
    """Whether `word` (already in upper case) is a pair the index holds: two characters, one non-ASCII, no space."""
    return len(word) == 2 and (ord(word[0]) > 0x7F or ord(word[1]) > 0x7F) and not (
        word[0].isspace() or word[1].isspace())


def search_text_of(clue) -> str:
    return search_texts_of(clue)[0]
