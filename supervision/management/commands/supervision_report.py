"""Write a quarter's draft report (PDF) and its tables (XLSX) without issuing them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.org.models import Department
from supervision import periods
from supervision.reports import draft_files


class Command(BaseCommand):
    help = "写出某季度监管工作情况报告草稿（PDF）及统计表（XLSX），不印发。"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="季度，如 2026Q4")
        parser.add_argument("--jurisdiction", help="行政区划代码（有多个综合监管办公室时必填）")
        parser.add_argument("--out", default=".", help="输出目录")

    def handle(self, *args, quarter, jurisdiction=None, out=".", **options):
        try:
            period = periods.parse_quarter(quarter)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        offices = Department.objects.filter(is_supervision_office=True, active=True).select_related("jurisdiction")
        if jurisdiction:
            offices = offices.filter(jurisdiction__code=jurisdiction)
        offices = list(offices)
        if not offices:
            raise CommandError(f"没有找到综合监管办公室{'（' + jurisdiction + '）' if jurisdiction else ''}")
        if len(offices) > 1:
            raise CommandError("有多个综合监管办公室，请用 --jurisdiction 指定："
                               + "、".join(f"{o.jurisdiction.code} {o.jurisdiction.name}" for o in offices))
        office = offices[0]
        pdf, xlsx, title = draft_files(office=office, period=period)
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"supervision-report-{office.jurisdiction.code}-{quarter.strip().upper()}"
        (directory / f"{stem}.pdf").write_bytes(pdf)
        (directory / f"{stem}.xlsx").write_bytes(xlsx)
        self.stdout.write(f"{title}（草稿）")
        self.stdout.write(str(directory / f"{stem}.pdf"))
        self.stdout.write(str(directory / f"{stem}.xlsx"))
