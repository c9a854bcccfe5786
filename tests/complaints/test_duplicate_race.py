"""Duplicate-content detection holds under concurrency: 20 identical complaints filed at the same moment, each
with its own submission key (20 different browsers), make one complaint; the others are told it was filed."""

import pytest
from django.db import connection

from complaints import services
from complaints.models import Complaint
from tests.complaints.conftest import complaint_input
from tests.conftest import run_concurrently


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_identical_submissions_at_once_make_one_complaint(luoyang):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    data = complaint_input(luoyang)

    def file(i):
        return lambda: services.file_complaint(data=data, channel="online", submission_key=f"web:browser-{i}")

    results, errors = run_concurrently(*[file(i) for i in range(20)])
    assert not errors, errors
    assert Complaint.objects.count() == 1
    assert sorted(r.duplicate_of_content for r in results) == [False] + [True] * 19
    assert len({r.complaint.pk for r in results}) == 1


def test_the_same_content_from_another_browser_later_is_recognised(luoyang):
    first = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:a")
    second = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:b")
    assert second.duplicate_of_content and second.complaint == first.complaint and second.secret == ""
