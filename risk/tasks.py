"""Screening runs: nightly from beat, and shortly after new tender data arrives (debounced per
jurisdiction, so a burst of pushes causes one run). Tasks take ids and call the service."""

from celery import shared_task
from django.core.cache import cache

DEBOUNCE_SECONDS = 300


def _pending_key(jurisdiction_id: int) -> str:
    return f"risk:screening-queued:{jurisdiction_id}"


def request_screening(jurisdiction_id: int) -> bool:
    """Queue a run for the jurisdiction in a few minutes, unless one is already queued."""
    if not cache.add(_pending_key(jurisdiction_id), 1, timeout=DEBOUNCE_SECONDS * 2):
        return False
    screen_jurisdiction.apply_async((jurisdiction_id,), countdown=DEBOUNCE_SECONDS)
    return True


@shared_task(name="risk.tasks.screen_jurisdiction")
def screen_jurisdiction(jurisdiction_id: int) -> int:
    from casework.org.models import Jurisdiction
    from risk.services import run_screening

    cache.delete(_pending_key(jurisdiction_id))
    jurisdiction = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
    if jurisdiction is None:
        return 0
    return run_screening(jurisdiction=jurisdiction).created


@shared_task(name="risk.tasks.screen_all")
def screen_all() -> int:
    """The nightly run over every jurisdiction with tender data."""
    from risk.services import run_screening

    return run_screening().created
