"""The eligibility check other government systems call (trading platforms, expert-pool systems)."""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from credit import services
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


class AnswerOut(serializers.Serializer):
    code = serializers.CharField()
    eligible = serializers.BooleanField()
    subject_known = serializers.BooleanField()
    name = serializers.CharField()
    restrictions = RestrictionOut(many=True)


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


class Eligibility(APIView):
    """GET：一个主体在某领域、某日能否参与交易及全部限制。POST：最多 1,000 个主体（一次招标的全部投标人）。
    每次查询都记录查询人和项目编号。"""

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
        return Response(AnswerOut(next(iter(answers.values()))).data)

    @extend_schema(request=BulkIn, responses=AnswerOut(many=True))
    def post(self, request):
        incoming = BulkIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        answers = services.check_eligibility(actor=request.user, codes=[s["code"] for s in d["subjects"]],
                                             domain=d["domain"], on=d.get("on"), project_code=d.get("project_code", ""))
        return Response({"domain": d["domain"], "on": d.get("on"),
                         "results": AnswerOut(answers.values(), many=True).data})
