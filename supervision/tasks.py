from celery import shared_task


@shared_task
def refresh_rollup() -> int:
    """Beat: recompute the dashboard rollup for the recent days."""
    from supervision.rollup import refresh_recent

    return refresh_recent()


@shared_task
def open_quarterly_reports() -> int:
    """Beat: the quarter that just ended gets its report and `supervision.report` clock at every office."""
    from supervision.reports import open_due_reports

    return open_due_reports()
