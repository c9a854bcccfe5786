from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class Jurisdiction(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        DISTRICT = "district", "区级"
        COUNTY = "county", "县级"

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "行政区域"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def lineage(self) -> list["Jurisdiction"]:
        """This jurisdiction and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Department(models.Model):
    class Type(models.TextChoices):
        DRC = "drc", "发展改革/综合监管部门"
        DISCIPLINE = "discipline", "纪检监察机关"
        COURT = "court", "人民法院"
        PROCURATORATE = "procuratorate", "人民检察院"
        POLICE = "police", "公安机关"
        AUDIT = "audit", "审计机关"
        MARKET_REGULATION = "market_regulation", "市场监管部门"
        SASAC = "sasac", "国资监管机构"
        LAW_ENFORCEMENT = "law_enforcement", "综合行政执法部门"
        HOUSING = "housing", "住房城乡建设部门"
        TRANSPORT = "transport", "交通运输部门"
        WATER = "water", "水利部门"
        AGRICULTURE = "agriculture", "农业农村部门"
        NATURAL_RESOURCES = "natural_resources", "自然资源部门"
        FINANCE = "finance", "财政部门"
        TRADING_CENTRE = "trading_centre", "公共资源交易中心"
        BUSINESS_ENVIRONMENT = "business_environment", "营商环境/政务服务部门"
        OTHER = "other", "其他行业主管部门"

    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    short_name = models.CharField("简称", max_length=64, blank=True)
    doc_abbr = models.CharField("发文机关代字", max_length=16, blank=True,
                                help_text="文号中的机关代字，如“洛住建”；留空则用简称。")
    type = models.CharField("类型", max_length=32, choices=Type.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="所属行政区域",
                                     on_delete=models.PROTECT, related_name="departments")
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    is_supervision_office = models.BooleanField("综合监管办公室", default=False)
    active = models.BooleanField("启用", default=True)
    group = models.OneToOneField(Group, verbose_name="权限组", on_delete=models.PROTECT, related_name="department",
                                 editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["jurisdiction__code", "code"]

    def __str__(self):
        return self.name

    @property
    def level(self) -> str:
        return self.jurisdiction.level

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_supervising(self) -> bool:
        """An administrative supervising department (行政监督部门), including the comprehensive one (DRC)."""
        return self.type in SUPERVISING_TYPES


# Departments that supervise trading (行政监督部门): they handle complaints and cases under their own duty and may
# start joint enforcement; judicial, discipline, police and audit organs and the trading centre take part instead.
SUPERVISING_TYPES = frozenset({
    Department.Type.DRC, Department.Type.MARKET_REGULATION, Department.Type.SASAC, Department.Type.LAW_ENFORCEMENT,
    Department.Type.HOUSING, Department.Type.TRANSPORT, Department.Type.WATER, Department.Type.AGRICULTURE,
    Department.Type.NATURAL_RESOURCES, Department.Type.FINANCE, Department.Type.OTHER,
})


class Membership(models.Model):
    """A person's role in a department. Case roles (handler, leader, liaison, supervisor, API client) work on
    cases; the three administrative duties (三员分立: system administrator, security administrator, auditor)
    run the system and read nothing of the cases (see casework.org.duties)."""

    class Role(models.TextChoices):
        HANDLER = "handler", "经办人"
        LEADER = "leader", "负责人"
        LIAISON = "liaison", "联络员"
        SUPERVISOR = "supervisor", "监管人员"
        ADMIN = "admin", "系统管理员"
        SECURITY_ADMIN = "security_admin", "安全管理员"
        AUDITOR = "auditor", "安全审计员"
        API = "api", "接口客户端"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="memberships")
    department = models.ForeignKey(Department, verbose_name="单位",
                                   on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "人员角色"
        constraints = [models.UniqueConstraint(fields=["user", "department", "role"],
                                               name="membership_unique_role")]

    def __str__(self):
        return f"{self.user} · {self.department.display_name} · {self.get_role_display()}"


# What an API token may do. A client with no scopes may do everything its department's staff may.
API_SCOPES = {
    "clues:push": "推送问题线索、上传证据、登记回调",
    "eligibility:read": "查询参与资格",
    "read": "只读查询其他接口",
    "write": "其他写入操作",
}


class ApiClient(models.Model):
    """Another government system. Its token acts as a service user of one department."""

    name = models.CharField("名称", max_length=64, unique=True)
    department = models.ForeignKey(Department, verbose_name="单位",
                                   on_delete=models.PROTECT, related_name="api_clients")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT,
                                related_name="api_client", editable=False)
    key_prefix = models.CharField("密钥前缀", max_length=12, editable=False)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    expires_at = models.DateTimeField("令牌有效期至", null=True, blank=True, help_text="留空表示长期有效")
    scopes = models.JSONField("权限范围", default=list, blank=True,
                              help_text="留空表示不限；可选："
                              + "、".join(f"{k}（{v}）" for k, v in API_SCOPES.items()))

    class Meta:
        verbose_name = verbose_name_plural = "接口客户端"

    def __str__(self):
        return self.name


# The three separated administrative duties (三员分立, GB/T 22239-2019 level 3): none is a case role.
ADMIN_DUTIES = frozenset({Membership.Role.ADMIN, Membership.Role.SECURITY_ADMIN, Membership.Role.AUDITOR})
CASE_ROLES = frozenset(set(Membership.Role.values) - ADMIN_DUTIES)


class BreakGlass(models.Model):
    """A deliberate, audited "break-glass" read (issue 11): the security administrator grants one named person,
    for a stated reason and a few hours, the reading of personal data on the pages that person can already open.
    Each read under it is recorded (identity.viewed, with the grant's id); the grant itself is in the audit trail."""

    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants",
                                verbose_name="被授权人")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="授权人（安全管理员）")
    reason = models.TextField("授权理由")
    granted_at = models.DateTimeField("授权时间")
    expires_at = models.DateTimeField("失效时间")

    class Meta:
        verbose_name = verbose_name_plural = "应急查阅授权"
        ordering = ["-granted_at", "-id"]

    def __str__(self):
        return f"应急查阅授权 #{self.pk}"
