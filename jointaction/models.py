"""Assistance letters (协助办理) and joint enforcement / joint inspection (联合执法 / 联合检查).

An assistance request is one hand-over (casework.handoffs) with its letter's required contents. A joint action
is a plan settled between an initiator and its participants, version by version, then findings recorded by
each participant under its own duty, one public notice and one consistent report upward.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from casework.handoffs.models import Handoff
from casework.org.models import Department


class AssistanceRequest(models.Model):
    """协助办理函: a department handling a case asks another organ to assist (Luoyang 五(二); Weihai (十七);
    Zengdu 第十六、十七条)."""

    class State(models.TextChoices):
        SENT = "sent", "待审查"
        ASSISTING = "assisting", "协助办理中"
        RETURNED = "returned", "已退回"
        COMPLETED = "completed", "已反馈结果"

    OPEN_STATES = (State.SENT, State.ASSISTING)

    handoff = models.OneToOneField(Handoff, on_delete=models.PROTECT, related_name="assistance")
    requester = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="请求单位")
    assistant = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="协助单位")
    case_name = models.CharField("案件名称", max_length=200)
    case_summary = models.TextField("案件基本情况")
    matters = models.TextField("需要协助办理的事项")
    reasons = models.TextField("请求协助的理由")
    materials = models.JSONField("有关材料", default=list)
    reply_by = models.DateField("请求反馈期限", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SENT)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    # SHA-256 of what was asked (parties, contents, listed materials, reply date): the same key again with other
    # contents is a conflict, not a silent answer with the first letter.
    payload_hash = models.CharField(max_length=64, blank=True, editable=False)
    request_letter = models.ForeignKey("casework.Letter", null=True, on_delete=models.PROTECT, related_name="+")
    return_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    result_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    accepted_at = models.DateTimeField("决定协助时间", null=True, blank=True)
    return_reasons = models.TextField("退回理由", blank=True)
    result = models.TextField("协助办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "协助办理"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.reference} {self.case_name}"

    def get_absolute_url(self):
        return reverse("jointaction:assistance", args=[self.pk])

    @property
    def reference(self) -> str:
        return self.handoff.reference

    @property
    def letter_label(self) -> str:
        return f"{self.reference}（{self.case_name}）"

    @property
    def letters(self) -> list:
        return [x for x in (self.request_letter, self.return_letter, self.result_letter) if x]


class Trigger(models.TextChoices):
    """Why a joint action is started (Zengdu 第十八条; Weihai (十五))."""

    SHARED_JURISDICTION = "shared_jurisdiction", "多个部门均有管辖权"
    CROSS_REGION = "cross_region", "涉及跨区域、跨行业"
    OVERLAPPING_DUTIES = "overlapping_duties", "处理职责或边界存在交叉"
    SERIOUS = "serious", "情况复杂、涉及面广或情节严重"
    CAMPAIGN = "campaign", "特定区域或领域专项治理"
    OTHER = "other", "其他需要联合执法、联合检查的情形"


class JointAction(models.Model):
    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "联合执法"
        INSPECTION = "inspection", "联合检查"

    class State(models.TextChoices):
        DRAFT = "draft", "起草方案"
        CONSULTING = "consulting", "方案会签中"
        SETTLED = "settled", "方案已确定，实施中"
        CONCLUDED = "concluded", "实施结束"
        PUBLISHED = "published", "已统一公布"

    reference = models.CharField("编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    initiator = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="initiated_actions",
                                  verbose_name="发起部门")
    trigger = models.CharField("发起情形", max_length=32, choices=Trigger.choices)
    trigger_note = models.TextField("情形说明", blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    # Where the action came from (a consultation decision, a complaint...): kept as a link, not a dependency.
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    origin_id = models.CharField(max_length=64, blank=True)
    origin_label = models.CharField("来源", max_length=200, blank=True)
    origin_url = models.CharField(max_length=300, blank=True)
    settled_version = models.ForeignKey("PlanVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="确定的方案")
    settled_at = models.DateTimeField("方案确定时间", null=True, blank=True)
    ended_at = models.DateTimeField("实施结束时间", null=True, blank=True)
    summary = models.TextField("总体情况", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    public_text = models.TextField("公告正文", blank=True)
    notice_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    report_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合执法与联合检查"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["origin_type", "origin_id"], name="jointaction_once_per_origin",
                                               condition=~models.Q(origin_id=""))]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("jointaction:action", args=[self.pk])

    @property
    def letter_label(self) -> str:
        return f"{self.reference}（{self.title}）"

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class Participant(models.Model):
    """A department taking part: invited, comments on or confirms each plan version, names its staff."""

    class Reply(models.TextChoices):
        PENDING = "pending", "待答复"
        COMMENTED = "commented", "提出修改意见"
        CONFIRMED = "confirmed", "已确认"

    action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="participants")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="参与部门")
    reply = models.CharField("答复", max_length=16, choices=Reply.choices, default=Reply.PENDING)
    replied_version = models.PositiveIntegerField("答复的方案版本", null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    staff = models.JSONField("选派人员", default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["action", "department"], name="participant_once")]

    def __str__(self):
        return f"{self.action.reference} · {self.department.display_name}"


class PlanVersion(models.Model):
    """One version of the plan (Zengdu 第十九条; Weihai (十六)): every version is kept."""

    FIELDS = (("purpose", "目的"), ("targets", "对象"), ("scope", "范围"), ("content", "内容"),
              ("schedule", "时间"), ("method", "方式"), ("steps", "步骤"))

    action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    purpose = models.TextField("目的")
    targets = models.TextField("对象")
    scope = models.TextField("范围")
    content = models.TextField("内容")
    schedule = models.CharField("时间", max_length=200)
    method = models.TextField("方式")
    steps = models.TextField("步骤")
    duties = models.JSONField("职责分工", default=dict)  # department code -> duties
    initiator_staff = models.JSONField("发起部门人员", default=list)
    reply_by = models.DateField("答复期限")
    change_note = models.CharField("修改说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "number"]
        constraints = [models.UniqueConstraint(fields=["action", "number"], name="planversion_unique_number")]

    def __str__(self):
        return f"{self.action.reference} 方案第{self.number}版"

    def field_rows(self):
        return [(label, getattr(self, name)) for name, label in self.FIELDS]


class PlanReply(models.Model):
    """A participant's answer to one version: comments, or confirmation with the staff it sends."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField("确认")
    comment = models.TextField("意见", blank=True)
    staff = models.JSONField("选派人员", default=list, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField()

    class Meta:
        ordering = ["replied_at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "department"], name="planreply_once")]


class Finding(models.Model):
    """A violation found, recorded by the participant whose duty it is, and handled (or referred) by it."""

    class Handling(models.TextChoices):
        OWN_DUTY = "own_duty", "本部门依法处理"
        REFERRED = "referred", "移送其他机关"

    action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="findings")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="处理部门")
    target = models.CharField("检查对象", max_length=200)
    project_code = models.CharField("项目编号", max_length=64, blank=True)
    description = models.TextField("发现的问题")
    handling = models.CharField("处理方式", max_length=16, choices=Handling.choices)
    measures = models.TextField("处理措施", blank=True)
    clue = models.ForeignKey("referrals.Clue", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="移送线索")
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.action.reference} · {self.target}"

    def get_absolute_url(self):
        return f"{self.action.get_absolute_url()}#finding-{self.pk}"
