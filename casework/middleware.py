from django.shortcuts import render

from casework.context import request_ip
from casework.errors import DomainError


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Records the source IP for audit events written while handling this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class DomainErrorMiddleware:
    """Pages: a DomainError becomes a page naming what is wrong, with its HTTP status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "casework/error.html", {"error": exception},
                          status=exception.status)
        return None
