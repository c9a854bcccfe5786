"""REST for the letters list: GET /api/v1/letters/, the page's filter (casework.letters.filters.LetterFilter) and
each letter as the page shows it: a letter carrying a protected identity has its title, addressee and case masked,
and no PDF link, for anyone who may not open it."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from casework.letters.filters import LetterFilter
from casework.listing import api_list, schema_parameters


class LetterListOut(serializers.Serializer):
    """Reads a casework.letters.selectors.LetterRow: the letter and what of it the user may read."""

    id = serializers.IntegerField(source="letter.pk")
    doc_number = serializers.CharField(source="letter.doc_number", help_text="发文字号")
    kind = serializers.CharField(source="letter.kind")
    kind_display = serializers.CharField(source="letter.get_kind_display", help_text="文种")
    title = serializers.CharField(help_text="标题（载有受保护身份信息且无查阅权限时已隐去个人信息）")
    issuer = serializers.CharField(source="letter.issuer.code", help_text="发文单位的单位代码")
    issuer_name = serializers.CharField(source="letter.issuer.name")
    addressee = serializers.CharField(help_text="主送（同上，无查阅权限时已隐去个人信息）")
    addressee_code = serializers.CharField(source="letter.addressee.code", allow_null=True, default=None,
                                           help_text="主送单位的单位代码（主送为本平台单位时）")
    subject = serializers.CharField(help_text="所属事项")
    issued_at = serializers.DateTimeField(source="letter.issued_at", help_text="成文时间")
    year = serializers.IntegerField(source="letter.year")
    restricted = serializers.SerializerMethodField(help_text="含保密身份信息")
    readable = serializers.BooleanField(help_text="本人可查阅原文（PDF）")
    pdf = serializers.SerializerMethodField(help_text="PDF 地址；无查阅权限时为 null")

    def get_restricted(self, row) -> bool:
        return bool(row.letter.restricted_to_perm)

    def get_pdf(self, row) -> str | None:
        return reverse("casework:letter_pdf", args=[row.letter.pk]) if row.readable else None


class LetterList(APIView):
    """本单位发出、收到或分送本单位的文书（监管人员为本辖区），与页面同一筛选：文种、收发、含保密身份信息、成文日期、年度、单位、搜索、排序。"""

    @extend_schema(parameters=schema_parameters(LetterFilter), responses=LetterListOut(many=True))
    def get(self, request):
        from casework.letters import selectors

        source = selectors.letter_list_ledger(request.user)
        return api_list(request, self, source.filterset_class, source.queryset, LetterListOut,
                        prepare=lambda rows: selectors.letter_rows(request.user, rows))
