from django.db.models import Q

from casework.org.selectors import user_departments
from casework.savedviews.models import SavedView


def saved_views_for(user, path: str) -> list[SavedView]:
    """The user's own saved filters of this list, then those shared with one of their departments."""
    if not getattr(user, "is_authenticated", False):
        return []
    depts = [d.pk for d in user_departments(user)]
    rows = SavedView.objects.filter(Q(owner=user) | Q(department_id__in=depts), path=path).select_related(
        "owner", "department")
    return sorted(rows, key=lambda v: (v.owner_id != user.pk, v.name))
