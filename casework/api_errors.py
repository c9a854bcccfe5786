"""The one mapping from errors to JSON: {"error": {"code", "message", "fields"}}."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from casework.errors import DomainError


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    # an error about the list or object itself belongs to the field, not to a sub-key
                    out[key if sub == "non_field_errors" else f"{key}.{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"error": {"code": exc.code, "message": exc.message,
                                   "fields": exc.field_errors}}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到该对象。")
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "提交的数据有误：" + "；".join(f"{k}：{v[0]}" for k, v in fields.items())
        response.data = {"error": {"code": "invalid", "message": message, "fields": fields}}
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = {"error": {"code": code, "message": str(detail), "fields": {}}}
        if response.status_code == status.HTTP_403_FORBIDDEN and code == "not_authenticated":
            response.status_code = status.HTTP_401_UNAUTHORIZED
    return response
