"""Rate limits on pages and the API, counted in the cache per client address (or per API token).

Limits are settings (PORTAL_RATE_LIMITS, "count/seconds"), read on every call so they can be tuned per
environment. Over the limit, a page answers 429 with a Chinese message; the API answers 429 JSON (api_limits)."""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from casework.middleware import client_ip

MESSAGE = "操作过于频繁，请稍后再试。"


def rate(scope: str) -> tuple[int, int]:
    count, _, seconds = settings.PORTAL_RATE_LIMITS[scope].partition("/")
    return int(count), int(seconds or 60)


def hit(scope: str, key: str, *, count: bool = True) -> tuple[bool, int]:
    """Count one request of `scope` by `key` in the current window. Returns (allowed, seconds to wait)."""
    limit, window = rate(scope)
    now = int(time.time())
    bucket = now // window
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if count:
        cache.add(cache_key, 0, timeout=window + 5)
        try:
            used = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=window + 5)
            used = 1
    else:
        used = cache.get(cache_key, 0)
    return used <= limit, (bucket + 1) * window - now


def too_many(request, wait: int):
    response = render(request, "casework/too_many.html", {"message": MESSAGE, "wait": max(wait, 1)}, status=429)
    response["Retry-After"] = str(max(wait, 1))
    return response


def limit(scope: str, methods: tuple[str, ...] = ("POST",)):
    """Decorate a view: requests of `methods` from one address beyond the `scope` limit get a 429 page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                allowed, wait = hit(scope, client_ip(request) or "-")
                if not allowed:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# --- CAPTCHA after a few public submissions from one address -------------------------------------------------

def _captcha_key(request) -> str:
    return f"captcha-count:{client_ip(request) or '-'}"


def captcha_required(request) -> bool:
    return cache.get(_captcha_key(request), 0) >= settings.PORTAL_CAPTCHA_AFTER


def count_public_submission(request) -> None:
    key = _captcha_key(request)
    cache.add(key, 0, timeout=settings.PORTAL_CAPTCHA_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.PORTAL_CAPTCHA_WINDOW_SECONDS)
