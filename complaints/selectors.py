"""Reads of complaints. Staff see their department's complaints (and ones they transferred on);
the supervision office sees its whole jurisdiction (and receives what nobody claims); the public
sees only its own complaint (by code and secret) and published outcomes."""

from casework.errors import NotFound
from casework.listing import Ledger, ledger
from casework.org.selectors import scoped
from complaints.models import Complaint


def filing_key_prefix(client) -> str:
    """The submission keys of complaints an API client filed (complaints.api builds them)."""
    return f"client:{client.pk}:"


def visible_complaints(user):
    """The handling side's scope, plus, for another system's API client, the complaints it filed itself: it can
    read their progress back and add evidence (their identity stays masked like everywhere else)."""
    qs = scoped(user, Complaint.objects.select_related("department"), department_fields=("department",),
                perm="complaints.view_complaint")
    client = getattr(user, "api_client", None) if getattr(user, "is_authenticated", False) else None
    if client is not None:
        qs = qs | Complaint.objects.filter(submission_key__startswith=filing_key_prefix(client))
    return qs


def get_complaint(user, pk) -> Complaint:
    complaint = visible_complaints(user).filter(pk=pk).first()
    if complaint is None:
        raise NotFound("未找到该投诉。")
    return complaint


def published_complaints():
    return Complaint.objects.filter(published_at__isnull=False).select_related("department").order_by("-published_at")


def _ledger_columns():
    """The complaint ledger: the complainant masked, as on the list (a ledger leaves the building)."""
    from casework import privacy
    from casework.ledger import Column

    return [
        Column("投诉编号", lambda c: c.reference), Column("查询码", lambda c: c.tracking_code),
        Column("渠道", lambda c: c.get_channel_display()),
        Column("投诉人", lambda c: privacy.mask_name(c.complainant_name)),
        Column("投诉人类型", lambda c: c.get_complainant_type_display()),
        Column("项目编号", lambda c: c.project_code), Column("项目名称", lambda c: c.project_name),
        Column("交易类型", lambda c: c.get_trading_type_display()),
        Column("投诉事由", lambda c: c.get_grounds_category_display()),
        Column("受理部门", lambda c: c.department.name), Column("状态", lambda c: c.get_status_display()),
        Column("收到时间", lambda c: c.received_at), Column("受理时间", lambda c: c.accepted_at),
        Column("处理结果", lambda c: c.get_outcome_display()), Column("决定时间", lambda c: c.decided_at),
    ]


LEDGER_COLUMNS = _ledger_columns()


def tracking_history(complaint: Complaint) -> dict:
    """What the complainant sees on the tracking page besides the status: each statutory step with its due date
    and how it ended, and each written notice sent to them (text message, e-mail) — the same history the handling
    department works from, without its internal notes."""
    from casework.clocks.services import clocks_for
    from casework.sms.models import SmsMessage

    steps = list(clocks_for(complaint).select_related("department").order_by("started_at", "pk"))
    notices = list(SmsMessage.objects.filter(object_type=complaint._meta.label_lower, object_id=str(complaint.pk))
                   .order_by("created_at", "pk"))
    return {"steps": steps, "notices": notices}


@ledger("complaints.complaints")
def complaint_ledger(user) -> Ledger:
    from complaints.filters import ComplaintFilter

    return Ledger(ComplaintFilter, visible_complaints(user).order_by("-received_at", "-pk"), LEDGER_COLUMNS, "投诉台账")
