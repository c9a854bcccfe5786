from celery import shared_task


@shared_task
def refresh_rollup() -> int:
    """Beat: recompute the dashboard rollup for the recent days."""
    from supervision.rollup import refresh_recent

    return refresh_recent()
