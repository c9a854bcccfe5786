from casework.errors import NotFound
from casework.exportjobs.models import ExportJob


def my_jobs(user):
    return ExportJob.objects.filter(owner=user)


def get_job(user, pk) -> ExportJob:
    """The user's own job; anyone else's is not found (404), whoever they are."""
    job = my_jobs(user).filter(pk=pk).first() if user.is_authenticated else None
    if job is None:
        raise NotFound("未找到该导出任务。")
    return job
