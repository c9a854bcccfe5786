"""Celery tasks take ids (or nothing) and call services."""

from celery import shared_task


@shared_task(name="consultations.tasks.roll_regular_periods")
def roll_regular_periods() -> int:
    """Open each mechanism's current regular-meeting period (its clock) when the previous one has passed."""
    from consultations.services import roll_regular_periods as roll

    return roll()
