"""Lists, one way: a FilterSet per list (search, filters, "overdue", "due within N working days", ordering) serves
the page, its CSV/XLSX ledger (casework.ledger) and the API list (paginated: {count, next, previous, results}).

A mechanism describes its list with a subclass of `CaseListFilter` (which fields the search box looks in, which
department fields the department filter matches, where its clocks hang), and its ledger with a function of the user
registered under a name (`@ledger("referrals.clues")` in its selectors: the filter, the queryset scoped to what that
user may see, the columns and the file name); its view calls `list_page(request, clue_ledger(request.user), ...)` and
its API view `api_list`. The filter only narrows the scoped queryset. The name lets a background export
(casework.exportjobs) rebuild the very same list for the same user in a worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module

import django_filters
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property

from casework.errors import DomainError

PER_PAGE = 50
MAX_SEARCH_WORDS = 5
COUNT_BUDGET_MS = 150  # a count that takes longer gives way to the planner's estimate ("约 N 条")
COUNT_CAP = 1_000  # rows counted at most (20 pages): beyond, the page says "超过 1000 条"


def count_rows(queryset, *, cap: int = 0) -> tuple[int, str]:
    """The total of a list and what it is: "" exact; "at_least" more rows than the COUNT_CAP returned (a common word,
    or no search, over a million clues: counting them all would read every row while the page stops at 50);
    "estimate" the planner's guess, when even the capped count takes over COUNT_BUDGET_MS (PostgreSQL: a rare word
    of one or two characters, which no index serves). The page says "超过" or "约"; the API adds `count_at_least`
    or `count_estimated`. `cap`: count at least that far (the page being read and one more row, so that the next page
    is offered however deep). The time limit is local to a savepoint and restored after."""
    from django.core.exceptions import EmptyResultSet
    from django.db import OperationalError, connections, transaction

    cap = max(COUNT_CAP, cap)
    capped = queryset.order_by()[:cap + 1]
    try:
        capped.query.sql_with_params()
    except EmptyResultSet:  # `.none()` or an empty `__in`: nothing to ask the database
        return 0, ""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        total = capped.count()
        return (cap, "at_least") if total > cap else (total, "")
    from psycopg.errors import QueryCanceled

    try:
        with transaction.atomic(using=queryset.db):
            with connection.cursor() as cur:
                # No JIT for the count: priced on every row it might read, a capped count of a one-character word
                # was JIT-compiled (0.6 s over 1,000,000 clues) although it stops at the cap after a few thousand.
                cur.execute("SELECT current_setting('statement_timeout'), current_setting('jit'), "
                            "set_config('statement_timeout', %s, true), set_config('jit', 'off', true)",
                            [f"{COUNT_BUDGET_MS}ms"])
                previous, jit = cur.fetchone()[:2]
            total = capped.count()
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('statement_timeout', %s, true), set_config('jit', %s, true)",
                            [previous, jit])
        return (cap, "at_least") if total > cap else (total, "")
    except OperationalError as exc:
        if not isinstance(exc.__cause__, QueryCanceled):
            raise
    return estimated_rows(queryset), "estimate"


def estimated_rows(queryset) -> int:
    """The planner's estimate of the number of rows of `queryset` (PostgreSQL's EXPLAIN: no row is read)."""
    from django.db import connections

    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class ListPaginator(Paginator):
    """Django's paginator with the total from count_rows: `count_note` tells the page to say "超过" or "约"."""

    count_note = ""

    def __init__(self, *args, reading: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading = reading  # the page asked for: counted at least one row past it

    @cached_property
    def count(self):
        total, self.count_note = count_rows(self.object_list, cap=self.reading * self.per_page + 1)
        return total


class DateInput(forms.DateInput):
    input_type = "date"  # a Chinese browser shows its own picker; the value is always yyyy-mm-dd


def date_from(field: str, label: str, *, date_field: bool = False) -> django_filters.DateFilter:
    """From this day on (a DateTimeField compared by its local date; `date_field=True` for a DateField)."""
    return django_filters.DateFilter(field_name=field, lookup_expr="gte" if date_field else "date__gte",
                                     label=label, widget=DateInput)


def date_to(field: str, label: str, *, date_field: bool = False) -> django_filters.DateFilter:
    return django_filters.DateFilter(field_name=field, lookup_expr="lte" if date_field else "date__lte",
                                     label=label, widget=DateInput)


def _model_at(model, path: str):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def clock_subject_ids(model, *, late: bool = True, due_by: dt.datetime | None = None) -> set[int]:
    """Ids of `model` rows with an open clock that is past due (late) or due by `due_by`. Reads clocks only (few
    rows, indexed on state and due time), whatever the size of the list."""
    from casework.clocks.models import Clock

    ctype = ContentType.objects.get_for_model(model)
    open_states = [Clock.State.RUNNING, Clock.State.PAUSED]
    if late:
        cond = (Q(state__in=open_states, due_at__lt=timezone.now())
                | Q(state=Clock.State.BREACHED, closed_at__isnull=True))
    else:
        cond = Q(state__in=open_states, due_at__gte=timezone.now(), due_at__lte=due_by)
    ids = Clock.objects.filter(cond, subject_type=ctype).values_list("subject_id", flat=True)
    return {int(i) for i in ids if str(i).isdigit()}


def ordering_by(labels: dict[str, str]) -> django_filters.OrderingFilter:
    """The 排序 choice of a list: each field sorts by itself, ascending or descending, under its Chinese label."""
    return django_filters.OrderingFilter(fields=tuple((name, name) for name in labels), field_labels=labels,
                                         label="排序")


YesNo = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])


class CaseListFilter(django_filters.FilterSet):
    """Base for every list. Subclasses set:

    - `search_fields`: the fields the search box looks in (icontains, every word must match one of them);
    - `department_fields`: department foreign keys the `department` filter (a department code) matches;
    - `clock_paths`: where the row's clocks hang: "" for the row itself, "handoff" for its hand-over, etc.; an
      empty tuple leaves out the overdue/due-within filters.
    """

    search_fields: tuple[str, ...] = ()
    department_fields: tuple[str, ...] = ()
    clock_paths: tuple[str, ...] = ("",)
    # Free text that may carry personal data (masked on screen for most readers): searched only on the rows whose
    # original the user may read (casework.privacy), else a search for a name or number would confirm what the
    # page masks. `private_handling_field` is the row's handling department (the privacy rule's `handling`).
    private_search_fields: tuple[str, ...] = ()
    private_handling_field: str = ""

    search = django_filters.CharFilter(method="filter_search", label="搜索")
    q = django_filters.CharFilter(method="filter_search", label="搜索（同 search）")
    department = django_filters.CharFilter(method="filter_department", label="单位代码")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="仅超期", widget=YesNo)
    due_within = django_filters.NumberFilter(method="filter_due_within", label="N个工作日内到期",
                                             min_value=0, max_value=60)

    hidden_in_form = ("q",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for flt in self.filters.values():
            if isinstance(flt, django_filters.OrderingFilter):
                flt.extra.setdefault("empty_label", "默认顺序")
                labels = {v: str(label) for v, label in flt.extra.get("choices", []) if not v.startswith("-")}
                flt.extra["choices"] = [(v, f"{labels.get(v[1:], v[1:])}（倒序）" if v.startswith("-") else label)
                                        for v, label in flt.extra.get("choices", [])]
            elif isinstance(flt, django_filters.BooleanFilter) and flt.extra.get("widget") is None:
                flt.extra["widget"] = YesNo

    def _readable_rows(self) -> Q | None:
        """The rows whose private free text the user reads in the original, or None for none of them."""
        from casework.privacy import cleared_departments

        user = getattr(self.request, "user", None)
        departments = cleared_departments(user, self.queryset.model) if self.private_handling_field else []
        return Q(**{f"{self.private_handling_field}__in": departments}) if departments else None

    def filter_search(self, queryset, name, value):
        words = (value or "").split()[:MAX_SEARCH_WORDS]
        related = any("__" in f for f in self.search_fields + self.private_search_fields)
        readable = self._readable_rows() if words and self.private_search_fields else None
        for word in words:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": word})
            if readable is not None:
                private = Q()
                for field in self.private_search_fields:
                    private |= Q(**{f"{field}__icontains": word})
                cond |= private & readable
            queryset = queryset.filter(cond)
        if words and related:  # a match on two related rows must not list the row twice
            queryset = queryset.distinct()
        return queryset

    def filter_department(self, queryset, name, value):
        code = (value or "").strip()
        if not code or not self.department_fields:
            return queryset
        cond = Q()
        for field in self.department_fields:
            cond |= Q(**{f"{field}__code": code})
        return queryset.filter(cond).distinct() if any("__" in f for f in self.department_fields) \
            else queryset.filter(cond)

    def _clock_cond(self, **kwargs) -> Q:
        model = self.queryset.model
        cond = Q(pk__in=[])
        for path in self.clock_paths:
            target = model if not path else _model_at(model, path)
            ids = clock_subject_ids(target, **kwargs)
            if ids:
                cond |= Q(**{"pk__in" if not path else f"{path}__in": ids})
        return cond

    def filter_overdue(self, queryset, name, value):
        if value is None or not self.clock_paths:
            return queryset
        cond = self._clock_cond(late=True)
        return queryset.filter(cond).distinct() if value else queryset.exclude(cond)

    def filter_due_within(self, queryset, name, value):
        if value is None or not self.clock_paths:
            return queryset
        from casework.calendar.services import get_calendar

        today = timezone.localdate()
        try:
            last = get_calendar().add_working_days(today, int(value)).date if value >= 1 else today
        except Exception:  # beyond the calendar: count calendar days instead, never fail a list
            last = today + dt.timedelta(days=int(value) * 7 // 5 + 1)
        end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
        return queryset.filter(self._clock_cond(late=False, due_by=end)).distinct()


def bind(filterset_class, data, queryset, request) -> CaseListFilter:
    """The bound filter, or a DomainError naming each bad parameter (mapped once to 400 on pages and the API)."""
    filtered = filterset_class(data, queryset=queryset, request=request)
    if not filtered.is_valid():
        errors = {k: [str(m) for m in v] for k, v in filtered.errors.items()}
        raise DomainError("筛选条件有误：" + "；".join(f"{filtered.form.fields[k].label or k}：{v[0]}"
                                                   if k in filtered.form.fields else f"{k}：{v[0]}"
                                                   for k, v in errors.items()), field_errors=errors)
    return filtered


@dataclass(frozen=True)
class Ledger:
    """One list as a user sees it: its filter, the queryset scoped to that user, the ledger's columns and file name;
    `name` is the registered name that rebuilds it for a user (`get_ledger(name)(user)`)."""

    filterset_class: type
    queryset: QuerySet
    columns: list
    filename: str
    name: str = ""


_LEDGERS: dict[str, Callable] = {}


def ledger(name: str):
    """Register `fn(user) -> Ledger` under `name` ("<app label>.<list>", defined in that app's selectors module so a
    worker finds it by importing them); the Ledger it returns carries the name."""

    def register(fn):
        def build(user) -> Ledger:
            built = fn(user)
            return Ledger(built.filterset_class, built.queryset, built.columns, built.filename, name)

        build.__name__, build.__doc__, build.ledger_name = fn.__name__, fn.__doc__, name
        _LEDGERS[name] = build
        return build

    return register


def get_ledger(name: str) -> Callable:
    """The registered ledger builder, importing its app's selectors if need be; DomainError for an unknown name."""
    from django.apps import apps

    parts = name.split(".")
    if name not in _LEDGERS and apps.is_installed(parts[0]):
        for i in range(len(parts) - 1, 0, -1):  # "casework.letters.all": casework.letters.selectors, then casework's
            try:
                import_module(".".join(parts[:i]) + ".selectors")
            except ModuleNotFoundError:
                continue
            if name in _LEDGERS:
                break
    if name not in _LEDGERS:
        raise DomainError.for_field("ledger", f"没有名为 {name} 的台账")
    return _LEDGERS[name]


def export_query(params, fixed: dict | None = None) -> str:
    """The filter part of a list's query string (without `export` and `page`), as a background export keeps it;
    `fixed`: filter values the page takes from its path (one mechanism's list), which the worker needs too."""
    params = params.copy()
    for key in ("export", "page"):
        params.pop(key, None)
    for key, value in (fixed or {}).items():
        params[key] = str(value)
    return params.urlencode()


def list_page(request, source: Ledger, *, template: str, context: dict | None = None,
              prepare: Callable[[list], Iterable] | None = None, per_page: int = PER_PAGE,
              export_params: dict | None = None):
    """A list page: `?export=csv|xlsx` gives the ledger of the current filter (every row, not one page); otherwise
    one page of `per_page` rows with the total. `prepare` turns a page's rows into what the template shows (e.g.
    pairs of row and masked identity).

    An export of up to PORTAL_EXPORT_INLINE_ROWS rows answers in the request; a larger one of a registered ledger
    becomes a background job (casework.exportjobs) and the user is sent to its progress page. `export_params`: the
    filter values implied by the page's path (e.g. {"mechanism": pk} for one mechanism's list over a ledger
    registered for all of them), added to the job's query so the worker rebuilds the same rows."""
    from casework.ledger import FORMATS, export

    filtered = bind(source.filterset_class, request.GET, source.queryset, request)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in FORMATS:
            raise DomainError.for_field("export", "导出格式须为 csv 或 xlsx")
        inline = settings.PORTAL_EXPORT_INLINE_ROWS  # counted no further than needed to decide
        if source.name and filtered.qs.order_by()[:inline + 1].count() > inline:
            from casework.exportjobs.services import request_export

            job = request_export(actor=request.user, ledger=source.name, query=export_query(request.GET, export_params),
                                 fmt=fmt, path=request.path)
            return redirect("casework:export_job", pk=job.pk)
        return export(filtered.qs.iterator(chunk_size=500), source.columns, fmt=fmt, filename=source.filename)
    number = request.GET.get("page")
    reading = int(number) if number and number.isascii() and number.isdigit() and len(number) < 7 else 1
    page = ListPaginator(filtered.qs, per_page, reading=reading).get_page(number)
    params = request.GET.copy()
    params.pop("page", None)
    rows = list(page.object_list)
    from casework.savedviews.selectors import saved_views_for

    ctx = {"filter": filtered, "page": page, "rows": prepare(rows) if prepare else rows,
           "query": params.urlencode(), "search": request.GET.get("search") or request.GET.get("q", ""),
           "saved_views": saved_views_for(request.user, request.path), "due_choices": ("1", "3", "5", "10")}
    ctx.update(context or {})
    return render(request, template, ctx)


def api_list(request, view, filterset_class, queryset, serializer_class, *, context: dict | None = None,
             prepare: Callable[[list], Iterable] | None = None):
    """The API list with the page's filters: {count, next, previous, results}, `limit`/`offset` bounded. `prepare`
    turns a page's rows into what the serializer reads, as on the page (e.g. each letter as the user may see it)."""
    from casework.api_limits import BoundedLimitOffsetPagination

    filtered = bind(filterset_class, request.query_params, queryset, request)
    paginator = BoundedLimitOffsetPagination()
    page = paginator.paginate_queryset(filtered.qs, request, view=view)
    if prepare is not None:
        page = list(prepare(list(page)))
    ctx = {"request": request}
    ctx.update(context or {})
    return paginator.get_paginated_response(serializer_class(page, many=True, context=ctx).data)


def schema_parameters(filterset_class) -> list:
    """OpenAPI query parameters of a list's filters (for @extend_schema), so the API documents what the page offers."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    kinds = {django_filters.DateFilter: OpenApiTypes.DATE, django_filters.BooleanFilter: OpenApiTypes.BOOL,
             django_filters.NumberFilter: OpenApiTypes.INT}
    params = []
    for name, flt in filterset_class.base_filters.items():
        kind = next((t for cls, t in kinds.items() if isinstance(flt, cls)), OpenApiTypes.STR)
        choices = flt.extra.get("choices") if isinstance(flt, django_filters.ChoiceFilter) else None
        params.append(OpenApiParameter(name, kind, description=str(flt.label or name),
                                       enum=[c[0] for c in choices] if choices else None))
    params += [OpenApiParameter("limit", OpenApiTypes.INT), OpenApiParameter("offset", OpenApiTypes.INT)]
    return params
