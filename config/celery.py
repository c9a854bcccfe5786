import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_objects(**_):
    """What a worker process loaded at start (modules, URL patterns, templates, settings) never becomes garbage:
    frozen out of the collector's reach, a full collection no longer walks it. One took 250-400 ms in the middle of
    a 1,000-clock deadline sweep (issue 18). Sent in each prefork child as it starts."""
    import gc

    gc.freeze()
