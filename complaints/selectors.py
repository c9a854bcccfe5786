"""Reads of complaints. Staff see their department's complaints (and ones they transferred on);
the supervision office sees its whole jurisdiction (and receives what nobody claims); the public
sees only its own complaint (by code and secret) and published outcomes."""

from casework.errors import NotFound
from casework.org.selectors import scoped
from complaints.models import Complaint


def visible_complaints(user):
    return scoped(user, Complaint.objects.select_related("department"), department_fields=("department",),
                  perm="complaints.view_complaint")


def get_complaint(user, pk) -> Complaint:
    complaint = visible_complaints(user).filter(pk=pk).first()
    if complaint is None:
        raise NotFound("未找到该投诉。")
    return complaint


def published_complaints():
    return Complaint.objects.filter(published_at__isnull=False).select_related("department").order_by("-published_at")
