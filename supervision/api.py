"""REST for other systems: punctuality per department and mechanism, scoped like the dashboard."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.errors import NotFound
from supervision import periods
from supervision import selectors as sel
from supervision.access import scope_for


class PunctualityOut(serializers.Serializer):
    department = serializers.CharField()
    department_name = serializers.CharField()
    mechanism = serializers.CharField()
    closed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    open = serializers.IntegerField()
    open_overdue = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class Punctuality(APIView):
    """按单位、按机制统计的办理时效：期间内办结（按期/超期）件数、期末未办结及超期未办结件数、按期率。"""

    @extend_schema(
        parameters=[OpenApiParameter("from", str, required=True, description="起始日期 YYYY-MM-DD"),
                    OpenApiParameter("to", str, required=True, description="截止日期 YYYY-MM-DD（含当日）"),
                    OpenApiParameter("department", str, description="单位代码"),
                    OpenApiParameter("mechanism", str, description="机制：" + "、".join(sel.mechanisms.CODES))],
        responses=PunctualityOut(many=True))
    def get(self, request):
        scope = scope_for(request.user)
        if scope.empty:
            raise NotFound("未找到该资源。")
        period = periods.parse(request.query_params, today=timezone.localdate(), required=True)
        department = sel.resolve_department(scope, request.query_params.get("department"))
        mechanism = sel.check_mechanism(request.query_params.get("mechanism"))
        board = sel.dashboard(scope, period, department=department, mechanism=mechanism, with_median=False)
        rows = [{"department": r.department.code, "department_name": r.department.name, "mechanism": r.mechanism,
                 "closed": r.handled, "on_time": r.on_time, "late": r.late, "open": r.open,
                 "open_overdue": r.open_overdue, "on_time_rate": r.on_time_rate} for r in board.rows]
        return Response(PunctualityOut(rows, many=True).data)
