"""The one mapping from errors to JSON: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import RequestDataTooBig
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


PAYLOAD_TOO_LARGE = "请求体过大：JSON 或表单数据不超过 2 MB（证据文件请以 multipart 单独上传，单个不超过 20 MB）"


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"error": {"code": exc.code, "message": exc.message,
                                   "fields": exc.field_errors}}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到该对象。")
    if isinstance(exc, RequestDataTooBig):
        return Response({"error": {"code": "payload_too_large", "message": PAYLOAD_TOO_LARGE, "fields": {}}},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, exceptions.Throttled):
        from casework.ratelimit import MESSAGE

        wait = f"请在约 {int(exc.wait)} 秒后重试。" if exc.wait else ""
        response = Response({"error": {"code": "throttled", "message": MESSAGE + wait, "fields": {}}}, status=429)
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response
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
