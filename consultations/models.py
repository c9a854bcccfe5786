"""Consultations (会商 / 联席会议): the jurisdiction's consultation mechanism, its member units and their
contacts, regular and ad-hoc meetings with invitations, agenda, minutes and decisions, matters escalated to
the government, and draft rules circulated to the member units for comments.

Sources: Luoyang 一 and 四(三); Pingdingshan 二(一); Hegang 一; Weihai (一)(二); Zengdu 第五、六条."""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from casework.org.models import Department, Jurisdiction


class Mechanism(models.Model):
    """One jurisdiction's consultation mechanism, led by its supervision office (the DRC)."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.PROTECT, related_name="consultation_mechanism",
                                        verbose_name="行政区域")
    name = models.CharField("机制名称", max_length=128)
    lead = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="led_mechanisms",
                             verbose_name="牵头部门")
    basis = models.CharField("依据", max_length=255, blank=True)
    established_on = models.DateField("建立日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会商机制"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consultations:mechanism", args=[self.pk])

    @property
    def government_name(self) -> str:
        """The jurisdiction's people's government, by name (a district under its city: 随州市曾都区人民政府)."""
        j = self.jurisdiction
        below_city = j.level in (Jurisdiction.Level.DISTRICT, Jurisdiction.Level.COUNTY)
        prefix = j.parent.name if below_city and j.parent else ""
        return f"{prefix}{j.name}人民政府"


class ContactRole(models.TextChoices):
    LEADER = "leader", "责任领导"
    LIAISON = "liaison", "联络员"


class Member(models.Model):
    """A member unit with its responsible leader (分管领导) and liaison (联络员) (Hegang 一(二))."""

    class Via(models.TextChoices):
        FOUNDING = "founding", "机制建立时确定"
        APPLICATION = "application", "申请加入"

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="members")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consultation_memberships",
                                   verbose_name="成员单位")
    is_lead = models.BooleanField("牵头部门", default=False)
    joined_on = models.DateField("加入日期")
    joined_via = models.CharField("加入方式", max_length=16, choices=Via.choices, default=Via.FOUNDING)
    leader_name = models.CharField("责任领导", max_length=32, blank=True)
    leader_post = models.CharField("责任领导职务", max_length=64, blank=True)
    leader_phone = models.CharField("责任领导电话", max_length=32, blank=True)
    liaison_name = models.CharField("联络员", max_length=32, blank=True)
    liaison_post = models.CharField("联络员职务", max_length=64, blank=True)
    liaison_phone = models.CharField("联络员电话", max_length=32, blank=True)
    contacts_updated_at = models.DateTimeField("人员信息更新时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "成员单位"
        ordering = ["-is_lead", "department__code"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "department"], name="consultation_member_once")]

    def __str__(self):
        return self.department.name

    def get_absolute_url(self):
        return reverse("consultations:members", args=[self.mechanism_id]) + f"#member-{self.pk}"

    def contact(self, role: str) -> dict:
        return {"name": getattr(self, f"{role}_name"), "post": getattr(self, f"{role}_post"),
                "phone": getattr(self, f"{role}_phone")}


class ContactChange(models.Model):
    """A change of a member unit's responsible leader or liaison, reported to the lead department within
    3 working days of the change (Hegang 一(二); rule consultation.member_change_report). The lead department may
    note a change it learnt of first: the member's clock then runs until the unit reports."""

    class Status(models.TextChoices):
        PENDING = "pending", "待报送"
        REPORTED = "reported", "已报送"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="changes")
    role = models.CharField("人员", max_length=16, choices=ContactRole.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    changed_on = models.DateField("调整确定日期")
    old_name = models.CharField("原人员", max_length=32, blank=True)
    old_post = models.CharField("原职务", max_length=64, blank=True)
    old_phone = models.CharField("原电话", max_length=32, blank=True)
    name = models.CharField("新人员", max_length=32, blank=True)
    post = models.CharField("新职务", max_length=64, blank=True)
    phone = models.CharField("新电话", max_length=32, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "成员单位人员变动"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "role"], condition=models.Q(status="pending"),
                                               name="consultation_one_pending_change")]

    def __str__(self):
        return f"{self.member.department.display_name}{self.get_role_display()}变动（{self.changed_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("consultations:members", args=[self.member.mechanism_id]) + f"#member-{self.member_id}"


class Application(models.Model):
    """A department not yet a member applies to join (Hegang 一(二)); the lead department decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意"
        DECLINED = "declined", "未同意"

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="applications")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="申请单位")
    reason = models.TextField("申请理由")
    leader_name = models.CharField("责任领导", max_length=32)
    leader_post = models.CharField("责任领导职务", max_length=64)
    leader_phone = models.CharField("责任领导电话", max_length=32)
    liaison_name = models.CharField("联络员", max_length=32)
    liaison_post = models.CharField("联络员职务", max_length=64)
    liaison_phone = models.CharField("联络员电话", max_length=32)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField("申请时间")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reasons = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "加入申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "department"],
                                               condition=models.Q(status="pending"),
                                               name="consultation_one_pending_application")]

    def __str__(self):
        return f"{self.department.name}申请加入{self.mechanism.name}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end."""
    m0 = day.month - 1 + months
    year, month = day.year + m0 // 12, m0 % 12 + 1
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (first_next - dt.timedelta(days=1)).day))


class RegularPeriod(models.Model):
    """One period of the regular-meeting cadence (rule consultation.regular_meeting, in months): its clock runs
    for the lead department from the period's start; holding a regular meeting completes it."""

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="periods")
    starts_on = models.DateField("周期开始")
    months = models.PositiveSmallIntegerField("周期（月）")
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="periods",
                                verbose_name="召开的例会")

    class Meta:
        verbose_name = verbose_name_plural = "例会周期"
        ordering = ["starts_on"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "starts_on"], name="consultation_period_once")]

    def __str__(self):
        return f"{self.label}例会"

    def get_absolute_url(self):
        return reverse("consultations:mechanism", args=[self.mechanism_id]) + "#periods"

    @property
    def ends_on(self) -> dt.date:
        """The period's last day (the next period starts the day after)."""
        return add_months(self.starts_on, self.months) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        start, n = self.starts_on, self.months
        if start.day == 1 and n == 12 and start.month == 1:
            return f"{start.year}年度"
        if start.day == 1 and n == 6 and start.month in (1, 7):
            return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
        if start.day == 1 and n == 3 and start.month in (1, 4, 7, 10):
            return f"{start.year}年第{'一二三四'[(start.month - 1) // 3]}季度"
        end = self.ends_on
        return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "定期会商会议（例会）"
        AD_HOC = "ad_hoc", "专题会商会议"

    class Scope(models.TextChoices):
        MULTILATERAL = "multilateral", "多方联席会议"
        BILATERAL = "bilateral", "双方联席会议"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "已发通知"
        HELD = "held", "已召开"
        MINUTES_ISSUED = "minutes_issued", "纪要已印发"
        CANCELLED = "cancelled", "已取消"

    mechanism = models.ForeignKey(Mechanism, verbose_name="会商机制", on_delete=models.PROTECT, related_name="meetings")
    reference = models.CharField("编号", max_length=32, unique=True)
    submission_key = models.CharField("提交幂等键", max_length=64, unique=True, null=True, blank=True, editable=False)
    kind = models.CharField("会议类型", max_length=16, choices=Kind.choices)
    scope = models.CharField("形式", max_length=16, choices=Scope.choices, default=Scope.MULTILATERAL)
    convener = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="convened_meetings",
                                 verbose_name="发起部门")
    title = models.CharField("会议主题", max_length=200)
    purpose = models.TextField("会议内容", blank=True)
    place = models.CharField("地点", max_length=200)
    starts_at = models.DateTimeField("会议时间")
    reply_due_on = models.DateField("答复期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    chair = models.CharField("主持人", max_length=64, blank=True)
    held_at = models.DateTimeField("召开时间", null=True, blank=True)
    summary = models.TextField("会议情况", blank=True)
    minutes_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="会议纪要")
    cancel_reason = models.CharField("取消原因", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会商会议"
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("consultations:meeting", args=[self.pk])

    @property
    def letter_label(self) -> str:
        return f"{self.title}（{self.reference}）"

    @property
    def kind_phrase(self) -> str:
        """How a letter names the meeting: 定期会商会议 / 多方联席会议 / 双方联席会议."""
        return "定期会商会议" if self.kind == self.Kind.REGULAR else self.get_scope_display()

    # What the minutes set out (templates/letters/minutes.html reads these).
    def adopted_agenda(self):
        return self.agenda.filter(status=AgendaItem.Status.ADOPTED)

    def attendance(self) -> tuple[list, list, list]:
        """(present, declined, absent) invitations, the convener first."""
        invitations = list(self.invitations.select_related("department"))
        present = [i for i in invitations if i.present]
        declined = [i for i in invitations if not i.present and i.reply == Invitation.Reply.DECLINED]
        absent = [i for i in invitations if not i.present and i.reply != Invitation.Reply.DECLINED]
        return present, declined, absent

    def decisions_in_force(self):
        return self.decisions.exclude(status=Decision.Status.WITHDRAWN).select_related("owner").order_by("id")


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确定"
        ADOPTED = "adopted", "列入议程"
        DECLINED = "declined", "未列入议程"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    title = models.CharField("议题", max_length=200)
    description = models.TextField("说明", blank=True)
    proposed_by = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="提出单位")
    proposed_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    decline_reason = models.CharField("未列入理由", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议议题"
        ordering = ["proposed_at", "id"]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """One unit's place at a meeting: the invitation, its reply (who will attend) and who actually came.
    The convener has one too (no reply clock), so attendance reads the same for every unit."""

    class Reply(models.TextChoices):
        PENDING = "pending", "待答复"
        ATTENDING = "attending", "参加"
        DECLINED = "declined", "不参加"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    is_convener = models.BooleanField("发起部门", default=False)
    reply = models.CharField("答复", max_length=16, choices=Reply.choices, default=Reply.PENDING)
    attendees = models.JSONField("拟参会人员", default=list, blank=True)
    decline_reason = models.CharField("不参加理由", max_length=255, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    present = models.JSONField("实到人员", default=list, blank=True)
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "会议邀请"
        ordering = ["-is_convener", "department__code"]
        constraints = [models.UniqueConstraint(fields=["meeting", "department"], name="consultation_invite_once")]

    def __str__(self):
        return f"{self.meeting.title}：{self.department.display_name}参会答复"

    def get_absolute_url(self):
        return reverse("consultations:meeting", args=[self.meeting_id]) + f"#invitation-{self.pk}"


class Escalation(models.Model):
    """A matter the meeting could not agree on, submitted to the people's government for decision by a report
    (Zengdu 第六条: 联席会议无法达成一致意见的，提交区政府决定), and the government's decision once it is known."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提请政府决定"
        DECIDED = "decided", "政府已决定"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="escalations")
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    matter = models.CharField("事项", max_length=200)
    positions = models.TextField("各方意见")
    government_name = models.CharField("报送机关", max_length=128)
    government = models.ForeignKey("casework.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="报送机关（平台单位）",
                                   help_text="报送的人民政府在平台内的单位：其人员收到通知、查阅报告和会议，并由其记录政府决定。")
    report_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="情况报告")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField("提请时间")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.TextField("政府决定", blank=True)
    decision_doc_number = models.CharField("决定文号", max_length=64, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提请政府决定事项"
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"提请{self.government_name}决定：{self.matter}"

    def get_absolute_url(self):
        return reverse("consultations:meeting", args=[self.meeting_id]) + f"#escalation-{self.pk}"

    @property
    def letter_label(self) -> str:
        return f"{self.meeting.title}（{self.meeting.reference}）"


class Decision(models.Model):
    """A decided item (议定事项) with its owning unit and due date; the owner reports progress and the result
    (rule consultation.decision, due_on = the date the meeting set)."""

    class Status(models.TextChoices):
        OPEN = "open", "落实中"
        DONE = "done", "已落实"
        WITHDRAWN = "withdrawn", "已撤回"

    class Source(models.TextChoices):
        MEETING = "meeting", "会议议定"
        GOVERNMENT = "government", "政府决定"

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="decisions")
    reference = models.CharField("编号", max_length=32, unique=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.MEETING)
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="议题")
    escalation = models.ForeignKey(Escalation, verbose_name="提请事项", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="decisions")
    text = models.TextField("议定事项")
    owner = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consultation_decisions",
                              verbose_name="责任单位")
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    result = models.TextField("落实结果", blank=True)
    completed_at = models.DateTimeField("落实时间", null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="落实人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawn_reason = models.CharField("撤回理由", max_length=255, blank=True)
    clock = models.ForeignKey("casework.Clock", verbose_name="时限",
                              null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "议定事项"
        ordering = ["due_on", "id"]

    def __str__(self):
        from casework.privacy import mask_text  # a title anywhere (the admin, a log) carries no personal data

        text = mask_text(self.text)
        text = text if len(text) <= 40 else text[:40] + "…"
        return f"{self.reference} {text}"

    def get_absolute_url(self):
        return reverse("consultations:decision", args=[self.pk])


class Progress(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="progress")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("进展情况")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "落实进展"
        ordering = ["created_at", "id"]


class FollowUp(models.Model):
    """What a decision started in one step: a referral (a clue transferred with its 移送函) or a joint action."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "移送线索"
        JOINT_ACTION = "joint_action", "联合执法/检查"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    label = models.CharField("名称", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "后续行动"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "target_type", "target_id"],
                                               name="consultation_followup_once")]


class Solicitation(models.Model):
    """A draft policy, trading rule or on-site management rule circulated to member units for comments by a
    deadline, with its 征求意见函 (Luoyang 四(三)); then the final text and its filing with the DRC."""

    class Kind(models.TextChoices):
        POLICY = "policy", "公共资源交易相关制度"
        TRADING_RULE = "trading_rule", "监管制度、交易规则或交易范本"
        SITE_RULE = "site_rule", "交易现场管理制度"

    class Status(models.TextChoices):
        OPEN = "open", "征求意见中"
        FINAL = "final", "已定稿"

    mechanism = models.ForeignKey(Mechanism, verbose_name="会商机制",
                                  on_delete=models.PROTECT, related_name="solicitations")
    reference = models.CharField("编号", max_length=32, unique=True)
    submission_key = models.CharField("提交幂等键", max_length=64, unique=True, null=True, blank=True, editable=False)
    initiator = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="起草单位")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    title = models.CharField("文件名称", max_length=200)
    draft_text = models.TextField("征求意见稿")
    deadline = models.DateField("反馈期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="征求意见函")
    final_text = models.TextField("定稿", blank=True)
    adoption_note = models.TextField("意见采纳情况", blank=True)
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="定稿人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.reference}《{self.title}》"

    def get_absolute_url(self):
        return reverse("consultations:solicitation", args=[self.pk])

    @property
    def letter_label(self) -> str:
        return f"《{self.title}》（征求意见稿）"

    def draft_paragraphs(self) -> list[str]:
        """The draft as the letter's attachment sets it: one paragraph a line."""
        return [line.strip() for line in self.draft_text.splitlines() if line.strip()]


class CommentReply(models.Model):
    """One member unit's reply to a solicitation; "no comments" counts (rule consultation.rule_comments)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待反馈"
        REPLIED = "replied", "已反馈"
        LAPSED = "lapsed", "逾期未反馈"

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    no_comments = models.BooleanField("无意见", default=False)
    comments = models.TextField("意见", blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    clock = models.ForeignKey("casework.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "反馈意见"
        ordering = ["department__code"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "department"], name="consultation_reply_once")]

    def __str__(self):
        return f"{self.department.display_name}对《{self.solicitation.title}》的意见"

    def get_absolute_url(self):
        return reverse("consultations:solicitation", args=[self.solicitation_id]) + f"#reply-{self.pk}"


class Filing(models.Model):
    """The final text filed with or copied to a department (报发展改革部门备案 / 抄送) (Luoyang 四(三))."""

    class Kind(models.TextChoices):
        FILING = "filing", "报备案"
        COPY = "copy", "抄送"

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="filings")
    kind = models.CharField("方式", max_length=16, choices=Kind.choices)
    to_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                      verbose_name="备案/抄送单位")
    filed_on = models.DateField("报送日期")
    doc_number = models.CharField("发布文号", max_length=64)
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "备案抄送记录"
        ordering = ["filed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "to_department", "kind"],
                                               name="consultation_filing_once")]
