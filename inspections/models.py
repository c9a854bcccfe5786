"""双随机一公开 (Hegang 三; Zengdu 第二十一条; Pingdingshan 18): the enforcement staff pool, the inspection-object
directory, inspection items, plans with their recorded random draws, and the results per target."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from casework.org.models import Department
from casework.trading import TradingField


class Speciality(models.TextChoices):
    """业务专长: how the staff pool is classified (Hegang 三(一): 按执法资质、业务专长进行分类)."""

    HOUSING = "housing", "房屋建筑和市政工程"
    TRANSPORT = "transport", "交通运输工程"
    WATER = "water", "水利工程"
    PROCUREMENT = "procurement", "政府采购"
    PROPERTY_RIGHTS = "property_rights", "产权交易"
    LAND_MINING = "land_mining", "土地和矿业权出让"
    AGENCY = "agency", "招标代理"
    EVALUATION = "evaluation", "评标评审"


class RiskLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Inspector(models.Model):
    """A person in the enforcement staff pool (执法人员库), kept by their own department."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="inspectors",
                                   verbose_name="所在单位")
    name = models.CharField("姓名", max_length=50)
    certificate_number = models.CharField("执法证号", max_length=32, unique=True)
    certificate_expires_on = models.DateField("执法证有效期至")
    specialities = models.JSONField("业务专长", default=list)
    active = models.BooleanField("在库", default=True)
    # Declared links (申报的利害关系): firms the person is related to, [{"name": ..., "uscc": ...}].
    declared_links = models.JSONField("申报关联企业", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"
        ordering = ["department__code", "name", "id"]

    def __str__(self):
        return f"{self.name}（{self.department.display_name}）"

    @property
    def speciality_labels(self) -> list[str]:
        labels = dict(Speciality.choices)
        return [labels.get(s, s) for s in self.specialities]


class Project(models.Model):
    """An entry of the inspection-object directory (检查对象名录库): a project that finished tendering.
    Credit standing is not stored: it is read from the credit app when needed."""

    class Source(models.TextChoices):
        API = "api", "接口推送"
        CSV = "csv", "批量导入"
        FORM = "form", "页面登记"

    project_code = models.CharField("项目编号", max_length=64, unique=True)
    name = models.CharField("项目名称", max_length=200)
    trading_field = models.CharField("交易领域", max_length=32, choices=TradingField.choices)
    supervising_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                               verbose_name="行政监督部门")
    tender_completed_on = models.DateField("完成招投标日期")
    contract_amount = models.DecimalField("中标金额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    risk_level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    risk_reason = models.CharField("风险等级依据", max_length=200, blank=True)
    tenderer_name = models.CharField("招标人", max_length=200)
    tenderer_uscc = models.CharField("招标人统一社会信用代码", max_length=18)
    winner_name = models.CharField("中标人", max_length=200)
    winner_uscc = models.CharField("中标人统一社会信用代码", max_length=18)
    agency_name = models.CharField("招标代理机构", max_length=200, blank=True)
    agency_uscc = models.CharField("招标代理机构统一社会信用代码", max_length=18, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    payload_hash = models.CharField(max_length=64, editable=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                              verbose_name="登记单位")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查对象"
        ordering = ["-tender_completed_on", "project_code"]
        indexes = [models.Index(fields=["tender_completed_on", "supervising_department"], name="insp_project_scope")]

    def __str__(self):
        return f"{self.name}（{self.project_code}）"

    @property
    def parties(self) -> list[tuple[str, str, str]]:
        """(role, name, USCC) of the tenderer, the winning bidder and the agency."""
        rows = [("招标人", self.tenderer_name, self.tenderer_uscc), ("中标人", self.winner_name, self.winner_uscc)]
        if self.agency_name:
            rows.append(("招标代理机构", self.agency_name, self.agency_uscc))
        return rows


class Item(models.Model):
    """An inspection item (抽查事项): what is checked, on what basis, how. Public once created."""

    class Method(models.TextChoices):
        DOCUMENTS = "documents", "书面检查"
        ON_SITE = "on_site", "实地核查"
        ONLINE = "online", "网络监测"
        ELECTRONIC = "electronic", "电子化检查"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="实施部门")
    title = models.CharField("抽查事项", max_length=200)
    trading_field = models.CharField("交易领域", max_length=32, choices=TradingField.choices)
    content = models.TextField("检查内容")
    legal_basis = models.TextField("检查依据")
    method = models.CharField("检查方式", max_length=16, choices=Method.choices)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查事项"
        ordering = ["department__code", "id"]

    def __str__(self):
        return self.title


class Plan(models.Model):
    """An inspection plan (抽查计划) of one supervising department, or a joint one with participants."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        DRAWN = "drawn", "已抽取，检查中"
        ENDED = "ended", "检查结束，待公开结果"
        PUBLISHED = "published", "结果已公开"

    reference = models.CharField("计划编号", max_length=32, unique=True)
    title = models.CharField("计划名称", max_length=200)
    lead_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                        verbose_name="牵头单位")
    participants = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name="参与单位")
    items = models.ManyToManyField(Item, related_name="plans", verbose_name="抽查事项")
    trading_fields = models.JSONField("对象范围：交易领域", default=list, blank=True)
    scope_departments = models.ManyToManyField(Department, blank=True, related_name="+",
                                               verbose_name="对象范围：行政监督部门")
    scope_from = models.DateField("对象范围：完成招投标日期起")
    scope_to = models.DateField("对象范围：完成招投标日期止")
    ratio_high = models.DecimalField("高风险抽查比例（%）", max_digits=5, decimal_places=2)
    ratio_medium = models.DecimalField("中风险抽查比例（%）", max_digits=5, decimal_places=2)
    ratio_low = models.DecimalField("低风险抽查比例（%）", max_digits=5, decimal_places=2)
    # Inspectors per target, by speciality: [{"speciality": "housing", "count": 2}, ...]
    team = models.JSONField("每个检查对象的执法人员", default=list)
    starts_on = models.DateField("检查开始日期")
    ends_on = models.DateField("计划结束日期")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_draw = models.ForeignKey("Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="有效抽取")
    ended_at = models.DateTimeField("检查结束时间", null=True, blank=True)
    published_at = models.DateTimeField("结果公开时间", null=True, blank=True)
    notice_letter = models.ForeignKey("casework.Letter", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="结果公告")
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查计划"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("inspections:plan", args=[self.pk])

    @property
    def is_joint(self) -> bool:
        return self.participants.exists()

    @property
    def ratios(self) -> dict:
        return {"high": self.ratio_high, "medium": self.ratio_medium, "low": self.ratio_low}


class Draw(models.Model):
    """One recorded random draw of a plan: seed, the exact inputs and the result, enough to re-run it.
    A re-draw adds a row with its reason; earlier rows stay, marked superseded."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveIntegerField("第几次抽取")
    algorithm = models.CharField("算法版本", max_length=16)
    seed = models.CharField("随机种子", max_length=64)
    inputs = models.JSONField("抽取输入")
    result = models.JSONField("抽取结果")
    inputs_sha256 = models.CharField(max_length=64)
    result_sha256 = models.CharField(max_length=64)
    reason = models.TextField("重新抽取理由", blank=True)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField("被重新抽取时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽取记录"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="insp_draw_number_once")]

    def __str__(self):
        return f"{self.plan.reference} 第{self.number}次抽取"

    @property
    def record(self) -> dict:
        return {"plan": self.plan.reference, "draw": self.number, "drawn_at": self.drawn_at.isoformat(),
                "seed": self.seed, "inputs": self.inputs, "result": self.result}


class Target(models.Model):
    """An object drawn for inspection, and its result (抽查结果)."""

    class Outcome(models.TextChoices):
        NO_ISSUE = "no_issue", "未发现问题"
        ISSUE_FOUND = "issue_found", "发现问题"
        RECTIFY = "rectify", "责令整改"
        CASE_FILED = "case_filed", "立案查处"
        REFERRED = "referred", "移送有关部门处理"

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="targets")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="targets")
    stratum = models.CharField("抽取时风险层", max_length=8, choices=RiskLevel.choices)
    position = models.PositiveIntegerField()
    outcome = models.CharField("检查结果", max_length=16, choices=Outcome.choices, blank=True)
    findings = models.TextField("发现的问题", blank=True)
    follow_up = models.TextField("后续处理", blank=True)
    recorded_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽查对象"
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "project"], name="insp_target_once")]

    def __str__(self):
        return f"{self.project.name}（{self.project.project_code}）"


class TeamMember(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="team")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    speciality = models.CharField("抽取专长", max_length=32, choices=Speciality.choices)
    position = models.PositiveIntegerField()
    # A drawn inspector who cannot serve (illness, a conflict found later) is replaced without a re-draw: the
    # row stays, marked replaced, and the replacement is drawn by lottery from the same record (see services).
    replaced_at = models.DateTimeField("被替换时间", null=True, blank=True)
    replaced_reason = models.TextField("替换理由", blank=True)
    replaces = models.OneToOneField("self", verbose_name="替换的人员", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replacement")
    lottery = models.CharField("替换抽签号", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查组成员"
        ordering = ["target", "position"]
        constraints = [models.UniqueConstraint(fields=["target", "inspector"], name="insp_member_once")]
