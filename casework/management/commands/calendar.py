from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.calendar.models import CalendarYear
from casework.calendar.services import load_year, parse_calendar_file
from casework.errors import DomainError


class Command(BaseCommand):
    help = "工作日历：calendar list | calendar import FILE [--year Y] [--source 文号]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        imp = sub.add_parser("import", help="导入 JSON 或 CSV（格式见 README）")
        imp.add_argument("file")
        imp.add_argument("--year", type=int)
        imp.add_argument("--source", default="")

    def handle(self, *args, action, **opts):
        if action == "list":
            for y in CalendarYear.objects.order_by("year"):
                self.stdout.write(f"{y.year}\t{'已载入' if y.loaded else '未载入'}\t{y.days.count()} 天\t{y.source}")
            return
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            year, source, days = parse_calendar_file(path.read_bytes(), path.name)
            year = opts["year"] or year
            if year is None:
                raise DomainError("请用 --year 指定年份（CSV 文件不含年份）")
            load_year(actor=None, year=year, source=opts["source"] or source, days=days)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导入 {year} 年（{len(days)} 天）")
