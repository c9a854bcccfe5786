"""The owner's background exports: the list (我的导出), a job's progress page (polled by static/portal/exports.js
through status.json; no inline script) and the download, audited. Every page 404s for anyone but the owner."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from casework.exportjobs import selectors, services
from casework.exportjobs.models import ExportJob
from casework.ledger import CONTENT_TYPES, attachment_disposition, download_name


def describe(job: ExportJob, cache: dict | None = None) -> str:
    """The job's filter as the list's form labels it ("搜索：桥梁；仅超期：true"), or 全部."""
    from casework.listing import get_ledger

    cache = {} if cache is None else cache
    if job.ledger not in cache:
        try:  # the owner's ledger (its queryset is never evaluated here): only its filter's labels are read
            cache[job.ledger] = get_ledger(job.ledger)(job.owner).filterset_class.base_filters
        except Exception:  # a list renamed since: the bare parameters still say what was asked
            cache[job.ledger] = {}
    filters = cache[job.ledger]
    parts = [f"{filters[k].label if k in filters and filters[k].label else k}：{v}"
             for k, values in QueryDict(job.query).lists() for v in values if v]
    return "；".join(parts) or "全部"


@login_required
@require_GET
def job_list(request):
    page = Paginator(selectors.my_jobs(request.user), 50).get_page(request.GET.get("page"))
    jobs, labels = list(page.object_list), {}
    for job in jobs:
        job.described = describe(job, labels)
    return render(request, "casework/export_list.html", {"page": page, "jobs": jobs})


@login_required
@require_GET
def job_page(request, pk: int):
    job = selectors.get_job(request.user, pk)
    job.described = describe(job)
    return render(request, "casework/export_job.html", {"job": job, "status": status_of(job)})


def status_of(job: ExportJob) -> dict:
    done = job.state == ExportJob.State.DONE and bool(job.file)
    return {"state": job.state, "state_label": job.get_state_display(), "rows_done": job.rows_done,
            "rows_total": job.rows_total, "percent": job.percent, "error": job.error,
            "finished": job.state not in ExportJob.OPEN_STATES,
            "download_url": reverse("casework:export_download", args=[job.pk]) if done else ""}


@login_required
@require_GET
def job_status(request, pk: int):
    response = JsonResponse(status_of(selectors.get_job(request.user, pk)))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def job_download(request, pk: int):
    job = selectors.get_job(request.user, pk)
    handle = services.open_file(actor=request.user, job=job)
    response = FileResponse(handle, content_type=CONTENT_TYPES[job.format])
    response["Content-Disposition"] = attachment_disposition(download_name(job.title, job.format, job.finished_at))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
