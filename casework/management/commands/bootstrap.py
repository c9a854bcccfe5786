"""First start of a real deployment: the organisation of a preset and the three administrators (三员分立).

No superuser is ever needed: the system administrator maintains users, departments, the calendar, rules and API
clients; the security administrator grants roles and permissions; the auditor reads the audit trail. Each gets a
random initial password, printed once, to be changed at first login, where they also enrol their authenticator
(two-factor authentication is compulsory for administrators)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casework.accounts.services import require_password_change
from casework.errors import DomainError
from casework.org.models import Department, Membership
from casework.org.services import add_membership, load_org_preset
from casework.presets import PRESETS

DUTIES = (("admin", Membership.Role.ADMIN), ("security_admin", Membership.Role.SECURITY_ADMIN),
          ("auditor", Membership.Role.AUDITOR))


class Command(BaseCommand):
    help = ("首次部署：载入预设的单位和时限规则，创建系统管理员、安全管理员、安全审计员（三员分立，不使用超级用户）。"
            "初始密码只显示一次，首次登录须修改密码并绑定身份验证器。")

    def add_arguments(self, parser):
        parser.add_argument("--preset", required=True, choices=PRESETS, help="单位和时限规则预设")
        parser.add_argument("--department", default="", help="三员所在单位代码；默认为预设的综合监管办公室")
        parser.add_argument("--admin", required=True, help="系统管理员的用户名")
        parser.add_argument("--security-admin", required=True, help="安全管理员的用户名")
        parser.add_argument("--auditor", required=True, help="安全审计员的用户名")

    def handle(self, *args, preset, department, **opts):
        names = [opts[key] for key, _ in DUTIES]
        if len(set(names)) != len(names):
            raise CommandError("三员分立：系统管理员、安全管理员、安全审计员须为三个不同的用户")
        User = get_user_model()
        taken = [n for n in names if User.objects.filter(username=n).exists()]
        if taken:
            raise CommandError(f"用户名已存在：{'、'.join(taken)}"
                               "（本命令只创建新用户；已有用户的职责请在管理后台调整）")
        created = []
        try:
            with transaction.atomic():
                departments = load_org_preset(preset=preset)
                office = self._office(departments, department)
                for key, duty in DUTIES:
                    password = secrets.token_urlsafe(12)
                    user = User(username=opts[key], first_name=Membership.Role(duty).label)
                    user.set_password(password)
                    user.full_clean(exclude=["password"])
                    user.save()
                    add_membership(user=user, department=office, role=duty)
                    require_password_change(actor=None, user=user)
                    created.append((user.username, Membership.Role(duty).label, password))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:  # a bad username names what is wrong
            raise CommandError(f"用户名不合法：{'；'.join(sum(exc.message_dict.values(), []))}") from exc
        out = self.stdout.write
        out(f"已载入预设 {preset}：{len(departments)} 个单位；三员所在单位：{office.name}（{office.code}）")
        for username, label, password in created:
            out(f"{label}\t{username}\t初始密码：{password}")
        out("初始密码只显示这一次。首次登录须修改密码，并用身份验证器（TOTP）绑定双因素认证。")

    def _office(self, departments, code) -> Department:
        if code:
            office = Department.objects.filter(code=code).first()
            if office is None:
                raise CommandError(f"单位代码“{code}”不存在")
            return office
        office = next((d for d in departments if d.is_supervision_office and d.jurisdiction.parent_id is None), None)
        office = office or next((d for d in departments if d.is_supervision_office), None)
        if office is None:
            raise CommandError("预设中没有综合监管办公室，请用 --department 指定三员所在单位")
        return office
