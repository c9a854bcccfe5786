"""REST for other government systems: the member list with contacts and the decisions with their state, and the
owner's follow-up (progress, result). Translates HTTP to selectors and services; errors are mapped once by
casework.api_errors."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import ClockOut, PrivateText
from casework.clocks.timing import due_date
from casework.listing import api_list, schema_parameters
from consultations import selectors, services
from consultations.filters import DecisionFilter, MeetingFilter, SolicitationFilter


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
        return selectors.state_of(decision)


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
    """议定事项及落实状态（state：open 落实中、overdue 已超期、done 按期落实、done-late 逾期落实），与页面同一筛选：
    状态（done 含逾期落实）、责任单位、完成期限、搜索（编号、议定事项、责任单位、会议名称）、排序。"""

    @extend_schema(parameters=schema_parameters(DecisionFilter), responses=DecisionOut(many=True))
    def get(self, request, pk: int):
        mechanism = selectors.get_mechanism(request.user, pk)
        source = selectors.board_ledger(request.user, mechanism)
        return api_list(request, self, source.filterset_class, source.queryset, DecisionOut)


class MeetingOut(serializers.Serializer):
    """A meeting as the list page shows it (its content and record, free text, are not in the list)."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="会议编号")
    title = serializers.CharField(help_text="会议主题")
    kind = serializers.CharField(help_text="regular 定期会商会议（例会）、ad_hoc 专题会商会议")
    kind_display = serializers.CharField(source="get_kind_display")
    scope = serializers.CharField()
    scope_display = serializers.CharField(source="get_scope_display")
    convener = serializers.CharField(source="convener.code", help_text="发起部门的单位代码")
    convener_name = serializers.CharField(source="convener.name")
    starts_at = serializers.DateTimeField(help_text="会议时间")
    place = serializers.CharField(help_text="地点")
    reply_due_on = serializers.DateField(help_text="受邀单位答复期限")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    held_at = serializers.DateTimeField(allow_null=True, help_text="召开时间")
    minutes = serializers.CharField(source="minutes_letter.doc_number", allow_null=True, default=None,
                                    help_text="会议纪要文号")


class MeetingList(APIView):
    """本机制中本单位发起、受邀或督促的会商会议，与页面同一筛选：会议类型、形式、状态、单位、会议日期、超期答复、搜索、排序。"""

    @extend_schema(parameters=schema_parameters(MeetingFilter), responses=MeetingOut(many=True))
    def get(self, request, pk: int):
        mechanism = selectors.get_mechanism(request.user, pk)
        source = selectors.meeting_list_ledger(request.user, mechanism)
        return api_list(request, self, source.filterset_class, source.queryset, MeetingOut)


class SolicitationOut(serializers.Serializer):
    """A solicitation as the list page shows it, with how many member units were asked and have replied."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="征求意见事项编号")
    title = serializers.CharField(help_text="文件名称")
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    initiator = serializers.CharField(source="initiator.code", help_text="起草单位的单位代码")
    initiator_name = serializers.CharField(source="initiator.name")
    letter = serializers.CharField(source="letter.doc_number", allow_null=True, default=None,
                                   help_text="征求意见函文号")
    deadline = serializers.DateField(help_text="反馈期限")
    asked = serializers.IntegerField(help_text="征求意见的成员单位数")
    replied = serializers.IntegerField(help_text="已反馈或已逾期的单位数")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField(help_text="发起时间")
    finalised_at = serializers.DateTimeField(allow_null=True, help_text="定稿时间")


class SolicitationList(APIView):
    """本机制中本单位起草、被征求意见或督促的征求意见事项，与页面同一筛选：类别、状态、单位、反馈期限、发起日期、超期反馈、搜索、排序。"""

    @extend_schema(parameters=schema_parameters(SolicitationFilter), responses=SolicitationOut(many=True))
    def get(self, request, pk: int):
        mechanism = selectors.get_mechanism(request.user, pk)
        source = selectors.solicitation_list_ledger(request.user, mechanism)
        return api_list(request, self, source.filterset_class, source.queryset, SolicitationOut)


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
