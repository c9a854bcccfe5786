from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.org.models import ApiClient, Department
from casework.org.services import create_api_client, rotate_api_client_token


class Command(BaseCommand):
    help = "管理其他政府系统的接口客户端。create 在最后一行打印令牌（只显示一次）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--department", required=True, help="单位代码")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("name")
        sub.add_parser("list")

    def handle(self, *args, action, **opts):
        if action == "list":
            for c in ApiClient.objects.select_related("department").order_by("name"):
                state = "已停用" if c.revoked_at else "有效"
                self.stdout.write(f"{c.name}\t{c.department.code}\t{c.key_prefix}…\t{state}")
            return
        if action == "create":
            dept = Department.objects.filter(code=opts["department"]).first()
            if dept is None:
                raise CommandError(f"单位代码“{opts['department']}”不存在")
            try:
                client, token = create_api_client(name=opts["name"], department=dept)
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
            token = rotate_api_client_token(client=client)
            self.stdout.write("已更换令牌，旧令牌立即失效。新令牌：")
            self.stdout.write(token)
        else:
            from django.utils import timezone

            ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
            self.stdout.write(f"已停用 {client.name}")
