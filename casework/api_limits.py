"""Bounds on what the API accepts: JSON depth, body size, page size, request rates, date ranges.

Each refusal is a 400/413/429 in the one JSON error shape (casework.api_errors), naming the field."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from rest_framework import exceptions, parsers, throttling
from rest_framework.pagination import LimitOffsetPagination

from casework import ratelimit
from casework.middleware import client_ip

MAX_JSON_DEPTH = 32
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 10**9
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def json_depth_problem(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `value` nests deeper than `limit` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


class BoundedJSONParser(parsers.JSONParser):
    """JSON no deeper than MAX_JSON_DEPTH; a body nested thousands deep is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON 嵌套过深（不超过 {MAX_JSON_DEPTH} 层）") from exc
        if json_depth_problem(data):
            raise exceptions.ParseError(f"JSON 嵌套过深（不超过 {MAX_JSON_DEPTH} 层）")
        return data


def _bounded_int(request, name: str, maximum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) > maximum:
        raise exceptions.ValidationError({name: [f"须为 0 到 {maximum} 之间的整数"]})
    return int(raw)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """`limit` (at most 1000) and `offset` are checked: a huge or malformed value is a 400 naming it. `count` is
    exact up to 1,000 (beyond, 1000 with `count_at_least: true`), or the planner's estimate with
    `count_estimated: true` when counting takes too long (casework.listing.count_rows)."""

    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request):
        value = _bounded_int(request, self.limit_query_param, self.max_limit)
        if value == 0:
            raise exceptions.ValidationError({self.limit_query_param: [f"须为 1 到 {self.max_limit} 之间的整数"]})
        return self.default_limit if value is None else value

    def get_offset(self, request):
        return _bounded_int(request, self.offset_query_param, MAX_OFFSET) or 0

    count_note = ""

    def get_count(self, queryset):
        if not hasattr(queryset, "query"):
            return super().get_count(queryset)
        from casework.listing import count_rows

        reading = self.get_offset(self.request) + self.get_limit(self.request)  # one row past it: a next page
        total, self.count_note = count_rows(queryset, cap=reading + 1)
        return total

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.count_note:  # as the page says "超过 N 条" or "约 N 条"
            response.data["count_at_least" if self.count_note == "at_least" else "count_estimated"] = True
        return response


class _PortalThrottle(throttling.BaseThrottle):
    scope = ""

    def key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        key = self.key(request)
        if key is None:
            return True
        allowed, self._wait = ratelimit.hit(self.scope, key)
        return allowed

    def wait(self):
        return getattr(self, "_wait", None)


class TokenRateThrottle(_PortalThrottle):
    """Per API token (PORTAL_RATE_LIMITS["api_token"])."""

    scope = "api_token"

    def key(self, request):
        client = getattr(request, "api_client", None)
        return f"client{client.pk}" if client is not None else None


class AddressRateThrottle(_PortalThrottle):
    """Per client address, for requests without a token (PORTAL_RATE_LIMITS["api_address"])."""

    scope = "api_address"

    def key(self, request):
        if getattr(request, "api_client", None) is not None:
            return None
        return client_ip(request) or "-"


def check_datetime(value: dt.datetime, field: str) -> dt.datetime:
    """Refuse dates outside EARLIEST_YEAR..LATEST_YEAR (year 1 or 9999 overflow every time-zone conversion)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise exceptions.ValidationError({field: [f"年份须在 {EARLIEST_YEAR} 到 {LATEST_YEAR} 之间"]})
    return value


def check_date(value: dt.date, field: str) -> dt.date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise exceptions.ValidationError({field: [f"年份须在 {EARLIEST_YEAR} 到 {LATEST_YEAR} 之间"]})
    return value


def body_too_large(request) -> bool:
    """A non-multipart body over DATA_UPLOAD_MAX_MEMORY_SIZE (files are bounded by casework.uploads)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    ctype = request.META.get("CONTENT_TYPE", "")
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not ctype.startswith("multipart/")


__all__ = ["BoundedJSONParser", "BoundedLimitOffsetPagination", "TokenRateThrottle", "AddressRateThrottle",
           "check_datetime", "check_date"]
