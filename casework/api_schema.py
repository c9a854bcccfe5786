"""OpenAPI post-processing: every operation declares the error answers the portal really gives, in the one
error shape {"error": {"code", "message", "fields"}}."""

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string", "description": "中文说明"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "出错的字段及原因"}}}},
}
DESCRIPTIONS = {
    "400": "输入有误（逐字段说明）",
    "401": "缺少令牌，或令牌无效、已停用、已过期",
    "403": "无权执行（含令牌权限范围不符）",
    "404": "对象不存在或无权知道其存在",
    "409": "与已有数据冲突（如同一 external_id 不同内容）",
    "413": "请求体过大（JSON 不超过 2 MB；线索不超过 256 KB；文件单个不超过 20 MB）",
    "429": "请求过于频繁，请按 Retry-After 稍后再试",
}
WRITES = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            codes = ["400", "401", "403", "429"]
            if "{" in path:
                codes.append("404")
            if method in WRITES:
                codes += ["409", "413"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": DESCRIPTIONS[code],
                                            "content": {"application/json": {"schema": ERROR}}})
    return result
