"""Celery tasks take ids (or nothing) and call services."""

from celery import shared_task


@shared_task(name="casework.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines() -> int:
    import time

    from casework.clocks.escalation import sweep
    from casework.health import record_sweep

    start = time.perf_counter()
    fired = sweep()
    record_sweep(time.perf_counter() - start, fired)
    return fired


@shared_task(name="casework.tasks.send_notification_emails", bind=True, max_retries=8,
             acks_late=True)
def send_notification_emails(self, ids: list[int]) -> int:
    from casework.notifications.services import send_emails

    try:
        return send_emails(ids)
    except Exception as exc:  # SMTP down: retry with back-off; claimed rows were released
        raise self.retry(exc=exc, countdown=min(60 * 2 ** self.request.retries, 3600)) from exc


@shared_task(name="casework.tasks.sweep_notification_emails")
def sweep_notification_emails() -> int:
    """Beat: e-mail every notification still owed (its task lost with the broker or a killed worker)."""
    from casework.notifications.services import sweep_emails

    return sweep_emails()


@shared_task(name="casework.tasks.deliver_sms")
def deliver_sms(ids: list[int]) -> int:
    from casework.sms.services import deliver

    return deliver(ids)


@shared_task(name="casework.tasks.sweep_sms")
def sweep_sms() -> int:
    """Beat: text messages whose task was lost (broker down) or whose provider failed, retried."""
    from casework.sms.services import sweep

    return sweep()


@shared_task(name="casework.tasks.send_notice_digests")
def send_notice_digests() -> int:
    """Beat, daily: one e-mail per person who chose the digest, with the routine notices of the day."""
    from casework.notifications.services import send_digests

    return send_digests()


@shared_task(name="casework.tasks.warn_missing_calendar_year")
def warn_missing_calendar_year() -> bool:
    """From November on, tell administrators (once per year) that next year is missing."""
    from casework.calendar.services import notify_admins_of_missing_year

    return notify_admins_of_missing_year()


@shared_task(name="casework.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: int) -> bool:
    from casework.webhooks.services import deliver

    return deliver(delivery_id)


@shared_task(name="casework.tasks.retry_webhooks")
def retry_webhooks() -> int:
    """Re-dispatch callbacks whose back-off has passed, including any whose task was lost."""
    import logging

    from casework.webhooks.services import deliver, due_deliveries

    ids = due_deliveries()
    for delivery_id in ids:
        try:
            deliver(delivery_id)
        except Exception:  # one bad delivery never stops the others
            logging.getLogger(__name__).exception("webhook delivery %s failed", delivery_id)
    return len(ids)


@shared_task(name="casework.tasks.chain_audit_events")
def chain_audit_events() -> int:
    """The audit chain's sequencer: link committed events in order. Asked for after each commit that wrote
    events (casework.events.services.request_chaining) and run by beat every few seconds as the safety net."""
    from casework.events.services import run_sequencer

    return run_sequencer()


@shared_task(name="casework.tasks.checkpoint_audit_chain")
def checkpoint_audit_chain() -> int:
    """Anchor the chain's tip in the signed checkpoint file outside the database."""
    from casework.events.checkpoints import write_checkpoint
    from casework.events.services import chain_pending

    chain_pending()
    written = write_checkpoint()
    return written["seq"] if written else 0


@shared_task(name="casework.tasks.sweep_orphan_files")
def sweep_orphan_files() -> int:
    """Remove stored files that no record refers to (written by a transaction that rolled back), after the grace
    period."""
    from casework.attachments.orphans import sweep_orphan_files as sweep

    return len(sweep())


@shared_task(name="casework.tasks.run_export_job", acks_late=True)
def run_export_job(job_id: int) -> str:
    """Write a background ledger export as its owner (a second delivery finds the job taken and does nothing)."""
    from casework.exportjobs.services import run

    return run(job_id)


@shared_task(name="casework.tasks.sweep_export_jobs")
def sweep_export_jobs() -> int:
    """Beat: export jobs whose task was lost (broker down when asked) or whose worker went silent, dispatched again."""
    from casework.exportjobs.services import sweep

    return sweep()


@shared_task(name="casework.tasks.purge_expired_exports")
def purge_expired_exports() -> int:
    """Beat: the files of background exports past their expiry, deleted."""
    from casework.exportjobs.services import purge_expired

    return purge_expired()
