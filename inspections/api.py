"""REST for 双随机一公开: the trading centre's system posts finished projects into the inspection-object
directory (idempotent on the project code); plans, their draw records, and the re-run of a draw record."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut, PrivateText
from casework.clocks.services import clocks_for
from casework.errors import DomainError
from casework.listing import api_list, schema_parameters
from casework.trading import TradingField
from inspections import drawing, selectors, services
from inspections.filters import PlanFilter, ProjectFilter
from inspections.models import Project, RiskLevel


class ProjectIn(serializers.Serializer):
    project_code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    trading_field = serializers.ChoiceField(choices=TradingField.choices)
    supervising_department = serializers.CharField(max_length=32, help_text="行政监督部门的单位代码")
    tender_completed_on = serializers.DateField(help_text="完成招投标（发出中标通知书）的日期")
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    risk_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tenderer_name = serializers.CharField(max_length=200)
    tenderer_uscc = serializers.CharField(max_length=18)
    winner_name = serializers.CharField(max_length=200)
    winner_uscc = serializers.CharField(max_length=18)
    agency_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agency_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    contract_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                               help_text="中标金额（万元）")


class PartyOut(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    credit = serializers.CharField()
    credit_display = serializers.CharField()


class ProjectOut(serializers.Serializer):
    id = serializers.IntegerField()
    project_code = serializers.CharField()
    name = serializers.CharField()
    trading_field = serializers.CharField()
    supervising_department = serializers.CharField(source="supervising_department.code")
    tender_completed_on = serializers.DateField()
    contract_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    risk_level = serializers.CharField()
    risk_reason = serializers.CharField()
    credit = serializers.SerializerMethodField()
    stratum = serializers.SerializerMethodField(help_text="抽取时所在风险层（风险等级按当事人信用上调后）")
    parties = serializers.SerializerMethodField()

    def _standing(self, project) -> selectors.ProjectStanding:
        cache = self.context.setdefault("standings", {})
        if project.pk not in cache:
            cache.update(selectors.project_standings([project]))
        return cache[project.pk]

    def get_credit(self, project) -> str:
        return self._standing(project).level

    def get_stratum(self, project) -> str:
        return selectors.stratum(project.risk_level, self._standing(project).level)

    def get_parties(self, project) -> list[dict]:
        return PartyOut([{"role": role, "name": name, "uscc": code, "credit": s.level, "credit_display": s.label}
                         for role, name, code, s in self._standing(project).parties], many=True).data


class ProjectList(APIView):
    """POST：交易中心系统推送已完成招投标的项目，进入检查对象名录库（同一项目编号重复推送相同内容返回同一记录，
    内容不同返回 409）。GET：本行政区域名录库，与页面同一筛选、分页（默认当年和上一年完成招投标的项目；all=true 为全部，
    code 为按项目编号精确查询）。"""

    @extend_schema(request=ProjectIn, responses={201: ProjectOut, 200: ProjectOut,
                                                 400: OpenApiResponse(description="字段错误"),
                                                 409: OpenApiResponse(description="同一项目编号内容不同")})
    def post(self, request):
        incoming = ProjectIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        project, created = services.register_project(actor=request.user, source=Project.Source.API,
                                                      data=services.ProjectInput(**incoming.validated_data))
        return Response(ProjectOut(project).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=schema_parameters(ProjectFilter), responses=ProjectOut(many=True))
    def get(self, request):
        rows = selectors.visible_projects(request.user).order_by("-tender_completed_on", "project_code")
        return api_list(request, self, ProjectFilter, rows, ProjectPageOut)


class ProjectPageOut(ProjectOut):
    """A page of the directory: the credit standings of its projects read in one go."""

    @classmethod
    def many_init(cls, instance=None, *args, **kwargs):
        instance = list(instance or [])
        kwargs["context"] = {**kwargs.get("context", {}), "standings": selectors.project_standings(instance)}
        return super().many_init(instance, *args, **kwargs)


class MemberOut(serializers.Serializer):
    name = serializers.CharField(source="inspector.name")
    department = serializers.CharField(source="inspector.department.code")
    speciality = serializers.CharField()


class TargetOut(serializers.Serializer):
    id = serializers.IntegerField()
    project_code = serializers.CharField(source="project.project_code")
    project_name = serializers.CharField(source="project.name")
    stratum = serializers.CharField()
    team = MemberOut(many=True)
    outcome = serializers.CharField()
    findings = PrivateText()
    follow_up = PrivateText()


class DrawSummaryOut(serializers.Serializer):
    number = serializers.IntegerField()
    algorithm = serializers.CharField()
    seed = serializers.CharField()
    drawn_at = serializers.DateTimeField()
    reason = PrivateText()
    superseded_at = serializers.DateTimeField(allow_null=True)
    inputs_sha256 = serializers.CharField()
    result_sha256 = serializers.CharField()


class PlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    lead_department = serializers.CharField(source="lead_department.code")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    ratios = serializers.SerializerMethodField()
    team = serializers.JSONField()
    ended_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)

    def get_ratios(self, plan) -> dict:
        return {k: str(v) for k, v in plan.ratios.items()}


class PlanDetailOut(PlanOut):
    draws = DrawSummaryOut(many=True)
    targets = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()

    def get_targets(self, plan) -> list[dict]:
        return TargetOut(selectors.targets_of(plan.current_draw), many=True, context=self.context).data

    def get_clocks(self, plan) -> list[dict]:
        return ClockOut(clocks_for(plan).select_related("department", "rule_version__rule"), many=True).data


class PlanList(APIView):
    """本单位牵头、参与或被抽中执法人员的抽查计划。"""

    @extend_schema(responses=PlanOut(many=True), parameters=schema_parameters(PlanFilter))
    def get(self, request):
        return api_list(request, self, PlanFilter, selectors.visible_plans(request.user).order_by("-id"), PlanOut)


class PlanDetail(APIView):
    """抽查计划：抽取记录、抽中对象和执法人员、检查结果、结果公开时限。"""

    @extend_schema(responses=PlanDetailOut)
    def get(self, request, pk: int):
        return Response(PlanDetailOut(selectors.get_plan(request.user, pk), context={"request": request}).data)


class DrawRecord(APIView):
    """一次抽取的完整记录（种子、输入、结果），可用 POST /inspections/draws/verify/ 或
    `python -m inspections.drawing` 重新运行核验。"""

    @extend_schema(responses={200: OpenApiResponse(description="{plan, draw, drawn_at, seed, inputs, result}")})
    def get(self, request, pk: int, number: int):
        plan = selectors.get_plan(request.user, pk)
        return Response(selectors.get_draw(plan, number).record)


class VerifyIn(serializers.Serializer):
    seed = serializers.CharField(max_length=128)
    inputs = serializers.JSONField()
    result = serializers.JSONField(required=False)


class DrawVerify(APIView):
    """任何人：用记录的种子和输入重新运行抽取（不读数据库），返回重新计算的结果及是否与记录一致。"""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=VerifyIn, responses={200: OpenApiResponse(description="{identical, result, message}")})
    def post(self, request):
        incoming = VerifyIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = dict(incoming.validated_data)
        try:
            result = drawing.draw(record["inputs"], record["seed"])
        except drawing.DrawError as exc:
            raise DomainError(exc.message, field_errors={exc.field: [exc.message]}) from exc
        identical = "result" in record and drawing.canonical(result) == drawing.canonical(record["result"])
        if "result" not in record:
            message = "已重新计算（未提交 result，未比对）"
        else:
            message = "一致：重新抽取的结果与记录相同" if identical else "不一致：重新计算的结果与提交的结果不同"
        return Response({"identical": identical, "result": result, "message": message})
