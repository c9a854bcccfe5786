from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from casework.org.models import Department
from casework.rules.models import RuleVersion


class Clock(models.Model):
    """A statutory deadline on one step of one item.

    `due_at` is computed once from (start, rule version, calendar, paused spans) and changed
    only by an explicit, audited event. `next_action_at` is when the escalation ladder next has
    something to do; the sweep reads only clocks whose next action is due (partial index).
    """

    class State(models.TextChoices):
        RUNNING = "running", "计时中"
        PAUSED = "paused", "已暂停"
        MET = "met", "按期完成"
        BREACHED = "breached", "已超期"
        CANCELLED = "cancelled", "已撤销"

    subject_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    subject_id = models.CharField("对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    label = models.CharField("环节", max_length=128)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="clocks",
                                   verbose_name="责任单位")
    counterpart = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="awaited_clocks", verbose_name="相对单位")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="clocks")
    rule_version = models.ForeignKey(RuleVersion, verbose_name="规则版本",
                                     on_delete=models.PROTECT, related_name="clocks")
    started_at = models.DateTimeField("起算时间")
    due_at = models.DateTimeField("截止时间")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RUNNING)
    provisional = models.BooleanField("暂定", default=False)
    first_year = models.PositiveSmallIntegerField("起算年度", )
    last_year = models.PositiveSmallIntegerField("截止年度", )
    paused_units = models.PositiveIntegerField("已暂停时长", default=0)
    extended_units = models.PositiveIntegerField("已延期时长", default=0)  # approved extensions (延期)
    # A deadline the deciding body set (a meeting's decision, a letter's requested date) for a
    # step whose rule has no fixed limit; pauses and extensions still add working days to it.
    set_due_on = models.DateField("议定期限", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    next_action_at = models.DateTimeField("下次催办时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "法定时钟"
        indexes = [
            models.Index(fields=["next_action_at"], name="clock_next_action",
                         condition=models.Q(next_action_at__isnull=False)),
            models.Index(fields=["department", "state", "due_at"], name="clock_workbench"),
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject"),
            models.Index(fields=["provisional", "first_year", "last_year"], name="clock_years"),
            # the supervision dashboard's rollup and drill-down read clocks by when they started and closed
            models.Index(fields=["started_at"], name="clock_started"),
            # closed_at first: the rollup's closings by day, and "open at the end of a past period" (closed after
            # it, started before it) counted per department and rule from the index alone (an index-only scan)
            models.Index(fields=["closed_at", "started_at", "department", "rule_version", "due_at"],
                         name="clock_closed_cover"),
            models.Index(fields=["department", "rule_version", "due_at"], name="clock_open",
                         condition=models.Q(closed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def added_units(self) -> int:
        """Units added to the rule's amount: time paused (not counted) plus approved extensions."""
        return self.paused_units + self.extended_units

    @property
    def is_open(self) -> bool:
        """Open until met, completed late (breached + closed_at) or cancelled."""
        return self.closed_at is None


class PauseSpan(models.Model):
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("暂停原因", max_length=255)
    units = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["started_at"]


class EscalationStep(models.Model):
    """One rung of the ladder fired for one clock. The unique constraint makes it at-most-once."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "临期提醒"
        BREACH = "breach", "超期通知"
        SUPERVISION = "supervision", "督办"
        CIRCULAR = "circular", "列入通报"

    ORDER = (Kind.REMINDER, Kind.BREACH, Kind.SUPERVISION, Kind.CIRCULAR)

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    scheduled_for = models.DateTimeField()
    fired_at = models.DateTimeField()
    # A reminder whose deadline had already passed when the sweep reached it is recorded but
    # not sent: the overdue notice supersedes it.
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["fired_at"]
        constraints = [models.UniqueConstraint(fields=["clock", "kind"], name="step_once")]
