import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from casework.context import request_ip
from casework.errors import DomainError


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind a trusted proxy (PORTAL_TRUSTED_PROXY_HEADER, e.g.
    HTTP_X_FORWARDED_FOR), the address PORTAL_TRUSTED_PROXY_COUNT hops from the right of that header, which the
    proxies themselves appended (entries further left are whatever the client sent, so never trusted)."""
    header = getattr(settings, "PORTAL_TRUSTED_PROXY_HEADER", "")
    if header:
        hops = [h.strip() for h in request.META.get(header, "").split(",") if h.strip()]
        count = max(int(getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 1)), 1)
        if len(hops) >= count and _is_ip(hops[-count]):
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def axes_client_ip(request) -> str:
    return client_ip(request) or ""


class RequestContextMiddleware:
    """Records the source IP for audit events written while handling this request, and opens the request's memo
    of reference data (casework.memo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from casework import memo

        token = request_ip.set(client_ip(request))
        try:
            with memo.scope():
                return self.get_response(request)
        finally:
            request_ip.reset(token)


class ApiBodyLimitMiddleware:
    """An API body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 JSON before anything reads it (not Django's
    HTML 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            from casework.api_errors import PAYLOAD_TOO_LARGE
            from casework.api_limits import body_too_large

            if body_too_large(request):
                return JsonResponse({"error": {"code": "payload_too_large", "message": PAYLOAD_TOO_LARGE,
                                               "fields": {}}}, status=413)
        return self.get_response(request)


MAX_FORM_FIELD_CHARS = 20_000  # the largest free-text field the API accepts (a complaint's grounds, a summary)


class FormFieldCapMiddleware:
    """No free-text field of a page's form may exceed MAX_FORM_FIELD_CHARS, whatever the form declares: a
    450,000-character complaint is refused with a 400 naming the field, before any view or service sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path.startswith("/api/"):
            ctype = request.META.get("CONTENT_TYPE", "")
            if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                for key, values in request.POST.lists():
                    longest = max((len(v) for v in values), default=0)
                    if longest > MAX_FORM_FIELD_CHARS:
                        error = DomainError.for_field(
                            key, f"“{key}”的内容过长（{longest:,} 字），每项最多 {MAX_FORM_FIELD_CHARS:,} 字")
                        return render(request, "casework/error.html", {"error": error}, status=400)
        return self.get_response(request)


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
