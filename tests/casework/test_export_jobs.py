"""Large ledger exports as background jobs (casework.exportjobs): a small export still answers in the request; a
larger one becomes a job whose task rebuilds the same filtered list as its owner, writes the file in the project's
storage with progress, and only the owner downloads it (audited). A double click gives the same job; with the broker
down the job waits for the beat sweep; expired files are deleted."""

import datetime as dt
import io
from unittest import mock

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from casework.events.models import Event
from casework.exportjobs import services as jobs
from casework.exportjobs.models import ExportJob
from casework.org.models import Membership
from complaints import services
from tests.complaints.conftest import ID_NUMBER, NAME, PHONE, complaint_input

BIG = override_settings(PORTAL_EXPORT_INLINE_ROWS=2)


@pytest.fixture
def complaints(luoyang):
    return [services.file_complaint(data=complaint_input(luoyang, project_name=f"洛阳市第{n}号道路工程",
                                                                   project_code=f"LYGC2026-3{n}0"),
                                    channel="online", submission_key=f"web:job-{n}").complaint for n in range(3)]


def _rows(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.values)


def _job_from(response) -> ExportJob:
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def test_a_small_export_still_answers_in_the_request(client, bob, complaints):
    client.force_login(bob)
    response = client.get("/complaints/", {"export": "xlsx", "search": "道路"})
    assert response.status_code == 200 and len(_rows(response.content)) == 1 + 3
    assert not ExportJob.objects.exists()


def test_a_big_export_runs_as_its_owner_and_equals_the_page(client, bob, complaints):
    client.force_login(bob)
    inline = _rows(client.get("/complaints/", {"export": "xlsx", "search": "道路"}).content)
    with BIG:
        job = _job_from(client.get("/complaints/", {"export": "xlsx", "search": "道路", "page": "2"}))
    assert (job.owner, job.ledger, job.query, job.format, job.state) == (
        bob, "complaints.complaints", "search=%E9%81%93%E8%B7%AF", "xlsx", ExportJob.State.QUEUED)
    page = client.get(f"/exports/{job.pk}/")
    assert page.status_code == 200 and "排队中" in page.content.decode() and "<script>" not in page.content.decode()
    assert "搜索：道路" in page.content.decode()                        # the filter as the list's form names it
    assert client.get(f"/exports/{job.pk}/status.json").json()["download_url"] == ""

    with override_settings(PORTAL_EXPORT_PROGRESS_EVERY=1):
        assert jobs.run(job.pk) == ExportJob.State.DONE
    job.refresh_from_db()
    assert job.rows_done == job.rows_total == 3 and job.file.name.startswith("exports/") and job.expires_at
    status = client.get(f"/exports/{job.pk}/status.json").json()
    assert status["percent"] == 100 and status["download_url"] == f"/exports/{job.pk}/download/"
    assert "下载导出文件" in client.get(f"/exports/{job.pk}/").content.decode()
    assert job.title in client.get("/exports/").content.decode()

    download = client.get(status["download_url"])
    content = b"".join(download.streaming_content)
    rows = _rows(content)
    assert rows == inline                                           # exactly the page's ledger
    assert rows[1][3] == "周**"                                      # masked as on screen
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert NAME not in text and ID_NUMBER not in text and PHONE not in text
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    assert Event.objects.filter(action="export.downloaded", object_id=str(job.pk)).count() == 1
    assert jobs.run(job.pk) == ExportJob.State.DONE                  # a second delivery of the task: nothing


def test_only_the_owner_sees_or_downloads_a_job(client, bob, carol, erin, complaints):
    client.force_login(bob)
    with BIG:
        job = _job_from(client.get("/complaints/", {"export": "csv"}))
    jobs.run(job.pk)
    for other in (carol, erin):  # the same department's leader too: an export is personal
        client.force_login(other)
        for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/status.json", f"/exports/{job.pk}/download/"):
            assert client.get(url).status_code == 404, (other, url)
        assert job.title not in client.get("/exports/").content.decode()
    assert not Event.objects.filter(action="export.downloaded").exists()
    client.force_login(bob)
    csv = b"".join(client.get(f"/exports/{job.pk}/download/").streaming_content).decode("utf-8")
    assert csv.startswith("\ufeff投诉编号") and all(c.reference in csv for c in complaints) and NAME not in csv


def test_a_double_click_gives_the_same_job(client, bob, complaints):
    client.force_login(bob)
    with BIG:
        first = _job_from(client.get("/complaints/", {"export": "xlsx"}))
        again = _job_from(client.get("/complaints/", {"export": "xlsx"}))
        other_format = _job_from(client.get("/complaints/", {"export": "csv"}))
        assert again == first and other_format != first
        jobs.run(first.pk)
        after = _job_from(client.get("/complaints/", {"export": "xlsx"}))  # finished: a new request is a new job
    assert after != first and ExportJob.objects.count() == 3
    assert Event.objects.filter(action="export.requested").count() == 3


def test_the_job_rebuilds_the_list_for_its_owner_today_never_wider(client, bob, complaints):
    client.force_login(bob)
    with BIG:
        job = _job_from(client.get("/complaints/", {"export": "xlsx"}))
        inactive = _job_from(client.get("/complaints/", {"export": "csv"}))
    Membership.objects.filter(user=bob).delete()                     # moved out of the department meanwhile
    bob.groups.clear()                                               # (its group carries the object grants)
    assert jobs.run(job.pk) == ExportJob.State.DONE
    job.refresh_from_db()
    assert job.rows_total == 0 and len(_rows(job.file.read())) == 1  # the header only
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)
    assert jobs.run(inactive.pk) == ExportJob.State.FAILED
    assert "停用" in ExportJob.objects.get(pk=inactive.pk).error


def test_with_the_broker_down_the_job_waits_for_the_sweep(client, bob, complaints, django_capture_on_commit_callbacks):
    from casework.tasks import run_export_job

    client.force_login(bob)
    with BIG, mock.patch.object(run_export_job, "apply_async", side_effect=OSError("broker down")) as down, \
            django_capture_on_commit_callbacks(execute=True):
        job = _job_from(client.get("/complaints/", {"export": "xlsx"}))
    assert down.called and ExportJob.objects.get(pk=job.pk).state == ExportJob.State.QUEUED
    with mock.patch.object(run_export_job, "apply_async") as up:
        assert jobs.sweep() == 0                                     # too recent: its task may still be on the way
        assert jobs.sweep(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    up.assert_called_once_with(args=(job.pk,), retry=False)
    assert jobs.run(job.pk) == ExportJob.State.DONE


def test_a_running_job_whose_worker_died_is_queued_again(bob, complaints):
    job = ExportJob.objects.create(owner=bob, ledger="complaints.complaints", title="投诉台账", path="/complaints/",
                                   format="xlsx", state=ExportJob.State.RUNNING, attempts=1,
                                   heartbeat_at=timezone.now() - dt.timedelta(minutes=30))
    with mock.patch("casework.tasks.run_export_job.apply_async") as up:
        assert jobs.sweep() == 1
    assert up.called and ExportJob.objects.get(pk=job.pk).state == ExportJob.State.QUEUED
    assert jobs.run(job.pk) == ExportJob.State.DONE


@override_settings(PORTAL_EXPORT_JOB_MAX_ROWS=2)
def test_the_background_cap_fails_the_job_with_a_reason(client, bob, complaints):
    client.force_login(bob)
    with BIG:
        job = _job_from(client.get("/complaints/", {"export": "xlsx"}))
    assert jobs.run(job.pk) == ExportJob.State.FAILED
    job.refresh_from_db()
    assert "导出超过 2 行" in job.error and not job.file
    assert "导出超过 2 行" in client.get(f"/exports/{job.pk}/status.json").json()["error"]


def test_expired_files_are_deleted_and_the_orphan_sweep_keeps_live_ones(client, bob, complaints):
    from casework.attachments.orphans import sweep_orphan_files

    client.force_login(bob)
    with BIG:
        job = _job_from(client.get("/complaints/", {"export": "xlsx"}))
    jobs.run(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert name not in sweep_orphan_files(older_than=dt.timedelta(0)) and default_storage.exists(name)
    assert jobs.purge_expired() == 0
    assert jobs.purge_expired(now=job.expires_at + dt.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED and not job.file and not default_storage.exists(name)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert "已过期" in client.get("/exports/").content.decode()


@pytest.mark.parametrize("name", ["casework.letters.all", "risk.warnings", "inspections.projects",
                                  "referrals.clues", "casework.clocks", "consultations.decisions"])
def test_a_worker_finds_every_list_ledger_by_its_name(luoyang, bob, name, monkeypatch):
    """The worker rebuilds a job's list from its registered name alone, whichever package's selectors define it."""
    import sys

    from casework import listing

    # as in a fresh worker that has not imported any list's selectors yet
    monkeypatch.setattr(listing, "_LEDGERS", {})
    for module in [m for m in sys.modules if m.endswith(".selectors")]:
        package, _, attr = module.rpartition(".")
        if package in sys.modules and hasattr(sys.modules[package], attr):  # restored after the test, as the module
            monkeypatch.setattr(sys.modules[package], attr, sys.modules[module])
        monkeypatch.delitem(sys.modules, module)
    built = listing.get_ledger(name)(bob)
    assert built.name == name and built.columns and built.filename
