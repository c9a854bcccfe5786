"""The public lists (信息公开), one definition each: what it holds (the owning app's public selector), how it is
searched, and its columns. The portal page, the search, the XLSX/CSV export and the open-data JSON API all read
these definitions, so they always agree. Nothing here decides what is public: each app's selector does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


def mask(text: str, subject_type: str) -> str:
    """Natural persons (experts, individuals) are shown masked; enterprises and agencies by name."""
    if subject_type in ("enterprise", "agency"):
        return text
    text = text or ""
    return text[:1] + "*" * max(len(text) - 1, 1) if len(text) <= 4 else text[:3] + "*" * (len(text) - 7) + text[-4:]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable


@dataclass(frozen=True)
class PublicList:
    key: str
    title: str
    note: str
    rows: Callable[[str], object]           # q -> queryset (already only what is public)
    columns: tuple[Column, ...]
    link: Callable | None = None            # row -> url of its public page or document


def _complaints(q: str):
    from complaints.selectors import published_complaints

    qs = published_complaints()
    if q:
        qs = qs.filter(Q(project_name__icontains=q) | Q(publication_text__icontains=q)
                       | Q(department__name__icontains=q))
    return qs


def _penalties(q: str):
    from credit.selectors import published_penalties

    return published_penalties(q)  # within the publication period: the credit app's one rule


def _black(q: str):
    from credit.selectors import black_list

    return black_list(q)


def _red(q: str):
    from credit.selectors import red_list

    return red_list(q)


def _inspections(q: str):
    from inspections.selectors import public_plans

    qs = public_plans()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(lead_department__name__icontains=q))
    return qs


def _joint(q: str):
    from jointaction.selectors import published_actions

    qs = published_actions()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(public_text__icontains=q) | Q(initiator__name__icontains=q))
    return qs


def _circulars(q: str):
    from supervision.models import Circular

    qs = (Circular.objects.filter(state=Circular.State.ISSUED, published=True).select_related("office", "letter")
          .order_by("-letter__issued_at"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(letter__doc_number__icontains=q))
    return qs


def _subject(r) -> str:
    return mask(r.subject.name, r.subject.type)


def _code(r) -> str:
    from credit.publication import public_code

    return public_code(r.subject)  # the credit app's publication rule: never an expert's internal number


def _measures(r) -> str:
    """Each measure in force with its domain and its own start and end (not the record's validity)."""
    rows = [f"{m.get_kind_display()}（{m.get_domain_display()}）{_date(m.starts_on)} 至 {_date(m.ends_on) or '长期'}"
            for m in getattr(r, "in_force", [])]
    return "；".join(rows) or f"严重失信记录，公示期 {_date(r.valid_from)} 至 {_date(r.valid_until) or '长期'}"


LISTS: tuple[PublicList, ...] = (
    PublicList("complaints", "投诉处理结果", "已隐去投诉人身份信息", _complaints, (
        Column("project", "项目", lambda c: c.project_name),
        Column("department", "处理部门", lambda c: c.department.name),
        Column("published", "公开日期", lambda c: _date(c.published_at)),
        Column("outcome", "处理结果", lambda c: c.publication_text),
    ), lambda c: reverse("complaints:published")),
    PublicList("penalties", "行政处罚公示", "公示期内的行政处罚", _penalties, (
        Column("subject", "当事人", _subject), Column("code", "统一社会信用代码/编号", _code),
        Column("decision", "决定书文号", lambda r: r.decision_number),
        Column("department", "作出部门", lambda r: r.department.name),
        Column("decided", "决定日期", lambda r: _date(r.decided_on)),
        Column("until", "公示截止", lambda r: _date(r.valid_until) or "长期"),
    ), lambda r: reverse("credit:penalties")),
    PublicList("blacklist", "失信名单", "严重失信主体，一处失信、处处受限", _black, (
        Column("subject", "主体", _subject), Column("code", "统一社会信用代码/编号", _code),
        Column("decision", "决定书文号", lambda r: r.decision_number),
        Column("department", "作出部门", lambda r: r.department.name),
        Column("measures", "惩戒措施（领域、起止日期）", _measures),
    ), lambda r: reverse("credit:black_list")),
    PublicList("redlist", "守信红名单", "", _red, (
        Column("subject", "主体", _subject), Column("code", "统一社会信用代码/编号", _code),
        Column("department", "列入部门", lambda r: r.department.name),
        Column("from", "起始日", lambda r: _date(r.valid_from)),
        Column("until", "截止日", lambda r: _date(r.valid_until) or "长期"),
    ), lambda r: reverse("credit:red_list")),
    PublicList("inspections", "双随机抽查计划与结果", "抽查事项、计划和结果", _inspections, (
        Column("reference", "计划编号", lambda p: p.reference), Column("title", "计划名称", lambda p: p.title),
        Column("department", "牵头部门", lambda p: p.lead_department.name),
        Column("period", "检查期间", lambda p: f"{_date(p.starts_on)} 至 {_date(p.ends_on)}"),
        Column("status", "状态", lambda p: p.get_status_display()),
    ), lambda p: reverse("inspections:public_plan", args=[p.pk])),
    PublicList("joint", "联合执法公告", "联合执法、联合检查结果统一公布", _joint, (
        Column("reference", "编号", lambda a: a.reference), Column("title", "名称", lambda a: a.title),
        Column("department", "发起部门", lambda a: a.initiator.name),
        Column("published", "公布日期", lambda a: _date(a.published_at)),
    ), lambda a: reverse("casework:public_letter_pdf", args=[a.notice_letter_id]) if a.notice_letter_id
        else reverse("jointaction:public")),
    PublicList("circulars", "通报", "协同监管事项办理情况通报", _circulars, (
        Column("doc_number", "文号", lambda c: c.letter.doc_number), Column("title", "标题", lambda c: c.title),
        Column("office", "发文单位", lambda c: c.office.name),
        Column("issued", "印发日期", lambda c: _date(c.letter.issued_at)),
    ), lambda c: reverse("public:circular_pdf", args=[c.pk])),
)
BY_KEY = {x.key: x for x in LISTS}


def row_dict(lst: PublicList, obj) -> dict:
    out = {c.key: c.value(obj) for c in lst.columns}
    if lst.link:
        out["url"] = lst.link(obj)
    return out


def row_view(lst: PublicList, obj) -> dict:
    """A row for a page: its cells in column order and the link of its public page or document."""
    return {"cells": [c.value(obj) for c in lst.columns], "url": lst.link(obj) if lst.link else ""}
