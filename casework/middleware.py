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
    """Pages: a DomainError becomes a page naming what is wrong, with its HTTP status.

    Bad input posted from one of the portal's own pages does not throw away what was typed: the page the form
    was on is shown again (still a 400), with the message on top and, through static/portal/forms.js, every
    typed value back in its field and each field's error beside it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            if exception.status == 400 and request.method == "POST":
                again = replay_form_page(request, exception)
                if again is not None:
                    return again
            return render(request, "casework/error.html", {"error": exception},
                          status=exception.status)
        return None


REPLAY_SKIP = {"csrfmiddlewaretoken", "submission_key"}


def replay_form_page(request, exception):
    """Render the page the form came from (its Referer, on this site) as a GET, with the posted values and the
    errors for forms.js; None when there is no such page or it does not render plainly."""
    import copy
    from urllib.parse import urlsplit

    from django.contrib import messages
    from django.http import QueryDict
    from django.urls import Resolver404, resolve
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                          require_https=request.is_secure()):
        return None
    parts = urlsplit(referer)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    page = copy.copy(request)
    page.method, page.path, page.path_info = "GET", parts.path, parts.path
    page.GET, page.POST, page.resolver_match = QueryDict(parts.query), QueryDict(), match
    page.form_replay = {
        "action": request.path, "message": exception.message,
        "values": {k: request.POST.getlist(k) for k in request.POST if k not in REPLAY_SKIP},
        "errors": {k: [str(m) for m in v] for k, v in (exception.field_errors or {}).items()},
    }
    messages.error(request, exception.message)
    try:
        response = match.func(page, *match.args, **match.kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response = response.render()
    except Exception:  # the page itself cannot be shown again: fall back to the plain error page
        response = None
    if response is None or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        for _ in messages.get_messages(request):  # the error page says it; do not carry it to the next page
            pass
        return None
    response.status_code = exception.status
    return response
