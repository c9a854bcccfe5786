from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A ledger export too large to answer in the request, written by a Celery task for its owner only: the list
    (a registered ledger, casework.listing), the filter as typed, the format, its progress and its file."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel（XLSX）"
        CSV = "csv", "CSV"

    OPEN_STATES = (State.QUEUED, State.RUNNING)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs",
                              verbose_name="导出人")
    ledger = models.CharField("台账", max_length=60)
    title = models.CharField("台账名称", max_length=60)
    path = models.CharField("列表地址", max_length=200)
    query = models.CharField("筛选条件", max_length=2000, blank=True)
    format = models.CharField("格式", max_length=4, choices=Format.choices)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", max_length=255, blank=True)
    error = models.TextField("错误信息", blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("文件保留至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            # a double click, a retry, two tabs: one open job per owner, list, filter and format
            models.UniqueConstraint(fields=["owner", "ledger", "query", "format"],
                                    condition=models.Q(state__in=["queued", "running"]), name="export_job_one_open"),
        ]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="export_job_state"),
                   models.Index(fields=["owner", "-created_at"], name="export_job_owner")]

    def __str__(self):
        return f"{self.title}（{self.get_format_display()}，{self.get_state_display()}）"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def list_url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
