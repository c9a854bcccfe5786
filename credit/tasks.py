from celery import shared_task


@shared_task(name="credit.tasks.settle_pushes")
def settle_pushes() -> int:
    """Meet the publication clock of penalties whose push to the credit platform was delivered."""
    from credit.services import settle_pushes as settle

    return settle()
