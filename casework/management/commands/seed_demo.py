import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casework.calendar.services import get_calendar
from casework.clocks.timing import SHANGHAI
from casework.handoffs.models import Handoff
from casework.handoffs.services import send_handoff
from casework.org.models import ApiClient, Department, Membership
from casework.org.services import (
    add_membership,
    create_api_client,
    load_org_preset,
    rotate_api_client_token,
)
from casework.presets import PRESETS

DEMO_PASSWORD = "demo-2026!"
ROLES = [Membership.Role.HANDLER, Membership.Role.LEADER, Membership.Role.LIAISON]


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）：单位、每单位每角色一名用户、交易中心的接口客户端、演示事项。"

    def add_arguments(self, parser):
        parser.add_argument("--preset", default="luoyang", choices=PRESETS)
        parser.add_argument("--allow-production", action="store_true",
                            help="在 DEBUG 关闭时仍然执行（演示密码是公开的，请勿用于生产）")

    def handle(self, *args, preset, allow_production, **opts):
        if not settings.DEBUG and not allow_production:
            raise CommandError("演示数据使用公开密码，DEBUG 关闭时须加 --allow-production 才能执行")
        with transaction.atomic():
            departments = load_org_preset(preset=preset)
            logins = self._users(departments)
            token, client_name = self._api_client(departments, preset)
            created = self._demo_items(departments, preset)
        self._print(preset, logins, client_name, token, created)

    def _users(self, departments):
        User = get_user_model()
        logins = []
        for dept in departments:
            roles = list(ROLES)
            if dept.is_supervision_office:
                roles += [Membership.Role.SUPERVISOR, Membership.Role.ADMIN]
            for role in roles:
                username = f"{dept.code.lower()}.{role}"
                user, created = User.objects.get_or_create(username=username, defaults={
                    "first_name": f"{dept.display_name}{Membership.Role(role).label}",
                    "email": f"{username}@demo.invalid"})
                if created:
                    user.set_password(DEMO_PASSWORD)
                if role == Membership.Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                user.save()
                add_membership(user=user, department=dept, role=role)
                logins.append((dept, role, username))
        return logins

    def _api_client(self, departments, preset):
        centre = next(d for d in departments if d.type == Department.Type.TRADING_CENTRE)
        name = f"{preset}-trading-monitor"
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            client, token = create_api_client(name=name, department=centre)
        else:
            token = rotate_api_client_token(client=client)
        return token, name

    def _demo_items(self, departments, preset):
        """A few handoffs at different points of their clocks, so the workbench has colour."""
        by_type = {}
        for d in departments:
            by_type.setdefault(d.type, d)
        centre, housing = by_type["trading_centre"], by_type["housing"]
        transport, police = by_type["transport"], by_type["police"]
        if Handoff.objects.filter(sender__in=departments).exists():
            return 0
        User = get_user_model()
        cal, today = get_calendar(), timezone.localdate()

        def working_days_ago(n):
            day = today
            for _ in range(n):
                day -= dt.timedelta(days=1)
                while not cal.is_workday(day):
                    day -= dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)

        items = [
            (centre, housing, "clue_referral", "某污水处理厂项目：投标人报价呈规律性差异", 10),
            (centre, housing, "clue_referral", "某中学教学楼工程：多家投标人标书特征码一致（疑似围标）", 6),
            (centre, transport, "clue_referral", "某国道养护工程：评标回退记录异常", 2),
            (centre, housing, "clue_referral", "某保障房项目：投标人关联关系预警", 0),
            (housing, police, "case_transfer", "某市政道路工程串通投标案（涉嫌犯罪）移送", 1),
        ]
        for sender, receiver, kind, title, ago in items:
            actor = User.objects.get(username=f"{sender.code.lower()}.handler")
            send_handoff(actor=actor, kind=kind, title=title, sender=sender, receiver=receiver,
                         rule_key="referral.return", sent_at=working_days_ago(ago),
                         description="演示数据。交易中心监测系统预警，请审查材料：不属于本部门职责的，"
                                     "应在时限内书面说明理由退回。")
        return len(items)

    def _print(self, preset, logins, client_name, token, created):
        out = self.stdout.write
        out(f"演示数据已就绪（预设：{preset}）。所有演示用户的密码：{DEMO_PASSWORD}")
        out(f"{'用户名':<28}角色\t单位")
        for dept, role, username in logins:
            out(f"{username:<30}{Membership.Role(role).label}\t{dept.name}")
        if created:
            out(f"已创建 {created} 个演示移交事项。")
        out(f"交易中心接口客户端 {client_name} 的令牌（每次执行本命令都会更换）：")
        out(token)
