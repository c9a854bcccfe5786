"""REST views: translate HTTP to service and selector calls, nothing more."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors
from casework.clocks.explain import explain
from casework.clocks.timing import due_date
from casework.org.selectors import departments_for_api


class PrivateText(serializers.CharField):
    """Free text about the serialized record as the requesting user may read it (casework.privacy.text_for):
    personal data masked unless the user is the handling department's cleared staff, whose read is audited.
    Serializers using it need the request in their context; without one, the text is masked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance, super().get_attribute(instance)

    def to_representation(self, value):
        from casework.privacy import text_for

        instance, text = value
        request = self.context.get("request")
        match = getattr(request, "resolver_match", None)
        return text_for(getattr(request, "user", None), instance, str(text or ""),
                        where=f"api:{match.view_name}" if match else "api")


class DepartmentOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    type = serializers.CharField()
    type_display = serializers.CharField(source="get_type_display")
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    level = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    is_supervision_office = serializers.BooleanField()


class DepartmentList(generics.ListAPIView):
    """单位目录：代码、名称、类型、所属行政区域。"""

    serializer_class = DepartmentOut

    def get_queryset(self):
        qs = departments_for_api(self.request.user).select_related("parent")
        for param in ("type", "jurisdiction"):
            value = self.request.query_params.get(param)
            if value:
                qs = qs.filter(**({"type": value} if param == "type" else {"jurisdiction__code": value}))
        return qs


class ClockOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="label")
    department = serializers.CharField(source="department.code")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    due_date = serializers.SerializerMethodField(help_text="期满日（该日 24:00 截止）")
    state = serializers.CharField()
    provisional = serializers.BooleanField()
    rule = serializers.CharField(source="rule_version.rule.key")
    rule_version = serializers.IntegerField(source="rule_version.number")
    rule_citation = serializers.CharField(source="rule_version.citation")
    limit = serializers.CharField(source="rule_version.limit_display")
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_due_date(self, clock) -> str:
        return due_date(clock.due_at).isoformat()


class ClockList(generics.ListAPIView):
    """本单位待办的法定时限（按到期时间排序）。"""

    serializer_class = ClockOut

    def get_queryset(self):
        return selectors.workbench_clocks(self.request.user)


class DayOut(serializers.Serializer):
    date = serializers.DateField()
    counted = serializers.BooleanField()
    reason = serializers.CharField()
    ordinal = serializers.IntegerField(allow_null=True)
    provisional = serializers.BooleanField()


class ClockExplainOut(ClockOut):
    days = DayOut(many=True)
    provisional_years = serializers.ListField(child=serializers.IntegerField())


class ClockDetail(APIView):
    """一个时限及其“为何是这一天”的说明。"""

    @extend_schema(responses=ClockExplainOut)
    def get(self, request, pk: int):
        clock = selectors.get_clock(request.user, pk)
        why = explain(clock)
        data = ClockOut(clock).data
        data["days"] = DayOut(why["days"], many=True).data
        data["provisional_years"] = why["provisional_years"]
        return Response(data)
