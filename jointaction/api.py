"""REST for other government systems: send and answer assistance letters, read joint actions.
Translates HTTP to services; errors are mapped once by casework.api_errors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut, PrivateText
from casework.attachments.serializers import AttachmentOut, files_field
from casework.clocks.services import clocks_for
from casework.errors import DomainError, NotFound
from casework.listing import api_list, schema_parameters
from casework.org.models import Department
from jointaction import selectors, services
from jointaction.filters import AssistanceFilter, JointActionFilter


def _department(code: str, field: str) -> Department:
    dept = Department.objects.filter(code=code, active=True).first()
    if dept is None:
        raise DomainError.for_field(field, f"未知的单位代码：{code}")
    return dept


class AssistanceIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=48, help_text="请求方系统内的编号；重复提交返回同一协助事项")
    requester = serializers.CharField(max_length=32, help_text="请求单位代码（须为本接口客户端所属单位）")
    assistant = serializers.CharField(max_length=32, help_text="协助办理单位代码")
    case_name = serializers.CharField(max_length=200)
    case_summary = serializers.CharField(max_length=20000)
    matters = serializers.CharField(max_length=20000)
    reasons = serializers.CharField(max_length=20000)
    materials = serializers.ListField(child=serializers.CharField(max_length=300), allow_empty=False)
    reply_by = serializers.DateField(required=False, allow_null=True)
    delivered_on = serializers.DateField(required=False, allow_null=True,
                                         help_text="纸质函件已先行送达的，实际送达日期（审查、退回期限自该日起算）")


class LetterOut(serializers.Serializer):
    kind = serializers.CharField()
    doc_number = serializers.CharField()
    title = serializers.CharField()
    issued_at = serializers.DateTimeField()


class AssistanceOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    requester = serializers.CharField(source="requester.code")
    assistant = serializers.CharField(source="assistant.code")
    case_name = serializers.CharField()
    matters = PrivateText()
    materials = serializers.JSONField()
    reply_by = serializers.DateField(allow_null=True)
    return_reasons = PrivateText()
    result = PrivateText()
    letters = LetterOut(many=True)
    clocks = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField(help_text="可下载的有关材料和结果材料（download_url 以同一令牌下载）")

    def get_clocks(self, req) -> list[dict]:
        return ClockOut(clocks_for(req.handoff).select_related("department", "rule_version__rule"), many=True).data

    @extend_schema_field(AttachmentOut(many=True))
    def get_files(self, req) -> list:
        request = self.context.get("request")
        return files_field(request, req) if request is not None else []


class AssistanceList(APIView):
    """POST：发出协助办理函（同一 external_id 重复提交返回同一事项）。GET：本单位发出或收到的协助办理事项。"""

    @extend_schema(request=AssistanceIn, responses={201: AssistanceOut, 200: AssistanceOut,
                                                    400: OpenApiResponse(description="字段错误"),
                                                    409: OpenApiResponse(
                                                        description="external_id 已用于内容不同的协助办理函")})
    def post(self, request):
        incoming = AssistanceIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        client = getattr(request, "api_client", None)
        key = f"api:{client.pk if client else request.user.pk}:{data.pop('external_id')}"
        req, created = services.request_assistance(
            actor=request.user, requester=_department(data.pop("requester"), "requester"),
            assistant=_department(data.pop("assistant"), "assistant"), submission_key=key, key_field="external_id",
            **data)
        return Response(AssistanceOut(req, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses=AssistanceOut(many=True), parameters=schema_parameters(AssistanceFilter))
    def get(self, request):
        rows = selectors.visible_assistance(request.user).order_by("-created_at", "-pk")
        return api_list(request, self, AssistanceFilter, rows, AssistanceOut)


def _visible(request, pk):
    req = selectors.visible_assistance(request.user).filter(pk=pk).first()
    if req is None:
        raise NotFound("未找到该协助办理事项")
    return req


class AssistanceDetail(APIView):
    """协助办理事项的状态、文书和法定时限。"""

    @extend_schema(responses=AssistanceOut)
    def get(self, request, pk: int):
        return Response(AssistanceOut(_visible(request, pk), context={'request': request}).data)


class AnswerIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", "决定协助办理"), ("return", "退回并说明理由"),
                                                ("result", "书面反馈协助办理结果")])
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000,
                                 help_text="退回理由（return）或协助办理结果（result）")


class AssistanceAnswer(APIView):
    """协助单位的系统答复：决定协助、退回（须说明理由）或反馈结果。"""

    @extend_schema(request=AnswerIn, responses=AssistanceOut)
    def post(self, request, pk: int):
        req = _visible(request, pk)
        incoming = AnswerIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        decision, text = incoming.validated_data["decision"], incoming.validated_data.get("text", "")
        if decision == "accept":
            req = services.accept_assistance(actor=request.user, request=req)
        elif decision == "return":
            req = services.return_assistance(actor=request.user, request=req, reasons=text)
        else:
            req = services.report_assistance_result(actor=request.user, request=req, result=text)
        return Response(AssistanceOut(req, context={'request': request}).data)


class FindingOut(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    target = serializers.CharField()
    project_code = serializers.CharField()
    description = PrivateText()
    handling = serializers.CharField()
    measures = PrivateText()
    clue = serializers.CharField(source="clue.reference", allow_null=True, default=None)


class ParticipantOut(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    reply = serializers.CharField()
    replied_version = serializers.IntegerField(allow_null=True)
    staff = serializers.JSONField()


class JointActionOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    trigger = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    initiator = serializers.CharField(source="initiator.code")
    participants = ParticipantOut(many=True)
    plan_version = serializers.IntegerField(source="settled_version.number", allow_null=True, default=None)
    settled_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    findings = FindingOut(many=True)


class JointActionList(APIView):
    """本单位发起或参与的联合执法、联合检查。"""

    @extend_schema(responses=JointActionOut(many=True), parameters=schema_parameters(JointActionFilter))
    def get(self, request):
        actions = selectors.visible_actions(request.user).prefetch_related(
            "participants__department", "findings__department", "findings__clue").order_by("-created_at", "-pk")
        return api_list(request, self, JointActionFilter, actions, JointActionOut)


class JointActionDetail(APIView):
    @extend_schema(responses=JointActionOut)
    def get(self, request, pk: int):
        action = selectors.visible_actions(request.user).filter(pk=pk).first()
        if action is None:
            raise NotFound("未找到该联合行动")
        return Response(JointActionOut(action, context={"request": request}).data)
