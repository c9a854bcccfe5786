"""Who is acting and from where, for the audit trail. Set per request by middleware."""

import contextvars

request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_ip", default=None)
