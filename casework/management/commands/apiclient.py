from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.org.models import ApiClient, Department
from casework.org.services import create_api_client, revoke_api_client, rotate_api_client_token


class Command(BaseCommand):
    help = "管理其他政府系统的接口客户端。create 在最后一行打印令牌（只显示一次）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--department", required=True, help="单位代码")
        create.add_argument("--scopes", default="",
                            help="逗号分隔的权限范围，如 clues:push 或 eligibility:read；留空不限")
        create.add_argument("--expires", default="", help="令牌有效期至（YYYY-MM-DD，含当日）；留空长期有效")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("name")
        for p in (create, rotate, revoke):
            p.add_argument("--by", default="", help="执行操作的管理员用户名（记入审计日志）")
        sub.add_parser("list")

    def _actor(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        return user

    def handle(self, *args, action, **opts):
        actor = self._actor(opts.get("by"))
        if action == "list":
            for c in ApiClient.objects.select_related("department").order_by("name"):
                state = "已停用" if c.revoked_at else "有效"
                scopes = ",".join(c.scopes) or "不限"
                until = f"至 {c.expires_at:%Y-%m-%d %H:%M}" if c.expires_at else "长期"
                self.stdout.write(f"{c.name}\t{c.department.code}\t{c.key_prefix}…\t{state}\t{scopes}\t{until}")
            return
        if action == "create":
            dept = Department.objects.filter(code=opts["department"]).first()
            if dept is None:
                raise CommandError(f"单位代码“{opts['department']}”不存在")
            expires_at = None
            if opts["expires"]:
                import datetime as dt

                from casework.clocks.timing import SHANGHAI

                try:
                    day = dt.date.fromisoformat(opts["expires"])
                except ValueError as exc:
                    raise CommandError("--expires 须为 YYYY-MM-DD") from exc
                expires_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
            scopes = [s.strip() for s in opts["scopes"].split(",") if s.strip()]
            try:
                client, token = create_api_client(actor=actor, name=opts["name"], department=dept, scopes=scopes,
                                                  expires_at=expires_at)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"已创建接口客户端 {client.name}，所属单位 {dept.name}（{dept.code}）。"
                              "令牌只显示这一次：")
            self.stdout.write(token)
            return
        client = ApiClient.objects.filter(name=opts["name"]).first()
        if client is None:
            raise CommandError(f"接口客户端“{opts['name']}”不存在")
        if action == "rotate":
            token = rotate_api_client_token(actor=actor, client=client)
            self.stdout.write("已更换令牌，旧令牌立即失效。新令牌：")
            self.stdout.write(token)
        else:
            revoke_api_client(actor=actor, client=client)
            self.stdout.write(f"已停用 {client.name}")
