"""Reads for assistance requests and joint actions, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Q

from casework.listing import Ledger, ledger
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


def _participants(action) -> str:
    return "、".join(p.department.name for p in action.participants.all())




def assistance_ledger():
    from casework import privacy
    from casework.ledger import Column

    return [
        Column("编号", lambda r: r.handoff.reference), Column("案件名称", lambda r: r.case_name),
        Column("请求单位", lambda r: r.requester.name), Column("协助单位", lambda r: r.assistant.name),
        Column("需要协助办理的事项", lambda r: privacy.mask_text(r.matters)),
        Column("状态", lambda r: r.get_state_display()),
        Column("发出时间", lambda r: r.created_at), Column("请求反馈期限", lambda r: r.reply_by),
        Column("决定协助时间", lambda r: r.accepted_at), Column("办结时间", lambda r: r.closed_at),
    ]


def action_ledger():
    from casework.ledger import Column

    return [
        Column("编号", lambda a: a.reference), Column("名称", lambda a: a.title),
        Column("类型", lambda a: a.get_kind_display()), Column("发起部门", lambda a: a.initiator.name),
        Column("参与部门", _participants), Column("发起情形", lambda a: a.get_trigger_display()),
        Column("状态", lambda a: a.get_state_display()), Column("发起时间", lambda a: a.created_at),
        Column("方案确定时间", lambda a: a.settled_at), Column("实施结束时间", lambda a: a.ended_at),
    ]


@ledger("jointaction.assistance")
def assistance_list_ledger(user) -> Ledger:
    from jointaction.filters import AssistanceFilter

    return Ledger(AssistanceFilter, visible_assistance(user).order_by("-created_at", "-pk"), assistance_ledger(),
                  "协助办理台账")


@ledger("jointaction.actions")
def action_list_ledger(user) -> Ledger:
    from jointaction.filters import JointActionFilter

    return Ledger(JointActionFilter, visible_actions(user).prefetch_related("participants__department").order_by(
        "-created_at", "-pk"), action_ledger(), "联合执法检查台账")
