"""The outbox pattern, shared by every channel (webhooks, e-mail): rows are written in the business
transaction; after commit a Celery task is asked to deliver them; a beat sweep delivers whatever that task
never got to (broker down, worker killed). Asking Celery can therefore never fail the request: the filer
always gets the receipt."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def dispatch(task, *args) -> bool:
    """Ask Celery to run `task(*args)` now; False (logged) when the broker is unreachable."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # broker down or misconfigured: the beat sweep delivers later
        log.warning("broker unavailable; %s%r left to the outbox sweep", task.name, args, exc_info=True)
        return False
    return True


def dispatch_on_commit(task, *args) -> None:
    """After the surrounding transaction commits, ask Celery to run `task(*args)`; never raises."""
    transaction.on_commit(lambda: dispatch(task, *args))
