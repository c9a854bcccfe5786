import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casework.accounts.services import base32_key, new_recovery_codes, require_password_change
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
            created += self._demo_clues(departments)
            created += self._demo_complaint_and_credit(departments)
        # The other mechanisms keep their demo data next to their code (<app>/demo.py), idempotent too.
        from consultations import demo as consultations_demo
        from credit import demo as credit_demo
        from inspections import demo as inspections_demo
        from jointaction import demo as jointaction_demo
        from referrals import demo as referrals_demo
        from risk import demo as risk_demo
        from supervision import demo as supervision_demo

        for demo in (referrals_demo, jointaction_demo, inspections_demo, consultations_demo, credit_demo,
                     risk_demo, supervision_demo):
            with transaction.atomic():
                demo.seed(stdout=self.stdout)
        self._print_two_factor(departments)
        self._print(preset, logins, client_name, token, created, departments)  # the token stays on the last line

    def _print_two_factor(self, departments):
        """Administrators need TOTP (casework.accounts.policy): the demo admin gets an authenticator key and
        fresh recovery codes, printed like the other demo credentials."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        office = next(d for d in departments if d.is_supervision_office)
        admin = get_user_model().objects.get(username=f"{office.code.lower()}.{Membership.Role.ADMIN}")
        with transaction.atomic():
            device = TOTPDevice.objects.filter(user=admin, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=admin, name="演示身份验证器", confirmed=True)
            codes = new_recovery_codes(actor=admin, user=admin)
        out = self.stdout.write
        out(f"管理员 {admin.username} 须双因素认证。"
            f"身份验证器密钥（TOTP，6 位，30 秒，手动输入）：{base32_key(device)}")
        out(f"  otpauth 地址：{device.config_url}")
        out(f"  一次性恢复码（每次执行本命令都会更换）：{' '.join(codes)}")
        out("首次登录的演示用户须先修改初始密码（新密码至少 12 位）。")

    def _users(self, departments):
        User = get_user_model()
        logins = []
        for dept in departments:
            roles = list(ROLES)
            if dept.is_supervision_office:
                # 三员分立: three administrators, none a superuser, none reading case content.
                roles += [Membership.Role.SUPERVISOR, Membership.Role.ADMIN, Membership.Role.SECURITY_ADMIN,
                          Membership.Role.AUDITOR]
            for role in roles:
                username = f"{dept.code.lower()}.{role}"
                user, created = User.objects.get_or_create(username=username, defaults={
                    "first_name": f"{dept.display_name}{Membership.Role(role).label}",
                    "email": f"{username}@demo.invalid"})
                if created:
                    user.set_password(DEMO_PASSWORD)
                user.save()
                if created:  # the public demo password is an initial password: changed at first login
                    require_password_change(actor=None, user=user)
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
        transport = by_type["transport"]
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
        ]
        for sender, receiver, kind, title, ago in items:
            actor = User.objects.get(username=f"{sender.code.lower()}.handler")
            send_handoff(actor=actor, kind=kind, title=title, sender=sender, receiver=receiver,
                         rule_key="referral.return", sent_at=working_days_ago(ago),
                         description="演示数据。交易中心监测系统预警，请审查材料：不属于本部门职责的，"
                                     "应在时限内书面说明理由退回。")
        return len(items)

    def _demo_clues(self, departments):
        """Two real clue referrals through the same services a user would go through: one just
        pushed (awaiting registration), one transferred to the police (their return window running)."""
        from referrals import services as referrals
        from referrals.models import Clue, Matter

        by_type = {}
        for d in departments:
            by_type.setdefault(d.type, d)
        centre, housing, police = by_type["trading_centre"], by_type["housing"], by_type["police"]
        if Clue.objects.filter(source_department=centre, external_id__startswith="DEMO-").exists():
            return 0
        User = get_user_model()
        officer = User.objects.get(username=f"{centre.code.lower()}.handler")
        handler = User.objects.get(username=f"{housing.code.lower()}.handler")
        discovered = timezone.now() - dt.timedelta(hours=20)
        first = referrals.intake_clue(actor=officer, data=referrals.ClueInput(
            external_id="DEMO-1", project_code="DEMO-GC-001", project_name="城区雨污分流改造工程（演示）",
            discovered_at=discovered, signal_type="related_bidders", supervising_department=housing.code,
            summary="演示数据：两家投标人的项目负责人社保缴纳单位相同，疑似关联投标。",
            bidders=[{"name": "演示甲建设有限公司", "uscc": ""}, {"name": "演示乙工程有限公司", "uscc": ""}]))
        second = referrals.intake_clue(actor=officer, data=referrals.ClueInput(
            external_id="DEMO-2", project_code="DEMO-GC-002", project_name="市体育中心改造工程（演示）",
            discovered_at=discovered, signal_type="bid_file_fingerprint", supervising_department=housing.code,
            summary="演示数据：三家投标人的投标文件机器码一致，疑似同一台电脑制作。"))
        # evidence the police can open from the 移送函 page once the clue is transferred
        from django.core.files.uploadedfile import SimpleUploadedFile

        report = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                  b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n"
                  b"%%EOF\n")
        referrals.add_evidence(actor=officer, clue=second.clue,
                               upload=SimpleUploadedFile("投标文件机器码比对报告（演示）.pdf", report))
        referrals.register_clue(actor=handler, clue=second.clue)
        referrals.transfer_clue(actor=handler, clue=second.clue, receivers=[police], matter=Matter.CRIME,
                                legal_basis="《招标投标法》第五十三条、国务院第310号令",
                                materials=["线索摘要及交易记录"])
        return 2 if first.created else 1

    def _demo_complaint_and_credit(self, departments):
        """A complaint waiting for triage and a published penalty with a market ban, so the complaint
        desk, the public lists and the eligibility check have something to show."""
        from casework.validators import uscc_with_check
        from complaints import services as complaints
        from credit import services as credit
        from credit.models import CreditRecord

        housing = next(d for d in departments if d.type == "housing")
        created = 0
        filed = complaints.file_complaint(
            data=complaints.ComplaintInput(
                complainant_type="organisation", complainant_name="演示丁建设有限公司",
                complainant_id_number=uscc_with_check("91410300MA9D0001X"), contact_phone="0379-12345678",
                project_code="DEMO-GC-003", project_name="城市道路照明改造工程（演示）", trading_type="engineering",
                grounds_category="bid_rigging",
                grounds="演示数据：第一、第二中标候选人的投标报价呈规律性差异，疑似串通投标。",
                requested_outcome="请求依法调查并重新评标。", department=housing.code),
            channel="online", submission_key=f"demo:{housing.code}")
        created += filed.created
        person = complaints.file_complaint(
            data=complaints.ComplaintInput(
                complainant_type="person", complainant_name="李演示", complainant_id_number="410423199001011232",
                contact_phone="0379-63218888", contact_email="li.demo@example.invalid",
                project_code="DEMO-GC-004", project_name="老旧小区改造工程（演示）", trading_type="engineering",
                grounds_category="bid_rigging",
                grounds="演示数据：本人李演示（身份证410423199001011232，电话 0379 6321 8888）发现两家投标人"
                        "由同一人联系报名，疑似串通投标。",
                requested_outcome="请求依法调查。", department=housing.code),
            channel="online", submission_key=f"demo-person:{housing.code}")
        created += person.created
        self._clear_for_identity(housing)
        created += self._demo_published_complaint(housing)
        handler = get_user_model().objects.get(username=f"{housing.code.lower()}.handler")
        code = uscc_with_check("91410300MA9D0002X")
        if not CreditRecord.objects.filter(subject__code=code, department=housing).exists():
            firm = credit.ensure_subject(actor=handler, type="enterprise", code=code, name="演示戊建筑工程有限公司")
            today = timezone.localdate()
            credit.record_sanction(
                actor=handler, department=housing, subject=firm, kind="penalty", decision_number="演示罚〔2026〕1号",
                decided_on=today, facts="演示数据：与其他投标人串通投标。",
                legal_basis="《中华人民共和国招标投标法》第五十三条",
                penalty="罚款，取消一年内参加依法必须进行招标项目的投标资格", valid_from=today, serious=True,
                measures=[credit.MeasureInput("market_ban", [], today, today + dt.timedelta(days=365))])
            created += 1
        return created

    def _demo_published_complaint(self, housing):
        """A complaint taken all the way (accepted, decided by the leader, published), so the public portal's
        published outcomes list has a row and shows how the complainant's identity is removed."""
        from complaints import services as complaints
        from complaints.models import Complaint

        filed = complaints.file_complaint(
            data=complaints.ComplaintInput(
                complainant_type="person", complainant_name="王演示", complainant_id_number="410302198805061233",
                contact_phone="0379-65550123", project_code="DEMO-GC-005", project_name="滨河公园景观提升工程（演示）",
                trading_type="engineering", grounds_category="qualification",
                grounds="演示数据：中标候选人的项目经理同时在另一在建项目任职，不符合招标文件要求。",
                requested_outcome="请求取消其中标候选人资格。", department=housing.code, objection_filed=True,
                objection_date=timezone.localdate() - dt.timedelta(days=12),
                objection_reply="招标人答复：项目经理任职情况符合要求。投诉人对答复不满意。"),
            channel="online", submission_key=f"demo-published:{housing.code}")
        complaint = filed.complaint
        if complaint.status != Complaint.Status.SUBMITTED:
            return 0
        User = get_user_model()
        handler = User.objects.get(username=f"{housing.code.lower()}.handler")
        leader = User.objects.get(username=f"{housing.code.lower()}.leader")
        complaint = complaints.accept_complaint(actor=handler, complaint=complaint)
        complaint = complaints.decide_complaint(
            actor=leader, complaint=complaint, outcome=Complaint.Outcome.UPHELD,
            decision="经调查，该项目经理确在另一在建项目任职，投诉成立。责令招标人重新确定中标候选人；"
                     "投诉人王演示的联系电话 0379 6555 0123 不予公开。")
        complaints.publish_decision(actor=leader, complaint=complaint)
        return 1

    def _clear_for_identity(self, department):
        """The security administrator clears the housing bureau's handler and leader to see complainants'
        identity (complaints.view_complainant); nobody else holds it."""
        from django.contrib.auth.models import Permission

        perm = Permission.objects.get(content_type__app_label="complaints", codename="view_complainant")
        for role in (Membership.Role.HANDLER, Membership.Role.LEADER):
            get_user_model().objects.get(username=f"{department.code.lower()}.{role}").user_permissions.add(perm)

    def _print(self, preset, logins, client_name, token, created, departments):
        out = self.stdout.write
        out(f"演示数据已就绪（预设：{preset}）。所有演示用户的密码：{DEMO_PASSWORD}")
        out(f"{'用户名':<28}角色\t单位")
        for dept, role, username in logins:
            out(f"{username:<30}{Membership.Role(role).label}\t{dept.name}")
        office = next(d for d in departments if d.is_supervision_office)
        first = {}
        for d in departments:
            first.setdefault(d.type, d)
        out("推荐从这些账号开始：")
        for dept, role, what in (
                (first["trading_centre"], "handler", "交易中心经办人：推送线索"),
                (first["housing"], "handler", "住建部门经办人：工作台有待办、临期和超期事项"),
                (first["police"], "handler", "公安经办人：有待签收、受理或退回的移送线索"),
                (office, "supervisor", "综合监管办公室监管人员：督办总览"),
                (office, "admin", "系统管理员：/admin/ 用户、单位、工作日历、时限规则、接口客户端（不能查阅案件）"),
                (office, "security_admin", "安全管理员：/admin/ 角色与权限（不能查阅案件）"),
                (office, "auditor", "安全审计员：查阅和核验审计日志（不能查阅案件）"),
                (first["housing"], "leader", "住建部门负责人：受理后作出处理决定、暂停或延长时限、公开结果")):
            out(f"  {dept.code.lower() + '.' + role:<22}{what}")
        if created:
            out(f"已创建 {created} 个演示事项（含问题线索，见“问题线索”页面）。")
        out(f"交易中心接口客户端 {client_name} 的令牌（每次执行本命令都会更换）：")
        out(token)
