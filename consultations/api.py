"""REST for other government systems: the member list with contacts and the decisions with their state, and the
owner's follow-up (progress, result). Translates HTTP to selectors and services; errors are mapped once by
casework.api_errors."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut, PrivateText
from casework.clocks.timing import due_date
from consultations import selectors, services


class MechanismOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    lead = serializers.CharField(source="lead.code")
    lead_name = serializers.CharField(source="lead.name")
    established_on = serializers.DateField()
    next_regular_due_at = serializers.SerializerMethodField()

    def get_next_regular_due_at(self, mechanism) -> str | None:
        period = selectors.next_regular(mechanism)
        return serializers.DateTimeField().to_representation(period.clock.due_at) if period and period.clock else None

    next_regular_due_date = serializers.SerializerMethodField(help_text="下次例会期满日（该日 24:00 截止）")

    def get_next_regular_due_date(self, mechanism) -> str | None:
        period = selectors.next_regular(mechanism)
        return due_date(period.clock.due_at).isoformat() if period and period.clock else None


class ContactOut(serializers.Serializer):
    name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField()


class PendingChangeOut(serializers.Serializer):
    role = serializers.CharField()
    changed_on = serializers.DateField()
    due_at = serializers.DateTimeField(source="clock.due_at", allow_null=True, default=None)
    due_date = serializers.SerializerMethodField(help_text="期满日（该日 24:00 截止）")

    def get_due_date(self, change) -> str | None:
        return due_date(change.clock.due_at).isoformat() if change.clock else None


class MemberOut(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    department_type = serializers.CharField(source="department.type")
    is_lead = serializers.BooleanField()
    joined_on = serializers.DateField()
    leader = serializers.SerializerMethodField()
    liaison = serializers.SerializerMethodField()
    contacts_updated_at = serializers.DateTimeField(allow_null=True)
    pending_changes = PendingChangeOut(many=True)

    def get_leader(self, member) -> dict:
        return ContactOut(member.contact("leader")).data

    def get_liaison(self, member) -> dict:
        return ContactOut(member.contact("liaison")).data


class ProgressOut(serializers.Serializer):
    note = PrivateText()
    department = serializers.CharField(source="department.code")
    created_at = serializers.DateTimeField()


class DecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    text = PrivateText()
    source = serializers.CharField()
    owner = serializers.CharField(source="owner.code")
    owner_name = serializers.CharField(source="owner.name")
    due_on = serializers.DateField()
    status = serializers.CharField()
    state = serializers.SerializerMethodField(help_text="open | overdue | done | done-late | withdrawn")
    meeting = serializers.CharField(source="meeting.reference")
    meeting_title = serializers.CharField(source="meeting.title")
    minutes = serializers.CharField(source="meeting.minutes_letter.doc_number", allow_null=True, default=None)
    result = PrivateText()
    completed_at = serializers.DateTimeField(allow_null=True)
    clock = ClockOut(allow_null=True)

    def get_state(self, decision) -> str:
        return selectors.decision_state(decision)


class DecisionDetailOut(DecisionOut):
    progress = ProgressOut(many=True)


class MechanismList(APIView):
    """本单位所在行政区域（监管人员：所监管区域）的会商机制，及下次例会应召开的期限。"""

    @extend_schema(responses=MechanismOut(many=True))
    def get(self, request):
        return Response(MechanismOut(selectors.visible_mechanisms(request.user), many=True).data)


class MemberList(APIView):
    """成员单位名单及责任领导、联络员联系方式（含待报送的人员变动）。"""

    @extend_schema(responses=MemberOut(many=True))
    def get(self, request, pk: int):
        mechanism = selectors.get_mechanism(request.user, pk)
        return Response(MemberOut(selectors.members(mechanism), many=True).data)


class DecisionList(APIView):
    """议定事项及落实状态（state：open 落实中、overdue 已超期、done 已落实）。"""

    @extend_schema(parameters=[OpenApiParameter("state", str), OpenApiParameter("owner", str, description="单位代码"),
                               OpenApiParameter("search", str, description="编号、议定事项、责任单位、会议名称"),
                               OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
                   responses=DecisionOut(many=True))
    def get(self, request, pk: int):
        from casework.api_limits import BoundedLimitOffsetPagination

        mechanism = selectors.get_mechanism(request.user, pk)
        rows = selectors.filter_board(selectors.decisions_board(request.user, mechanism),
                                      state=request.query_params.get("state", ""),
                                      owner=request.query_params.get("owner", ""),
                                      search=request.query_params.get("search", ""))
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset([r.decision for r in rows], request, view=self)
        return paginator.get_paginated_response(DecisionOut(page, many=True, context={"request": request}).data)


class DecisionDetail(APIView):
    """一个议定事项、其时限和落实进展。"""

    @extend_schema(responses=DecisionDetailOut)
    def get(self, request, pk: int):
        decision = selectors.get_decision(request.user, pk)
        return Response(DecisionDetailOut(decision, context={"request": request}).data)


class ProgressIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class ResultIn(serializers.Serializer):
    result = serializers.CharField(max_length=5000)


class DecisionProgress(APIView):
    """责任单位报告落实进展（同一内容重复提交不重复记录）。"""

    @extend_schema(request=ProgressIn, responses={201: DecisionDetailOut})
    def post(self, request, pk: int):
        decision = selectors.get_decision(request.user, pk)
        incoming = ProgressIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.add_progress(actor=request.user, decision=decision, note=incoming.validated_data["note"])
        return Response(DecisionDetailOut(selectors.get_decision(request.user, pk), context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class DecisionComplete(APIView):
    """责任单位报告落实结果，办结该议定事项的时限。"""

    @extend_schema(request=ResultIn, responses=DecisionDetailOut)
    def post(self, request, pk: int):
        decision = selectors.get_decision(request.user, pk)
        incoming = ResultIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.complete_decision(actor=request.user, decision=decision, result=incoming.validated_data["result"])
        return Response(DecisionDetailOut(selectors.get_decision(request.user, pk), context={"request": request}).data)
