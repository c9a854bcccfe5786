from django.conf import settings
from django.db import models

from casework.org.models import Jurisdiction


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", "个工作日"
    CALENDAR_DAYS = "calendar_days", "日"
    MONTHS = "months", "个月"


class StartsOn(models.TextChoices):
    DISCOVERY = "discovery", "发现之日"
    RECEIPT = "receipt", "收到之日"
    DECISION = "decision", "作出决定之日"
    COMPLETION = "completion", "办结之日"
    ACCEPTANCE = "acceptance", "受理之日"
    PENALTY = "penalty", "处罚/记录之日"
    PERIOD_START = "period_start", "周期开始"
    CHANGE = "change", "变更之日"
    INSPECTION_END = "inspection_end", "检查结束之日"


class Source(models.TextChoices):
    SEED = "seed", "本地文件规定"
    NATIONAL = "national", "国家规定"
    DEFAULT = "default", "默认（本地文件未规定）"


class RuleProfile(models.Model):
    """A jurisdiction's time limits and escalation ladder: policy as data."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.PROTECT,
                                        related_name="rule_profile", verbose_name="行政区域")
    preset = models.CharField("预设", max_length=32, blank=True)
    name = models.CharField("名称", max_length=128)
    document = models.CharField("依据文件", max_length=255)
    reminder_working_days = models.PositiveSmallIntegerField(
        "临期提醒（到期前工作日）", default=1)
    supervision_after_working_days = models.PositiveSmallIntegerField(
        "督办（超期后工作日）", default=3)
    circular_after_working_days = models.PositiveSmallIntegerField(
        "列入通报（超期后工作日）", default=5)
    escalation_note = models.CharField("升级规则说明", max_length=255, blank=True)
    copy_bid_rigging_to_police = models.BooleanField(
        "围标串标、弄虚作假线索同时推送公安机关", default=False,
        help_text="如威海 (八)：涉及围标串标、弄虚作假等疑似违法行为的，同时推送至公安机关。")
    copy_clause = models.CharField("推送公安依据", max_length=128, blank=True)
    role_powers = models.JSONField(
        "部门内角色权限", default=dict, blank=True,
        help_text="如 {\"complaint.decide\": [\"leader\"]}：某一办理环节须由哪些角色（handler 经办人、leader 负责人、"
                  "liaison 联络员）办理；未列出的环节采用默认值（见 casework/rules/powers.py）。")

    signoff_kinds = models.JSONField(
        "须经负责人签发的文种", default=list, blank=True,
        help_text="如 [\"report\"]：这些文种由经办人拟稿后，须经本单位负责人签发才印发（签发人印在上行文版头）。")
    signoff_note = models.CharField("签发依据", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则配置"

    def __str__(self):
        return self.name


class Rule(models.Model):
    """One time limit. Its terms live in versions; a clock keeps the version it started under."""

    profile = models.ForeignKey(RuleProfile, verbose_name="规则配置", on_delete=models.CASCADE, related_name="rules")
    key = models.CharField("规则键", max_length=64)
    name = models.CharField("环节", max_length=128)
    current_version = models.ForeignKey("RuleVersion", verbose_name="当前版本", null=True, on_delete=models.PROTECT,
                                        related_name="+", editable=False)
    # Reminders scale with the period: a yearly meeting is reminded 10 working days ahead, a
    # 3-working-day step 1 day ahead. Empty: the profile's ladder applies.
    reminder_working_days = models.PositiveSmallIntegerField(
        "临期提醒（到期前工作日）", null=True, blank=True,
        help_text="留空则采用规则配置的统一值；周期较长的事项（如年度会议）可设得更早。")

    class Meta:
        verbose_name = verbose_name_plural = "时限规则"
        ordering = ["profile", "id"]
        constraints = [models.UniqueConstraint(fields=["profile", "key"], name="rule_unique_key")]

    def __str__(self):
        return f"{self.profile.jurisdiction.name} · {self.name}"


class RuleVersion(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    amount = models.PositiveIntegerField("时限", null=True, blank=True,
                                         help_text="留空表示不设固定时限（不计时）。")
    unit = models.CharField("单位", max_length=16, choices=Unit.choices)
    starts_on = models.CharField("起算", max_length=16, choices=StartsOn.choices)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    clause = models.CharField("条款", max_length=128, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    change_reason = models.CharField("修改原因", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则版本"
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="ruleversion_unique")]

    def __str__(self):
        return f"{self.rule.name} v{self.number}：{self.limit_display}"

    @property
    def limit_display(self) -> str:
        if self.amount is None:
            return "不设固定时限"
        return f"{self.amount}{self.get_unit_display()}"

    @property
    def basis_display(self) -> str:
        """The clause said plainly: a default borrowed from another document is not a local rule."""
        if self.source == Source.DEFAULT:
            if self.amount is None:
                return f"本地文件未规定时限，不设固定时限{f'（{self.clause}）' if self.clause else ''}"
            return f"本地文件未规定时限，采用默认值（{self.clause or '统一默认值'}）"
        if self.source == Source.NATIONAL:
            return f"{self.clause}（国家规定）" if self.clause else "国家规定"
        return self.clause

    @property
    def line_display(self) -> str:
        """The limit and where it comes from, for a clock's line on a case page: “5个工作日 · 本地文件未规定时限，
        采用默认值（参照 曾都 第十三条）” so local staff are not sent to a document they do not have."""
        if self.source == Source.DEFAULT and self.amount is None:
            return self.basis_display
        return f"{self.limit_display} · {self.basis_display or self.get_source_display()}"

    @property
    def citation(self) -> str:
        parts = [self.clause or self.get_source_display()]
        if self.note:
            parts.append(self.note)
        return "；".join(parts)


class RulesRevision(models.Model):
    """One row: a token replaced whenever a rule profile, a rule, a rule version or a jurisdiction is saved or
    deleted (casework.rules.services, by signal, in the same transaction), so that a process keeping the rules in
    memory knows when to read them again. A new random token each time, never a counter: a rolled-back change
    restores the token the rules had, so no token ever names two different sets of rules."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "规则缓存版本"
