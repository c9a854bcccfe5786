"""Roles inside a department (经办人 handler, 负责人 leader, 联络员 liaison): who may take which decisive step.

The defaults below follow the seeds' common ground: a liaison keeps the contacts and receives notices but decides
no case; pausing or extending a statutory clock and issuing a decision need a leader. A rule profile overrides
any power as data (`RuleProfile.role_powers`, from the preset's `[roles]` table, editable in /admin/), e.g.
`"complaint.publish" = ["handler", "leader"]`. Every refusal names the role that is needed.
"""

from __future__ import annotations

from casework.errors import Forbidden
from casework.org.models import Department, Membership

R = Membership.Role
STAFF = (R.HANDLER, R.LEADER)

# power -> (what it does, in words; the roles that hold it by default)
POWERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # The supervision office's supervisors handle what the office receives (兜底) and designate jurisdiction.
    "complaint.triage": ("受理、不予受理、移交、告知或退回投诉", (R.HANDLER, R.LEADER, R.SUPERVISOR, R.API)),
    "complaint.decide": ("作出投诉处理决定", (R.LEADER,)),
    "complaint.publish": ("公开投诉处理结果", (R.LEADER,)),
    "clock.pause": ("暂停或恢复法定时限计时", (R.LEADER,)),
    "clock.extend": ("批准延长法定时限", (R.LEADER,)),
    "referral.register": ("登记线索", (R.HANDLER, R.LEADER, R.SUPERVISOR, R.API)),
    "referral.handle": ("办结、移送、受理、退回、转送线索或反馈结果", (R.HANDLER, R.LEADER, R.SUPERVISOR, R.API)),
    "assistance.decide": ("决定协助、退回协助办理函或反馈协助结果", (R.HANDLER, R.LEADER, R.API)),
    "letter.sign": ("签发公文", (R.LEADER,)),
    # Joint actions: staff launch an action and answer its plan for their department; ending it and speaking for
    # all its departments (the upward report, the one public notice) is the leader's act.
    "joint_action.launch": ("发起联合执法、联合检查，起草或答复行动方案", (R.HANDLER, R.LEADER)),
    "joint_action.conclude": ("结束联合行动", (R.LEADER,)),
    "joint_action.report": ("上报或统一公布联合行动情况", (R.LEADER,)),
    # Random inspections (双随机一公开): a new draw, the end of the inspection and the public results are decisions.
    "inspection_plan.redraw": ("重新抽取检查对象", (R.LEADER,)),
    "inspection_plan.end": ("结束抽查", (R.LEADER,)),
    "inspection_plan.publish": ("公开抽查结果", (R.LEADER,)),
    # Consultations: the convener's staff record what the meeting agreed; the minutes are issued by the leader.
    "meeting.decide": ("登记、撤回议定事项或记录政府决定", (R.HANDLER, R.LEADER)),
    "meeting.minutes": ("印发会议纪要", (R.LEADER,)),
    "contacts.maintain": ("维护联络人信息、接收通知", (R.HANDLER, R.LEADER, R.LIAISON)),
}


def roles_for(department: Department, power: str) -> tuple[str, ...]:
    """The roles holding `power` in `department`: the department's rule profile, else the default."""
    from casework.rules.services import profile_for

    default = POWERS[power][1]
    try:
        profile = profile_for(department.jurisdiction)
    except Exception:  # a department without any profile keeps the defaults
        return default
    configured = (profile.role_powers or {}).get(power)
    return tuple(configured) if configured else default


def has_power(actor, department: Department, power: str) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=actor, department=department, role__in=roles_for(department, power),
                                     department__active=True).exists()


def require_power(actor, department: Department, power: str) -> None:
    """Refuse (403) naming the role needed: “作出投诉处理决定须由市住建局的负责人办理”."""
    if has_power(actor, department, power):
        return
    roles = "或".join(R(r).label for r in roles_for(department, power) if r != R.API)
    raise Forbidden(f"{POWERS[power][0]}须由{department.name}的{roles}办理", code="role_required")
