import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from casework.calendar.services import get_calendar
from casework.calendar.workcalendar import OutOfRange


class Command(BaseCommand):
    help = "工作日计算：workdays add YYYY-MM-DD N [--calendar-days]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="打印起算日之后第 N 个工作日（起算日不计入）")
        add.add_argument("start", help="起算日期 YYYY-MM-DD")
        add.add_argument("n", help="天数 N（正整数）")
        add.add_argument("--calendar-days", action="store_true",
                         help="按自然日计算，期满日为休息日的顺延至下一个工作日")

    def handle(self, *args, action, start, n, calendar_days, **options):
        try:
            start_date = dt.date.fromisoformat(start)
        except ValueError as exc:
            raise CommandError(f"日期“{start}”无效，应为 YYYY-MM-DD") from exc
        try:
            count = int(n)
        except ValueError as exc:
            raise CommandError(f"天数“{n}”不是整数") from exc
        if count < 1:
            raise CommandError(f"天数须至少为 1，收到 {count}")
        cal = get_calendar()
        try:
            result = (cal.add_calendar_days if calendar_days else cal.add_working_days)(start_date, count)
        except OutOfRange as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.date.isoformat() + (" provisional" if result.provisional else ""))
