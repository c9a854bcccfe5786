"""Reads for assistance requests and joint actions, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Q

from casework.org.selectors import scoped, supervised_jurisdiction_ids, user_departments
from jointaction.models import AssistanceRequest, JointAction


def visible_assistance(user):
    """Requests my departments sent or were asked to assist with; a supervisor's, those of the jurisdictions
    overseen."""
    return scoped(user, AssistanceRequest.objects.select_related("requester", "assistant", "handoff"),
                  department_fields=("requester", "assistant"))


def visible_actions(user):
    """Actions my departments initiated or were invited to; a supervisor's, those of the jurisdictions overseen."""
    if not getattr(user, "is_authenticated", False):
        return JointAction.objects.none()
    depts = [d.pk for d in user_departments(user)]
    visible = (Q(initiator_id__in=depts) | Q(participants__department_id__in=depts)
               | Q(report_letter__addressee_id__in=depts))  # the organ the action was reported to
    supervised = supervised_jurisdiction_ids(user)
    if supervised:
        visible |= Q(initiator__jurisdiction_id__in=supervised)
    ids = JointAction.objects.filter(visible).values("pk")
    return JointAction.objects.filter(pk__in=ids).select_related("initiator")


def published_actions():
    """The public page: actions whose results were published, newest first."""
    return (JointAction.objects.filter(state=JointAction.State.PUBLISHED).select_related("initiator", "notice_letter")
            .prefetch_related("participants__department").order_by("-published_at"))
