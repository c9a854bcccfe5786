from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from casework.org.models import Department


class Figures(models.Model):
    """The figures the rollup keeps, per department and mechanism, for a day or a month."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    mechanism = models.CharField(max_length=16)
    received = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    disputes = models.PositiveIntegerField(default=0)
    act_days = models.JSONField(default=dict)
    # credit (mechanism "credit" only): records entered, pushes to the credit platform and expert-ban notices
    # closed on time or late (their own clocks), notices received, eligibility checks that stopped a listed bidder
    records = models.PositiveIntegerField(default=0)
    push_on_time = models.PositiveIntegerField(default=0)
    push_late = models.PositiveIntegerField(default=0)
    ban_notices = models.PositiveIntegerField(default=0)
    ban_on_time = models.PositiveIntegerField(default=0)
    ban_late = models.PositiveIntegerField(default=0)
    stopped = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(Figures):
    """One department's figures for one mechanism on one day (Asia/Shanghai): the dashboard's rollup.

    Rebuilt for a range of days by `supervision.rollup.refresh` (beat refreshes the recent days; the
    `supervision_rollup` command rebuilds any range). `act_days` is the histogram of working days taken by the
    clocks closed that day: {"<working days>": count}, from which the period's median is exact.
    """

    day = models.DateField()

    class Meta:
        verbose_name = verbose_name_plural = "监管统计日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "department", "mechanism"], name="daily_figure_once")]
        indexes = [models.Index(fields=["day", "department"], name="daily_figure_day")]


class MonthlyFigure(Figures):
    """The same figures summed per calendar month (kept in step with the days by `rollup.refresh`): a long period
    reads whole months here and only its partial months from the days."""

    month = models.DateField()  # the first day of the month

    class Meta:
        verbose_name = verbose_name_plural = "监管统计月汇总"
        constraints = [models.UniqueConstraint(fields=["month", "department", "mechanism"],
                                               name="monthly_figure_once")]


class RollupRun(models.Model):
    """When the rollup was last refreshed, and which days it covered."""

    finished_at = models.DateTimeField()
    first_day = models.DateField()
    last_day = models.DateField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-finished_at"]


class SupervisionNotice(models.Model):
    """督办函: the supervision office tells a department to act on an item by a date it sets; the reply is a
    tracked step with its own clock (`supervision.notice_reply`), escalating like any clock when unanswered."""

    class State(models.TextChoices):
        OPEN = "open", "待回复"
        REPLIED = "replied", "已回复"

    reference = models.CharField("编号", max_length=32, unique=True)
    office = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="督办单位")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="supervision_notices",
                                   verbose_name="被督办单位")
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    about_clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="supervision_notices", verbose_name="督办的时限")
    title = models.CharField("督办事项", max_length=200)
    requirements = models.TextField("督办要求")
    due_on = models.DateField("回复期限")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    issued_at = models.DateTimeField("督办时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    reply_clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reply = models.TextField("办理情况回复", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办函"
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("supervision:notice", args=[self.pk])


class Circular(models.Model):
    """通报: drafted from the data of a period, edited by the office, signed off by a leader, issued as a letter
    to every member unit, optionally published."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SIGNED = "signed", "已审核签发"
        ISSUED = "issued", "已印发"

    reference = models.CharField("编号", max_length=32, unique=True)
    office = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="通报单位")
    period_from = models.DateField("统计起始日")
    period_to = models.DateField("统计截止日")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", help_text="自然段之间以空行分隔。")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    published = models.BooleanField("向社会公开", default=False)
    accountability = models.ForeignKey("referrals.Clue", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="问责建议移送")

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-drafted_at", "-id"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("supervision:circular", args=[self.pk])


class QuarterlyReport(models.Model):
    """The office's quarterly summary of every department's supervision work (Pingdingshan 二(四)18): reported to
    the committee and circulated to member units. Its `supervision.report` clock starts the day after the quarter
    ends (the reporting cycle's period start) and issuing the report completes it."""

    class State(models.TextChoices):
        PENDING = "pending", "待起草"
        DRAFT = "draft", "草稿"
        SIGNED = "signed", "已审核签发"
        ISSUED = "issued", "已印发"

    office = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="综合监管办公室")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    title = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文", blank=True)
    data = models.JSONField("统计数据", default=dict, blank=True)  # the figures as drafted: tables, charts, XLSX
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    xlsx = models.FileField("表格（XLSX）", upload_to="reports/%Y/", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "季度监管工作报告"
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["office", "year", "quarter"], name="quarterly_report_once")]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度监管工作情况报告"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("supervision:report", args=[self.pk])

    def pdf_charts(self) -> dict:
        from supervision.reports import charts

        return charts(self.data) if self.data else {}
