"""Grant a deliberate, audited break-glass read (casework.privacy.grant_break_glass).

    manage.py break_glass --by <security administrator> --to <named person> --hours 2 --reason "…"

The grant and every read under it are in the audit trail (the auditor's /audit/ page)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework import privacy
from casework.errors import DomainError


class Command(BaseCommand):
    help = "安全管理员为指定人员授予限时的应急查阅个人信息权限（须写明理由，全程留痕）"

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, help="安全管理员的用户名")
        parser.add_argument("--to", required=True, help="被授权人的用户名")
        parser.add_argument("--hours", type=int, required=True, help=f"时长（1至{privacy.BREAK_GLASS_MAX_HOURS}小时）")
        parser.add_argument("--reason", required=True, help="授权理由（不少于10个字）")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            actor = User.objects.get(username=options["by"], is_active=True)
            grantee = User.objects.get(username=options["to"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError("用户不存在或已停用") from exc
        try:
            grant = privacy.grant_break_glass(actor=actor, grantee=grantee, reason=options["reason"],
                                              hours=options["hours"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        until = timezone.localtime(grant.expires_at)
        self.stdout.write(f"已授予 {grantee.username} 应急查阅权限（#{grant.pk}），至 {until:%Y-%m-%d %H:%M} 失效")
