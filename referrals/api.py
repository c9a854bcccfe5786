"""REST for the trading centre's monitoring system and other systems: intake, status, evidence,
callbacks. Translates HTTP to services; errors are mapped once by casework.api_errors."""

import datetime as dt

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut, PrivateText
from casework.api_limits import EARLIEST_YEAR, LATEST_YEAR
from casework.attachments.serializers import AttachmentOut, files_field
from casework.errors import DomainError
from referrals import selectors, services
from referrals.models import Clue, SignalType, Transfer

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
    result = PrivateText()
    return_reasons = PrivateText()
    files = serializers.SerializerMethodField(help_text="处理结果或退回所附文件（download_url 以同一令牌下载）")

    @extend_schema_field(AttachmentOut(many=True))
    def get_files(self, transfer) -> list:
        request = self.context.get("request")
        return files_field(request, transfer, None, self.context.get("transfer_files")) if request is not None else []


EvidenceOut = AttachmentOut


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
    summary = PrivateText(help_text="线索摘要（个人信息按权限隐去）")
    result = PrivateText()
    clocks = serializers.SerializerMethodField()
    transfers = TransferOut(many=True)
    evidence = serializers.SerializerMethodField(help_text="本单位可查阅的证据（download_url 以同一令牌下载）")

    # A list (or a clue just created) passes its clues' clocks and evidence in the context, read once for the
    # page: "clocks" {clue pk: [clocks]}, "evidence" {clue pk: [attachments]}.
    @extend_schema_field(AttachmentOut(many=True))
    def get_evidence(self, clue) -> list:
        request = self.context.get("request")
        return files_field(request, clue, "evidence", self.context.get("evidence")) if request is not None else []

    def get_clocks(self, clue) -> list[dict]:
        known = self.context.get("clocks")
        clocks = known[clue.pk] if known is not None and clue.pk in known else selectors.clue_clocks(clue)
        return ClockOut(clocks, many=True).data


# What ClueOut shows of a clue's transfers, read with the clues.
TRANSFERS = Prefetch("transfers", queryset=Transfer.objects.select_related("sender", "receiver", "handoff"))


def page_context(request, clues) -> dict:
    """The serializer context of a page of clues: their clocks and visible evidence in two queries."""
    from casework.attachments.selectors import visible_of_many

    transfers = [t for clue in clues for t in clue.transfers.all()]
    return {"request": request, "clocks": selectors.clocks_by_clue(clues),
            "evidence": visible_of_many(request.user, clues, "evidence"),
            "transfer_files": visible_of_many(request.user, transfers)}


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
        clue = result.clue
        context = {"request": request}
        if result.created:  # nothing handed over or uploaded yet, and its clocks are the ones just started
            clue._prefetched_objects_cache = {"transfers": Transfer.objects.none()}
            clocks = {clue.pk: result.clocks} if result.clocks is not None else selectors.clocks_by_clue([clue])
            context.update(clocks=clocks, evidence={clue.pk: []})
        body = ClueOut(clue, context=context).data
        if result.callback_secret:
            body["callback_secret"] = result.callback_secret
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(responses=ClueOut(many=True), parameters=[
        OpenApiParameter("external_id", str, description="推送方的外部编号"),
        OpenApiParameter("search", str, description="编号、项目、投标人名称或统一社会信用代码、摘要"),
        OpenApiParameter("status", str, enum=[c[0] for c in Clue.Status.choices]),
        OpenApiParameter("signal_type", str, enum=[c[0] for c in SignalType.choices]),
        OpenApiParameter("department", str, description="推送、监管或接收单位代码"),
        OpenApiParameter("received_from", OpenApiTypes.DATE), OpenApiParameter("received_to", OpenApiTypes.DATE),
        OpenApiParameter("overdue", bool), OpenApiParameter("ordering", str),
        OpenApiParameter("limit", int), OpenApiParameter("offset", int)])
    def get(self, request):
        from casework.api_limits import BoundedLimitOffsetPagination
        from referrals.filters import ClueFilter

        clues = (selectors.visible_clues(request.user).prefetch_related(TRANSFERS)
                 .order_by("-received_at", "-pk"))
        external_id = request.query_params.get("external_id")
        if external_id:
            clues = clues.filter(external_id=external_id)
        filtered = ClueFilter(request.query_params, queryset=clues, request=request)
        if not filtered.is_valid():
            raise DomainError("筛选条件有误", field_errors={k: [str(m) for m in v] for k, v in filtered.errors.items()})
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset(filtered.qs, request, view=self)
        return paginator.get_paginated_response(ClueOut(page, many=True, context=page_context(request, page)).data)


class ClueDetail(APIView):
    """线索状态、法定时限（含依据）、移送与证据。"""

    @extend_schema(responses=ClueOut)
    def get(self, request, pk: int):
        clue = selectors.get_clue(request.user, pk, transfers=TRANSFERS)
        return Response(ClueOut(clue, context=page_context(request, [clue])).data)


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
        return Response(EvidenceOut(evidence, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


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


def _aware(value, field: str):
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise DomainError.for_field(field, "不是有效的 ISO 8601 时间，如 2026-11-20T09:30:00+08:00") from exc
    if parsed.tzinfo is None:
        raise DomainError.for_field(field, "须带时区偏移，如 +08:00")
    if parsed.year < 2000:
        raise DomainError.for_field(field, "时间早于2000年，请核对")
    return parsed


class TransferActionIn(serializers.Serializer):
    result = serializers.CharField(required=False, allow_blank=True, max_length=20000,
                                   help_text="办理结果（result 必填）")
    completed_at = serializers.CharField(required=False, allow_blank=True,
                                         help_text="办结时间（result 可选，ISO 8601 带时区；默认当前时间）")
    decided_at = serializers.CharField(required=False, allow_blank=True,
                                       help_text="受理决定时间（accept 可选，ISO 8601 带时区；默认当前时间）")
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                    help_text="退回理由（return，不少于10个字）或转送理由（forward）")
    to_department = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                          help_text="转送至的同系统其他层级单位代码（forward 必填）")


TRANSFER_ACTIONS = ("sign", "accept", "result", "return", "forward")


class TransferAction(APIView):
    """接收单位的系统办理移送：sign 签收回执、accept 受理、result 反馈处理结果、return 书面说明理由退回、
    forward 转送其他层级的同系统单位。与页面走同一服务：文书、时限和回调相同。"""

    @extend_schema(request=TransferActionIn, responses={
        200: ClueOut, 400: OpenApiResponse(description="字段错误"), 403: OpenApiResponse(description="不是接收单位"),
        404: OpenApiResponse(description="无此线索或移送"), 409: OpenApiResponse(description="当前状态不能办理")})
    def post(self, request, pk: int, tid: int, action: str):
        from casework.org.models import Department

        clue = selectors.get_clue(request.user, pk)
        transfer = selectors.get_transfer(request.user, clue, tid)
        if action not in TRANSFER_ACTIONS:
            raise DomainError.for_field("action", f"操作须为 {', '.join(TRANSFER_ACTIONS)} 之一")
        incoming = TransferActionIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data, user = incoming.validated_data, request.user
        if action == "sign":
            services.sign_receipt(actor=user, transfer=transfer)
        elif action == "accept":
            services.accept_transfer(actor=user, transfer=transfer,
                                     decided_at=_aware(data.get("decided_at"), "decided_at"))
        elif action == "result":
            services.report_result(actor=user, transfer=transfer, result=data.get("result", ""),
                                   completed_at=_aware(data.get("completed_at"), "completed_at"))
        elif action == "return":
            services.return_transfer(actor=user, transfer=transfer, reasons=data.get("reasons", ""))
        else:
            code = (data.get("to_department") or "").strip()
            to = Department.objects.filter(code=code, active=True).first()
            if to is None:
                raise DomainError.for_field("to_department",
                                            f"单位代码“{code}”不存在" if code else "请填写转送单位代码")
            services.forward_transfer(actor=user, transfer=transfer, to_department=to,
                                      reasons=data.get("reasons", ""))
        return Response(ClueOut(selectors.get_clue(request.user, pk), context={'request': request}).data)
