"""Operators' endpoints: /healthz (the process answers), /readyz (database, broker and storage reachable) and
/metrics (Prometheus: request latency, queue depth, sweep duration, overdue counts).

/metrics answers only with the bearer token METRICS_TOKEN when one is set, otherwise only to loopback and
private addresses (the scraper inside the deployment's network); anyone else gets a 404. With several
gunicorn workers set PROMETHEUS_MULTIPROC_DIR so the workers' request histograms are summed."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_LATENCY = Histogram("portal_request_seconds", "Time to answer a request", ["method", "route", "status"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SWEEP_CACHE_KEY = "metrics:last_sweep"


class MetricsMiddleware:
    """Observes every request's latency, labelled by URL pattern (never the raw path: bounded cardinality)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        REQUEST_LATENCY.labels(request.method, route[:100], f"{response.status_code // 100}xx").observe(
            time.perf_counter() - start)
        return response


def record_sweep(seconds: float, fired: int) -> None:
    """Called by the sweep task (a worker process): kept in the shared cache for the web's /metrics."""
    cache.set(SWEEP_CACHE_KEY, {"seconds": seconds, "fired": fired, "at": time.time()}, timeout=None)


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return "ok"


def _check_broker() -> str:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_storage() -> str:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as fh:
            if fh.read() != b"ok":
                raise OSError("read back differs")
    finally:
        default_storage.delete(name)
    return "ok"


@never_cache
def readyz(request):
    checks, ok = {}, True
    for name, check in (("database", _check_database), ("broker", _check_broker), ("storage", _check_storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # report, don't raise: the load balancer reads the status code
            checks[name] = f"error: {type(exc).__name__}"
            ok = False
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given, token)
    try:
        addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return addr.is_loopback or addr.is_private


def _queue_depth() -> int:
    from config.celery import app

    with app.connection_for_read() as conn:
        return conn.default_channel.queue_declare(queue="celery", passive=True).message_count


@never_cache
def metrics(request):
    if not _allowed(request):
        raise Http404
    from casework.clocks.models import Clock

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    overdue = Gauge("portal_overdue_clocks", "Running clocks past their deadline", registry=registry)
    overdue.set(Clock.objects.filter(state=Clock.State.BREACHED, closed_at__isnull=True).count())
    due = Gauge("portal_due_clocks", "Clocks whose next escalation rung has come (the sweep's backlog)",
                registry=registry)
    from django.utils import timezone

    due.set(Clock.objects.filter(next_action_at__lte=timezone.now()).count())
    from casework.events.selectors import pending_count

    Gauge("portal_audit_pending_events", "Committed audit events the sequencer has not linked yet",
          registry=registry).set(pending_count())
    depth = Gauge("portal_queue_depth", "Tasks waiting in the Celery queue", registry=registry)
    try:
        depth.set(_queue_depth())
    except Exception:
        depth.set(float("nan"))
    last = cache.get(SWEEP_CACHE_KEY) or {}
    Gauge("portal_sweep_seconds", "Duration of the last deadline sweep", registry=registry).set(
        last.get("seconds", float("nan")))
    Gauge("portal_sweep_fired", "Escalation rungs fired by the last sweep", registry=registry).set(
        last.get("fired", float("nan")))
    Gauge("portal_sweep_last_run", "Unix time of the last deadline sweep", registry=registry).set(
        last.get("at", float("nan")))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
