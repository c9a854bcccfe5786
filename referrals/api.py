"""REST for the trading centre's monitoring system and other systems: intake, status, evidence,
callbacks. Translates HTTP to services; errors are mapped once by casework.api_errors."""

import datetime as dt

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut
from casework.api_limits import EARLIEST_YEAR, LATEST_YEAR
from casework.errors import DomainError
from referrals import selectors, services
from referrals.models import SignalType

MAX_INTAKE_BYTES = 256 * 1024


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class BidderIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)


class ClueIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    project_code = serializers.CharField(max_length=64)
    project_name = serializers.CharField(max_length=200)
    discovered_at = serializers.CharField(help_text="ISO 8601 带时区，如 2026-11-20T09:30:00+08:00")
    signal_type = serializers.ChoiceField(choices=SignalType.choices)
    summary = serializers.CharField(max_length=20000)
    supervising_department = serializers.CharField(max_length=32, help_text="行政监督部门的单位代码")
    bidders = BidderIn(many=True, required=False)
    details = serializers.DictField(required=False)
    callback_url = serializers.URLField(required=False, allow_blank=True, max_length=500)

    def validate_discovered_at(self, value):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise serializers.ValidationError("不是有效的 ISO 8601 时间") from exc
        if parsed.tzinfo is None:
            raise serializers.ValidationError("须带时区偏移，如 +08:00")
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise serializers.ValidationError(f"年份须在 {EARLIEST_YEAR} 到 {LATEST_YEAR} 之间")
        try:
            parsed.astimezone(dt.UTC)
        except OverflowError as exc:
            raise serializers.ValidationError("时间超出可表示的范围") from exc
        return parsed


class TransferOut(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField(source="sender.code")
    receiver = serializers.CharField(source="receiver.code")
    state = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    receipt_signed_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()
    return_reasons = serializers.CharField()


class EvidenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()


class ClueOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    external_id = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    project_code = serializers.CharField()
    project_name = serializers.CharField()
    signal_type = serializers.CharField()
    discovered_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    supervising_department = serializers.CharField(source="supervising_department.code")
    bidders = serializers.JSONField()
    return_count = serializers.IntegerField()
    result = serializers.CharField()
    clocks = serializers.SerializerMethodField()
    transfers = TransferOut(many=True)
    evidence = EvidenceOut(many=True)

    def get_clocks(self, clue) -> list[dict]:
        return ClockOut(selectors.clue_clocks(clue), many=True).data


class ClueList(APIView):
    """POST：交易中心推送问题线索（同一 external_id 重复推送返回同一线索）。GET：本单位可见的线索。"""

    @extend_schema(request=ClueIn, responses={201: ClueOut, 200: ClueOut, 400: OpenApiResponse(description="字段错误"),
                                              409: OpenApiResponse(description="external_id 冲突")})
    def post(self, request):
        if len(request.body) > MAX_INTAKE_BYTES:
            raise PayloadTooLarge(f"请求体过大（{len(request.body):,} 字节），线索数据不超过 256 KB；"
                                  "证据文件请单独上传")
        services.pushing_department(request.user)  # 403 before validation for clients that may not push
        incoming = ClueIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["bidders"] = [dict(b) for b in data.get("bidders", [])]
        result = services.intake_clue(actor=request.user, client=getattr(request, "api_client", None),
                                      data=services.ClueInput(**data))
        body = ClueOut(result.clue).data
        if result.callback_secret:
            body["callback_secret"] = result.callback_secret
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(responses=ClueOut(many=True))
    def get(self, request):
        clues = selectors.visible_clues(request.user).prefetch_related("transfers__handoff", "evidence")
        external_id = request.query_params.get("external_id")
        if external_id:
            clues = clues.filter(external_id=external_id)
        return Response(ClueOut(clues[:100], many=True).data)


class ClueDetail(APIView):
    """线索状态、法定时限（含依据）、移送与证据。"""

    @extend_schema(responses=ClueOut)
    def get(self, request, pk: int):
        return Response(ClueOut(selectors.get_clue(request.user, pk)).data)


class EvidenceUpload(APIView):
    """上传证据文件（multipart，字段名 file）：记录 SHA-256，同一文件不重复保存。"""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}, responses={201: EvidenceOut, 200: EvidenceOut})
    def post(self, request, pk: int):
        clue = selectors.get_clue(request.user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError.for_field("file", "请以 multipart/form-data 上传，字段名为 file")
        evidence, created = services.add_evidence(actor=request.user, clue=clue, upload=upload)
        return Response(EvidenceOut(evidence).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CallbackIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)


class ClueCallback(APIView):
    """登记状态回调地址；返回用于校验签名的密钥（只显示一次）。"""

    @extend_schema(request=CallbackIn, responses={200: OpenApiResponse(description="{url, secret}")})
    def put(self, request, pk: int):
        clue = selectors.get_clue(request.user, pk)
        incoming = CallbackIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        secret = services.register_callback(actor=request.user, clue=clue, url=incoming.validated_data["url"])
        return Response({"url": incoming.validated_data["url"], "secret": secret})
