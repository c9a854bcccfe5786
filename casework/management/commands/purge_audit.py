import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.events.retention import earliest_allowed_cutoff, purge_before, retention_days


class Command(BaseCommand):
    help = "清理保存期（AUDIT_RETENTION_DAYS，不少于 183 天）之前的审计事件；清理前校验审计链并在库外写入签名锚点。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="清理此日期（YYYY-MM-DD，北京时间）之前的事件")

    def handle(self, *args, **options):
        try:
            before = dt.date.fromisoformat(options["before"])
        except ValueError as exc:
            raise CommandError("--before 须为 YYYY-MM-DD 格式的日期") from exc
        try:
            result = purge_before(actor=None, before=before)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已清理 {result.deleted} 条审计事件（链序号至 {result.through_seq}）；"
                          f"保存期 {retention_days()} 天，最晚可清理 {earliest_allowed_cutoff():%Y-%m-%d} 之前的记录")
