"""The owner's background exports: the list (我的导出), a job's progress page (polled by static/portal/exports.js
through status.json; no inline script) and the download, audited. Every page 404s for anyone but the owner."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from casework.exportjobs import selectors, services
from casework.exportjobs.models import ExportJob
from casework.ledger import CONTENT_TYPES, attachment_disposition, download_name


@login_required
@require_GET
def job_list(request):
    page = Paginator(selectors.my_jobs(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "casework/export_list.html", {"page": page, "jobs": page.object_list})


@login_required
@require_GET
def job_page(request, pk: int):
    job = selectors.get_job(request.user, pk)
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
