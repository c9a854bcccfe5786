"""REST for other systems (e.g. a 12345 hotline or a provincial platform) filing complaints."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.attachments.serializers import AttachmentOut, files_field
from casework.errors import DomainError
from casework.listing import api_list, schema_parameters
from complaints import selectors, services
from complaints.filters import ComplaintFilter
from complaints.models import Complaint, Grounds, TradingType


class ComplaintIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    complainant_type = serializers.ChoiceField(choices=Complaint.ComplainantType.choices)
    complainant_name = serializers.CharField(max_length=200)
    complainant_id_number = serializers.CharField(max_length=32)
    contact_phone = serializers.CharField(max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    department = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                       help_text="受理部门代码；留空则由 jurisdiction 的综合监管部门受理")
    jurisdiction = serializers.CharField(required=False, allow_blank=True, max_length=12)
    project_code = serializers.CharField(max_length=64)
    project_name = serializers.CharField(max_length=200)
    trading_type = serializers.ChoiceField(choices=TradingType.choices)
    grounds_category = serializers.ChoiceField(choices=Grounds.choices)
    grounds = serializers.CharField(max_length=20000)
    requested_outcome = serializers.CharField(max_length=5000)
    objection_filed = serializers.BooleanField(required=False, default=False)
    objection_date = serializers.DateField(required=False, allow_null=True)
    objection_reply = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ComplaintOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    department = serializers.CharField(source="department.code")
    received_at = serializers.DateTimeField()
    project_code = serializers.CharField()
    project_name = serializers.CharField()
    trading_type = serializers.CharField()
    complainant = serializers.SerializerMethodField()
    outcome = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    files = serializers.SerializerMethodField(help_text="可下载的证明材料（download_url 以同一令牌下载）")

    @extend_schema_field(AttachmentOut(many=True))
    def get_files(self, complaint) -> list:
        return files_field(self.context["request"], complaint, known=self.context.get("files"))

    def get_complainant(self, complaint) -> str:
        """Masked, except on one complaint's detail for the cleared handling staff (and that read is recorded)."""
        user = self.context["request"].user if self.context.get("detail") else None
        return services.identity_for(user, complaint, where="api").name


class ComplaintList(APIView):
    """POST：其他系统提交投诉（同一 external_id 重复提交返回同一投诉）。GET：本单位可见的投诉。"""

    @extend_schema(request=ComplaintIn, responses={201: ComplaintOut, 200: ComplaintOut})
    def post(self, request):
        incoming = ComplaintIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        external_id = data.pop("external_id")
        client = getattr(request, "api_client", None)
        # A session user gets its own namespace, so a user and an API client with the same id never collide.
        key = (selectors.filing_key_prefix(client) if client else f"user:{request.user.pk}:") + external_id
        result = services.file_complaint(data=services.ComplaintInput(**data), channel=Complaint.Channel.API,
                                         submission_key=key, actor=request.user)
        context = {"request": request}
        if result.created:  # filed just now, over the API: it has no files yet (three queries not to ask)
            context["files"] = {result.complaint.pk: []}
        body = ComplaintOut(result.complaint, context=context).data
        if result.secret:
            body["secret"] = result.secret  # for the complainant's tracking page; shown to this caller only
        if result.duplicate_of_content:
            body["duplicate_of"] = result.complaint.reference
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(responses=ComplaintOut(many=True), parameters=schema_parameters(ComplaintFilter))
    def get(self, request):
        rows = selectors.visible_complaints(request.user).order_by("-received_at", "-pk")
        return api_list(request, self, ComplaintFilter, rows, ComplaintOut)


class ComplaintDetail(APIView):
    @extend_schema(responses=ComplaintOut)
    def get(self, request, pk: int):
        complaint = selectors.get_complaint(request.user, pk)
        return Response(ComplaintOut(complaint, context={"request": request, "detail": True}).data)


class EvidenceUpload(APIView):
    """补充证明材料（multipart，字段名 file）：记录 SHA-256，同一文件不重复保存。"""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}, responses={201: None, 200: None})
    def post(self, request, pk: int):
        complaint = selectors.get_complaint(request.user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError.for_field("file", "请以 multipart/form-data 上传，字段名为 file")
        evidence = services.add_evidence(actor=request.user, complaint=complaint, upload=upload)
        return Response({"stored": evidence is not None},
                        status=status.HTTP_201_CREATED if evidence else status.HTTP_200_OK)
