"""Rebuild the supervision dashboard's rollup for a range of days (beat refreshes only the recent ones)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "重算监管统计汇总数据（按日、按月），例如回溯录入的事项或初次部署后。"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="截止日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, first, last, **options):
        from supervision.rollup import rebuild

        try:
            first_day = dt.date.fromisoformat(first)
            last_day = dt.date.fromisoformat(last) if last else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期应为 YYYY-MM-DD：{exc}") from None
        if last_day < first_day:
            raise CommandError(f"截止日期 {last_day} 早于起始日期 {first_day}")
        rows = rebuild(first_day, last_day)
        self.stdout.write(f"已重算 {first_day} 至 {last_day} 的监管统计汇总：{rows} 行")
