"""The public portal at `/` (信息公开): every public list in one layout with one search, each paginated and
exportable; staff log in from here and, once logged in, keep their workbench at `/`."""

from __future__ import annotations

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework.errors import NotFound
from public.lists import BY_KEY, LISTS, row_view

PAGE_SIZE = 20
MAX_EXPORT = 10_000


def _q(request) -> str:
    return (request.GET.get("q") or "").strip()[:100]


@require_GET
def home(request):
    if request.user.is_authenticated:
        from casework.views import workbench

        return workbench(request)
    sections = [{"list": lst, "rows": [row_view(lst, o) for o in lst.rows("")[:5]]} for lst in LISTS]
    return render(request, "public/home.html", {"sections": sections, "lists": LISTS})


@require_GET
def search(request):
    q = _q(request)
    sections = []
    if q:
        for lst in LISTS:
            qs = lst.rows(q)
            sections.append({"list": lst, "count": qs.count(), "rows": [row_view(lst, o) for o in qs[:10]]})
    return render(request, "public/search.html", {"q": q, "sections": sections, "lists": LISTS})


def _list(key: str):
    lst = BY_KEY.get(key)
    if lst is None:
        raise NotFound("未找到该栏目。")
    return lst


@require_GET
def public_list(request, key: str):
    lst = _list(key)
    q = _q(request)
    qs = lst.rows(q)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        return export(lst, qs[:MAX_EXPORT], fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/list.html", {
        "list": lst, "q": q, "page": page, "rows": [row_view(lst, o) for o in page.object_list], "lists": LISTS})


def export(lst, objects, fmt: str) -> HttpResponse:
    from casework.exports import SafeWriter
    from supervision.exports import workbook

    headers = [c.label for c in lst.columns]
    rows = [[c.value(o) for c in lst.columns] for o in objects]
    if fmt == "csv":
        buf = io.StringIO()
        writer = SafeWriter(buf)
        writer.writerow(headers)
        for r in rows:
            writer.writerow(r)
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        resp = HttpResponse(workbook([(lst.title, headers, rows)]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename=public-{lst.key}.{fmt}"
    return resp


@require_GET
def circular_pdf(request, pk: int):
    """A circular the office chose to publish: open to everyone."""
    from casework.letters.views import _pdf
    from supervision.models import Circular

    circular = Circular.objects.filter(pk=pk, state=Circular.State.ISSUED, published=True).select_related(
        "letter").first()
    if circular is None:
        raise NotFound("未找到该通报。")
    return _pdf(request, circular.letter, cache="public, max-age=300")
