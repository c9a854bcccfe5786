"""The one domain error type. Services raise it; HTTP and pages map it once."""


class DomainError(Exception):
    """A business rule refused the request. `field_errors` name each bad input field."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        if code:
            self.code = code

    @classmethod
    def for_field(cls, field: str, message: str) -> "DomainError":
        return cls(message, field_errors={field: [message]})


class NotFound(DomainError):
    """Also raised for what the actor may not know exists: a 404, never a 403."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "未找到该对象。", **kwargs):
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    """The actor may know the object exists but may not perform this action on it."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
