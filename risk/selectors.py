"""Reads of tenders and warnings, scoped like clues: the trading centre that sent the data and the
supervising department see them, supervisors see their jurisdiction, everyone else gets a 404."""

from django.db.models import Count, Q

from casework.errors import NotFound
from casework.org.selectors import scoped
from risk.models import Bid, Tender, Warning

FIELDS = ("source_department", "supervising_department")


def visible_warnings(user):
    return scoped(user, Warning.objects.select_related("source_department", "supervising_department", "clue"),
                  department_fields=FIELDS)


def visible_tenders(user):
    return scoped(user, Tender.objects.select_related("source_department", "supervising_department"),
                  department_fields=FIELDS)


def get_warning(user, pk) -> Warning:
    warning = visible_warnings(user).filter(pk=pk).first()
    if warning is None:
        raise NotFound("未找到该预警。")
    return warning


def filter_warnings(qs, params):
    """The list's filters (page and API): screen, status, supervising department, minimum score, bidder
    (USCC or name), project (tender id, code or name), raised from/to."""
    screen = params.get("screen")
    if screen:
        qs = qs.filter(screen=screen)
    status = params.get("status")
    if status:
        qs = qs.filter(status=status)
    dept = params.get("department")
    if dept:
        qs = qs.filter(supervising_department__code=dept)
    try:
        min_score = float(params.get("min_score") or 0)
    except ValueError:
        min_score = 0
    if min_score:
        qs = qs.filter(score__gte=min_score)
    bidder = (params.get("bidder") or "").strip()
    if bidder:
        qs = qs.filter(Q(bidder_index__contains=f"|{bidder.upper()}|") | Q(bidders__icontains=bidder))
    project = (params.get("project") or "").strip()
    if project:
        qs = qs.filter(Q(tenders__tender_id=project) | Q(tenders__project_code=project)
                       | Q(tenders__project_name__icontains=project)).distinct()
    for name, lookup in (("from", "detected_at__date__gte"), ("to", "detected_at__date__lte")):
        value = params.get(name)
        if value:
            import datetime as dt

            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(value)})
            except ValueError:
                pass
    return qs


def warning_tenders(warning: Warning):
    return warning.tenders.select_related("supervising_department").annotate(n_bids=Count("bids")).order_by(
        "opened_at", "pk")


def bidder_history(user, uscc: str):
    """The bidder's bids in the tenders the user may see, newest first, and the warnings naming it.
    A bidder the user has no visible tender of is a 404."""
    uscc = (uscc or "").upper()
    bids = (Bid.objects.filter(uscc=uscc, tender__in=visible_tenders(user))
            .select_related("tender", "tender__supervising_department").annotate(n_bids=Count("tender__bids"))
            .order_by("-tender__opened_at", "-pk"))
    if not bids.exists():
        raise NotFound("未找到该投标人的投标记录。")
    warnings = visible_warnings(user).filter(bidder_index__contains=f"|{uscc}|")
    return bids, warnings
