"""Open data: the public lists as read-only JSON, for the credit platform and the media. No login."""

from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from public.lists import LISTS, row_dict
from public.views import _list, _q

PAGE_SIZE = 50


class PublicThrottle(AnonRateThrottle):
    rate = "120/min"


class PublicIndex(APIView):
    """信息公开栏目目录。"""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(operation_id="public_index", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response([{"key": x.key, "title": x.title, "columns": [{"key": c.key, "label": c.label}
                                                                      for c in x.columns],
                          "url": request.build_absolute_uri(f"/api/v1/public/{x.key}/")} for x in LISTS])


class PublicListApi(APIView):
    """某一信息公开栏目：?q= 检索，?page= 分页（每页50条）。"""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(operation_id="public_list", responses={200: OpenApiTypes.OBJECT}, parameters=[
        OpenApiParameter("q", str, description="检索"), OpenApiParameter("page", int, description="页码")])
    def get(self, request, key: str):
        lst = _list(key)
        page = Paginator(lst.rows(_q(request)), PAGE_SIZE).get_page(request.query_params.get("page"))
        return Response({"key": lst.key, "title": lst.title, "count": page.paginator.count, "page": page.number,
                         "pages": page.paginator.num_pages,
                         "results": [row_dict(lst, o) for o in page.object_list]})
