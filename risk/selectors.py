"""Reads of tenders and warnings, scoped like clues: the trading centre that sent the data and the
supervising department see them, supervisors see their jurisdiction, everyone else gets a 404."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from casework.errors import NotFound
from casework.listing import Ledger, ledger
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


def warning_ledger():
    from casework.ledger import Column

    return [
        Column("风险分值", lambda w: int(Decimal(str(w.score)).quantize(Decimal(1), ROUND_HALF_UP))),  # as shown
        Column("类型", lambda w: w.get_screen_display()),
        Column("说明", lambda w: w.explanation),
        Column("涉及投标人", lambda w: "、".join(b.get("name", "") for b in w.bidders)),
        Column("投标人数", lambda w: len(w.bidders)),
        Column("涉及招标", lambda w: "、".join(t.tender_id for t in w.tenders.all())),
        Column("行政监督部门", lambda w: w.supervising_department.name),
        Column("交易中心", lambda w: w.source_department.name),
        Column("状态", lambda w: w.get_status_display()), Column("发现时间", lambda w: w.detected_at),
        Column("转成的线索", lambda w: w.clue.reference if w.clue_id else ""),
        Column("排除理由", lambda w: w.dismissed_reason),
    ]


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


@ledger("risk.warnings")
def warning_list_ledger(user) -> Ledger:
    from risk.filters import WarningFilter

    visible = visible_warnings(user).prefetch_related("tenders")
    return Ledger(WarningFilter, visible.order_by("-score", "-detected_at", "-pk"), warning_ledger(), "风险预警台账")
