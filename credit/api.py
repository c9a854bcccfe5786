"""The eligibility check other government systems call (trading platforms, expert-pool systems)."""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.listing import api_list, schema_parameters
from credit import services
from credit.filters import CreditRecordFilter
from credit.models import Domain


class RestrictionOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    domain = serializers.CharField()
    domain_display = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    decision_number = serializers.CharField()
    department = serializers.CharField()
    legal_basis = serializers.CharField()


class RedInfoOut(serializers.Serializer):
    department = serializers.CharField()
    reason = serializers.CharField()
    basis = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)


class AnswerOut(serializers.Serializer):
    code = serializers.CharField()
    valid = serializers.BooleanField(help_text="代码是否通过校验（GB 32100、GB 11643、专家编号格式）")
    error = serializers.CharField(help_text="代码无效的原因（含应有的校验位）")
    eligible = serializers.BooleanField(allow_null=True, help_text="代码无效时为 null：不是“可以参与”")
    subject_known = serializers.BooleanField()
    name = serializers.CharField()
    on = serializers.DateField(help_text="核查所依据的日期（未指定时为当日）")
    restrictions = RestrictionOut(many=True)
    red_list = RedInfoOut(many=True, help_text="守信红名单（仅供参考，不影响能否参与）")


class SubjectIn(serializers.Serializer):
    code = serializers.CharField(max_length=32)


class BulkIn(serializers.Serializer):
    subjects = SubjectIn(many=True, max_length=services.MAX_BULK, min_length=1)
    domain = serializers.ChoiceField(choices=Domain.choices)
    on = serializers.DateField(required=False)
    project_code = serializers.CharField(max_length=64, required=False, allow_blank=True)


class QueryIn(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    domain = serializers.ChoiceField(choices=Domain.choices)
    on = serializers.DateField(required=False)
    project_code = serializers.CharField(max_length=64, required=False, allow_blank=True)


def answer_data(a) -> dict:
    """An answer as AnswerOut describes it, built directly: a 1,000-subject answer serialised through nested DRF
    serializers costs more than the database reads."""
    return {"code": a.code, "valid": a.valid, "error": a.error, "eligible": a.eligible,
            "subject_known": a.subject_known, "name": a.name, "on": a.on,
            "restrictions": [dict(r.__dict__) for r in a.restrictions],
            "red_list": [dict(e.__dict__) for e in a.red_list]}


class Eligibility(APIView):
    """GET：一个主体在某领域、某日能否参与交易及全部限制；代码未通过校验时返回 400，指明字段和应有的校验位。
    POST：最多 1,000 个主体（一次招标的全部投标人），无效代码逐行标明（valid=false，eligible=null），其余照常答复。
    未指定 on 时按当日核查，答复中的 on 为实际依据的日期。每次查询都记录查询人、项目编号和核查日期。"""

    @extend_schema(parameters=[OpenApiParameter("code", str, required=True),
                               OpenApiParameter("domain", str, required=True),
                               OpenApiParameter("on", dt.date), OpenApiParameter("project_code", str)],
                   responses=AnswerOut)
    def get(self, request):
        incoming = QueryIn(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        answers = services.check_eligibility(actor=request.user, codes=[d["code"]], domain=d["domain"],
                                             on=d.get("on"), project_code=d.get("project_code", ""))
        return Response(answer_data(next(iter(answers.values()))))

    @extend_schema(request=BulkIn, responses=AnswerOut(many=True))
    def post(self, request):
        incoming = BulkIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        answers = services.check_eligibility(actor=request.user, codes=[s["code"] for s in d["subjects"]],
                                             domain=d["domain"], on=d.get("on"), project_code=d.get("project_code", ""),
                                             bulk=True)
        on = next(iter(answers.values())).on
        return Response({"domain": d["domain"], "on": on.isoformat(),
                         "invalid": sum(not a.valid for a in answers.values()),
                         "results": [answer_data(a) for a in answers.values()]})


class CreditRecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    decision_number = serializers.CharField()
    subject_name = serializers.CharField(source="subject.name")
    subject_type = serializers.CharField(source="subject.type")
    subject_code = serializers.SerializerMethodField(help_text="企业为统一社会信用代码；自然人、专家的证件号码已脱敏")
    kind = serializers.CharField()
    serious = serializers.BooleanField()
    department = serializers.CharField(source="department.code")
    decided_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.CharField()

    def get_subject_code(self, record) -> str:
        from credit.selectors import _subject_code

        return _subject_code(record)


class RecordList(APIView):
    """本单位（监管人员：本辖区）作出的信用记录，筛选条件与页面相同，分页返回。"""

    @extend_schema(responses=CreditRecordOut(many=True), parameters=schema_parameters(CreditRecordFilter))
    def get(self, request):
        from casework.org.selectors import scoped
        from credit.models import CreditRecord

        rows = scoped(request.user, CreditRecord.objects.select_related("subject", "department"),
                      department_fields=("department",)).order_by("-decided_on", "-pk")
        return api_list(request, self, CreditRecordFilter, rows, CreditRecordOut)
