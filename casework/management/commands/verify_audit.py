from django.core.management.base import BaseCommand, CommandError

from casework.events.services import chain_pending, verify_chain


class Command(BaseCommand):
    help = ("校验审计事件密钥哈希链及库外签名检查点：完好则打印 OK，否则报告第一处断链的链序号并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--link-pending", action="store_true",
                            help="校验前先把已提交但尚未入链的事件接入链中（通常由提交后的入链步骤和定时任务完成）")

    def handle(self, *args, **options):
        if options["link_pending"]:
            chain_pending()
        result = verify_chain()
        for note in result.notes:
            self.stderr.write(note)
        if result.ok:
            extra = f", {result.pending} pending" if result.pending else ""
            base = f", purged through {result.base_seq}" if result.base_seq else ""
            self.stdout.write(f"OK ({result.checked} events{base}, {result.checkpoints} checkpoints{extra})")
            return
        raise CommandError(f"审计链在第 {result.broken_seq} 条事件处断开：{result.problem}")
