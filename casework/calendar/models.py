from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    """One year of the official calendar, as published by the State Council."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    loaded = models.BooleanField("已载入", default=False,
                                 help_text="未载入的年份按“仅周末休息”临时计算，相关期限标记为暂定。")
    source = models.CharField("依据", max_length=255,
                              help_text="国务院办公厅关于该年部分节假日安排的通知（文号）")
    loaded_at = models.DateTimeField("载入时间", null=True, blank=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历年份"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年"


class CalendarDay(models.Model):
    """A day that differs from the plain weekday/weekend rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("节日", max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            raise ValidationError({"date": f"{self.date} 不属于 {self.calendar_year.year} 年"})
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": f"{self.date} 是周一至周五，不能标为调休上班"})
