from casework.calendar.services import missing_year_warning
from casework.org.models import Membership
from casework.org.selectors import user_departments, user_roles


def _auditor(user) -> bool:
    from casework.events.selectors import AUDIT_PERM
    from casework.privacy import holds_perm

    return holds_perm(user, AUDIT_PERM)


def portal(request):
    user = request.user
    replay = {"form_replay": getattr(request, "form_replay", None)}
    if not getattr(user, "is_authenticated", False):
        return replay
    roles = user_roles(user)
    is_admin = Membership.Role.ADMIN in roles or user.is_superuser
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "portal_departments": user_departments(user),
        "portal_roles": roles,
        "portal_is_supervisor": Membership.Role.SUPERVISOR in roles,
        "portal_is_admin": is_admin,
        "portal_unread": unread,
        "portal_is_auditor": _auditor(user),
        "calendar_warning": missing_year_warning() if is_admin else None,
        **replay,
    }
