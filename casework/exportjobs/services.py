"""Large ledger exports in the background. A list asked for more than PORTAL_EXPORT_INLINE_ROWS rows
(casework.listing.list_page) becomes an ExportJob; a Celery task rebuilds the same registered ledger for the job's
owner (permissions and masking evaluated again for that user, never wider), streams it to a file in the project's
storage with its progress, and the owner downloads it from the job page until it expires.

Safe on a double click or a retry (one open job per owner, list, filter and format, held by a partial unique
constraint), on a lost task (the dispatch after commit may fail with the broker down: the beat sweep re-dispatches
queued jobs and re-queues running ones whose worker went silent), and on a task delivered twice (a job is claimed by
one conditional update)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from casework.errors import DomainError
from casework.events.services import record
from casework.exportjobs.models import ExportJob
from casework.outbox import dispatch, dispatch_on_commit

log = logging.getLogger(__name__)
State = ExportJob.State


def _setting(name: str, default):
    return getattr(settings, name, default)


def request_export(*, actor, ledger: str, query: str, fmt: str, path: str) -> ExportJob:
    """The open job of this user for this list, filter and format, or a new queued one whose task is asked for
    after commit (never failing the request when the broker is down: the sweep picks the job up)."""
    from casework.listing import get_ledger

    if fmt not in ExportJob.Format.values:
        raise DomainError.for_field("export", "导出格式须为 csv 或 xlsx")
    if len(query) > ExportJob._meta.get_field("query").max_length:
        raise DomainError.for_field("export", "筛选条件过长，无法在后台导出，请简化筛选条件")
    title = get_ledger(ledger)(actor).filename
    open_job = _open_job(actor, ledger, query, fmt)
    if open_job:
        return open_job
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(owner=actor, ledger=ledger, title=title, path=path[:200], query=query,
                                           format=fmt)
            record(actor=actor, obj=job, action="export.requested",
                   after={"ledger": ledger, "query": query, "format": fmt})
    except IntegrityError:  # the same request a moment earlier (double click, two tabs) won the race
        open_job = _open_job(actor, ledger, query, fmt)
        if open_job is None:
            raise
        return open_job
    from casework.tasks import run_export_job

    dispatch_on_commit(run_export_job, job.pk)
    return job


def _open_job(actor, ledger, query, fmt) -> ExportJob | None:
    return ExportJob.objects.filter(owner=actor, ledger=ledger, query=query, format=fmt,
                                    state__in=ExportJob.OPEN_STATES).first()


def run(job_id: int) -> str:
    """Write the job's file, as its owner. Returns the job's state; a job not queued (already taken by another
    delivery of the task, finished, expired) is left alone."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, rows_done=0, error="")
    if not claimed:
        job = ExportJob.objects.filter(pk=job_id).first()
        return job.state if job else ""
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    try:
        _write(job)
    except DomainError as exc:
        _fail(job, str(exc))
    except Exception:  # noqa: BLE001 (logged; the user sees a plain message, the job does not stay "running")
        log.exception("export job %s failed", job_id)
        _fail(job, "导出时发生错误，请稍后重试；如仍失败请联系系统管理员")
    return ExportJob.objects.values_list("state", flat=True).get(pk=job_id)


def _write(job: ExportJob) -> None:
    from casework.ledger import write
    from casework.listing import bind, get_ledger

    owner = job.owner
    if not owner.is_active:
        raise DomainError("导出人的账号已停用，不再导出")
    source = get_ledger(job.ledger)(owner)  # scoped to what the owner may see today
    filtered = bind(source.filterset_class, QueryDict(job.query), source.queryset, SimpleNamespace(user=owner))
    qs = filtered.qs
    total = qs.count()
    limit = int(_setting("PORTAL_EXPORT_JOB_MAX_ROWS", 1_000_000))
    if total > limit:
        raise DomainError.for_field("export", f"导出超过 {limit:,} 行，请缩小筛选范围后分批导出")
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk, state=State.RUNNING).update(rows_done=n, heartbeat_at=timezone.now())

    with tempfile.TemporaryFile(dir=_setting("PORTAL_EXPORT_TMP_DIR", None)) as tmp:
        rows = write(qs.iterator(chunk_size=2000), source.columns, fmt=job.format, out=tmp, title=source.filename,
                     limit=limit, progress=progress, every=int(_setting("PORTAL_EXPORT_PROGRESS_EVERY", 1000)))
        tmp.seek(0)
        job.file.save(f"{uuid.uuid4().hex}.{job.format}", File(tmp), save=False)
    now = timezone.now()
    done = ExportJob.objects.filter(pk=job.pk, state=State.RUNNING).update(
        state=State.DONE, file=job.file.name, rows_done=rows, rows_total=rows, finished_at=now, heartbeat_at=now,
        expires_at=now + dt.timedelta(hours=float(_setting("PORTAL_EXPORT_KEEP_HOURS", 72))))
    if not done:  # re-queued by the sweep meanwhile (this worker looked dead): the other run writes its own file
        job.file.storage.delete(job.file.name)


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk, state=State.RUNNING).update(
        state=State.FAILED, error=message[:2000], finished_at=timezone.now())


def sweep(*, now: dt.datetime | None = None) -> int:
    """Beat: dispatch the queued jobs whose task was lost (broker down at the request), and re-queue the running
    ones whose worker has been silent for PORTAL_EXPORT_STALE_MINUTES (failed after three attempts). Returns how
    many were dispatched."""
    from casework.tasks import run_export_job

    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=float(_setting("PORTAL_EXPORT_STALE_MINUTES", 10)))
    for job in ExportJob.objects.filter(state=State.RUNNING, heartbeat_at__lt=stale):
        if job.attempts >= 3:
            _fail(job, "导出多次中断，请缩小筛选范围后重试")
        else:
            ExportJob.objects.filter(pk=job.pk, state=State.RUNNING, heartbeat_at=job.heartbeat_at).update(
                state=State.QUEUED)
    waiting = now - dt.timedelta(seconds=float(_setting("PORTAL_EXPORT_REDISPATCH_SECONDS", 60)))
    # waiting since before the cutoff: never started, or re-queued after a silent worker
    ids = list(ExportJob.objects.filter(Q(heartbeat_at__isnull=True, created_at__lt=waiting)
                                        | Q(heartbeat_at__lt=waiting), state=State.QUEUED).values_list("pk", flat=True))
    return sum(dispatch(run_export_job, pk) for pk in ids)


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Beat: delete the files of finished jobs past their expiry; the job stays in the owner's list as expired."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(state=State.DONE, expires_at__lt=now):
        name = job.file.name
        if ExportJob.objects.filter(pk=job.pk, state=State.DONE).update(state=State.EXPIRED, file=""):
            if name:
                job.file.storage.delete(name)
            purged += 1
    return purged


def open_file(*, actor, job: ExportJob):
    """The finished file for its owner (the selector found `job` among the actor's own), the download audited."""
    if job.state != State.DONE or not job.file:
        from casework.errors import NotFound

        raise NotFound("导出文件尚未生成或已过期。")
    handle = job.file.open("rb")
    record(actor=actor, obj=job, action="export.downloaded",
           after={"ledger": job.ledger, "query": job.query, "format": job.format, "rows": job.rows_done})
    return handle
