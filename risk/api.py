"""REST: the trading centre sends tenders with their bids; other systems read the warnings.
Translates HTTP to services; errors are mapped once by casework.api_errors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.errors import DomainError
from casework.listing import api_list, schema_parameters
from referrals.services import pushing_department
from risk import selectors, services
from risk.filters import WarningFilter

MAX_TENDER_BYTES = 1024 * 1024


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class BidIn(serializers.Serializer):
    uscc = serializers.CharField(help_text="统一社会信用代码（校验 GB 32100 校验位）")
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    winner = serializers.BooleanField(default=False)
    file_fingerprint = serializers.CharField(required=False)
    ip = serializers.CharField(required=False)
    mac = serializers.CharField(required=False)
    legal_rep = serializers.CharField(required=False)
    contact_phone = serializers.CharField(required=False)
    key_staff = serializers.ListField(child=serializers.CharField(), required=False)


class TenderIn(serializers.Serializer):
    """Documentation only: risk.services.validate_tender checks the body and names every bad field."""

    tender_id = serializers.CharField()
    project_code = serializers.CharField()
    project_name = serializers.CharField()
    trading_type = serializers.ChoiceField(choices=["engineering", "procurement", "property_rights", "land_mining"])
    supervising_department = serializers.CharField(help_text="行政监督部门的单位代码")
    opened_at = serializers.CharField(help_text="ISO 8601 带时区，如 2026-11-20T09:30:00+08:00")
    estimate = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    bids = BidIn(many=True)


class BidOut(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    winner = serializers.BooleanField()


class TenderOut(serializers.Serializer):
    id = serializers.IntegerField()
    tender_id = serializers.CharField()
    project_code = serializers.CharField()
    project_name = serializers.CharField()
    trading_type = serializers.CharField()
    supervising_department = serializers.CharField(source="supervising_department.code")
    opened_at = serializers.DateTimeField()
    estimate = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    bids = BidOut(many=True)


class TenderList(APIView):
    """POST：交易中心推送一次招标及其全部投标（同一 tender_id 同内容重复推送返回同一条；内容不同为 409）。"""

    @extend_schema(request=TenderIn, responses={201: TenderOut, 200: TenderOut,
                                                400: OpenApiResponse(description="逐字段列出错误"),
                                                409: OpenApiResponse(description="tender_id 冲突")})
    def post(self, request):
        if len(request.body) > MAX_TENDER_BYTES:
            raise PayloadTooLarge("请求体过大，一次招标的数据不超过 1 MB")
        pushing_department(request.user)  # 403 before validation for clients that may not push
        body = request.data
        if not isinstance(body, dict):
            raise DomainError("请求体须为 JSON 对象")
        fields = {name: body.get(name) for name in ("tender_id", "project_code", "project_name", "trading_type",
                                                    "supervising_department", "opened_at", "estimate")}
        fields["bids"] = body.get("bids")
        result = services.intake_tender(actor=request.user, client=getattr(request, "api_client", None),
                                        data=services.TenderInput(**fields))
        tender = type(result.tender).objects.prefetch_related("bids").get(pk=result.tender.pk)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(TenderOut(tender).data, status=code)


class WarningOut(serializers.Serializer):
    id = serializers.IntegerField()
    screen = serializers.CharField()
    screen_display = serializers.CharField(source="get_screen_display")
    score = serializers.FloatField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    explanation = serializers.CharField()
    numbers = serializers.JSONField()
    bidders = serializers.JSONField()
    tenders = serializers.SerializerMethodField()
    supervising_department = serializers.CharField(source="supervising_department.code")
    source_department = serializers.CharField(source="source_department.code")
    detected_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    dismissed_reason = serializers.CharField()
    clue = serializers.SerializerMethodField()

    def get_tenders(self, warning) -> list[str]:
        return [t.tender_id for t in warning.tenders.all()]

    def get_clue(self, warning) -> str | None:
        return warning.clue.reference if warning.clue_id else None


class WarningList(APIView):
    """本单位可见的风险预警（按风险分值从高到低），与页面同一筛选：类型、状态、单位、分值、投标人、项目、发现日期、搜索。"""

    @extend_schema(parameters=schema_parameters(WarningFilter), responses=WarningOut(many=True))
    def get(self, request):
        qs = selectors.visible_warnings(request.user).prefetch_related("tenders").select_related("clue")
        return api_list(request, self, WarningFilter, qs.order_by("-score", "-detected_at", "-pk"), WarningOut)


class WarningDetail(APIView):
    @extend_schema(responses=WarningOut)
    def get(self, request, pk: int):
        return Response(WarningOut(selectors.get_warning(request.user, pk)).data)
