from django.core.management.base import BaseCommand, CommandError

from casework.events.services import verify_chain


class Command(BaseCommand):
    help = "校验审计事件哈希链：完好则打印 OK，否则报告第一处断链并以非零状态退出。"

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"OK ({result.checked} events)")
            return
        raise CommandError(f"审计链在第 {result.broken_seq} 条事件处断开：{result.problem}")
