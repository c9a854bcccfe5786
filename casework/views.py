"""Pages: the same services and selectors as the API, rendered with templates/."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from casework import selectors
from casework.calendar.services import get_calendar
from casework.clocks import services as clock_services
from casework.clocks.explain import explain
from casework.clocks.models import Clock
from casework.clocks.services import ladder
from casework.clocks.timing import format_due
from casework.errors import DomainError, Forbidden
from casework.events.services import timeline
from casework.forms import ReasonForm, ResultForm, ReturnForm
from casework.handoffs import registry
from casework.handoffs import services as handoff_services
from casework.notifications import services as notification_services
from casework.notifications.models import NoticeSetting
from casework.org.selectors import user_departments
from casework.privacy import holds_object_perm
from casework.savedviews.views import lists_saved_views


def urgency(clock: Clock, now: dt.datetime, cal) -> str:
    """Colour class for the workbench: overdue, due within the reminder window, paused, on time."""
    if clock.state == Clock.State.PAUSED:
        return "paused"
    if clock.due_at <= now:
        return "overdue"
    reminder_at = ladder(cal, clock, clock.rule_version.rule.profile)["reminder"]
    if reminder_at is not None and reminder_at <= now:
        return "due-soon"
    return "ok"


WORKBENCH_ROWS = 300
# The full list of what the workbench shows: the clocks of my departments still open (casework.filters.ClockFilter).
WORKBENCH_QUERY = "open_only=true&mine=true&ordering=due_at"


@login_required
def workbench(request):
    now = timezone.now()
    open_clocks = selectors.workbench_clocks(request.user)
    clocks = list(open_clocks.prefetch_related("subject")[:WORKBENCH_ROWS])
    selectors.with_subject_pages(clocks)
    total = len(clocks) if len(clocks) < WORKBENCH_ROWS else open_clocks.count()
    cal = get_calendar()
    rows = [{"clock": c, "urgency": urgency(c, now, cal), "subject": c.subject} for c in clocks]
    counts = {k: sum(r["urgency"] == k for r in rows) for k in ("overdue", "due-soon", "ok", "paused")}
    if total > len(rows):  # never a silent cap: the chips count every open clock, the table the first rows
        counts["paused"] = open_clocks.filter(state=Clock.State.PAUSED).count()
        counts["overdue"] = open_clocks.exclude(state=Clock.State.PAUSED).filter(due_at__lte=now).count()
        counts["ok"] = total - counts["paused"] - counts["overdue"] - counts["due-soon"]
    handoffs = selectors.visible_handoffs(request.user).filter(
        receiver__in=user_departments(request.user), state="sent")[:50]
    from casework.letters.signoff import awaiting_signoff

    return render(request, "casework/workbench.html", {
        "rows": rows, "now": now, "incoming": handoffs, "to_sign": list(awaiting_signoff(request.user)[:50]),
        "counts": counts, "total": total, "hidden": total - len(rows),
        "all_url": f"{reverse('casework:clocks')}?{WORKBENCH_QUERY}",
    })


@login_required
@lists_saved_views
def clock_list(request):
    """Every clock the user may see (own, waited on, supervised), found, filtered and exported one way."""
    from casework.listing import list_page

    return list_page(request, selectors.clock_list_ledger(request.user), template="casework/clock_list.html",
                     prepare=selectors.with_subject_pages)


@login_required
@lists_saved_views
def handoff_list(request):
    from casework.listing import list_page

    return list_page(request, selectors.handoff_list_ledger(request.user), template="casework/handoff_list.html")


@login_required
def clock_detail(request, pk: int):
    clock = selectors.get_clock(request.user, pk)
    mine = clock.department in user_departments(request.user)
    return render(request, "casework/clock_detail.html", {
        "why": explain(clock), "clock": clock, "events": timeline(clock), "can_act": mine,
        "pause_form": ReasonForm(), "subject": clock.subject,
    })


@login_required
def clock_table(request):
    """Every preset's every rule: start event, input date, limit, completion, cancellation, ladder, clause."""
    from casework.clocks.table import TRIAGE_NOTE, table

    profiles = table()
    wanted = request.GET.get("preset", "")
    shown = [p for p in profiles if p["preset"] == wanted] or profiles
    return render(request, "casework/clock_table.html", {"profiles": shown, "all": profiles, "wanted": wanted,
                                                         "triage_note": TRIAGE_NOTE})


def _clock_for_action(request, pk):
    clock = selectors.get_clock(request.user, pk)
    if clock.department not in user_departments(request.user):
        raise Forbidden("只有责任单位可以暂停或恢复计时")
    return clock


@login_required
@require_POST
def clock_pause(request, pk: int):
    clock = _clock_for_action(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise DomainError.for_field("reason", "暂停计时须说明原因")
    clock_services.pause_clock(actor=request.user, clock=clock, reason=form.cleaned_data["reason"])
    messages.success(request, "已暂停计时")
    return redirect("casework:clock", pk=pk)


@login_required
@require_POST
def clock_resume(request, pk: int):
    clock = _clock_for_action(request, pk)
    clock = clock_services.resume_clock(actor=request.user, clock=clock)
    messages.success(request, f"已恢复计时，新的截止时间为 {format_due(clock.due_at)}")
    return redirect("casework:clock", pk=pk)


@login_required
def handoff_detail(request, pk: int):
    handoff = selectors.get_handoff(request.user, pk)
    own_page = handoff.get_absolute_url()
    if own_page != request.path:  # a mechanism's hand-over is handled on that mechanism's page
        return redirect(own_page)
    return render(request, "casework/handoff_detail.html", {
        "handoff": handoff, "events": timeline(handoff),
        "clocks": clock_services.clocks_for(handoff).select_related("rule_version__rule"),
        "can_act": holds_object_perm(request.user, handoff_services.ACT, handoff),
        "offered": registry.offered(handoff),
        "result_form": ResultForm(), "return_form": ReturnForm(),
    })


@login_required
@require_POST
def handoff_action(request, pk: int, action: str):
    """Dispatched to the owning mechanism's service (casework.handoffs.registry), or refused."""
    handoff = selectors.get_handoff(request.user, pk)
    registry.dispatch(actor=request.user, handoff=handoff, action=action, data=request.POST)
    messages.success(request, f"已{registry.ACTIONS[action]}")
    own = handoff.get_absolute_url()
    return redirect(own)


def _inbox_filters(params) -> dict:
    return {"category": params.get("category", ""), "state": params.get("state", ""),
            "case_url": params.get("case", "")}


@login_required
def inbox(request):
    from django.core.paginator import Paginator

    from casework.notifications import selectors as notices

    filters = _inbox_filters(request.GET)
    page = Paginator(notices.inbox(request.user, **filters), 50).get_page(request.GET.get("page"))
    for note in page:
        note.category = notices.category_of(note.kind)
    query = urlencode({k: v for k, v in (("category", filters["category"]), ("state", filters["state"]),
                                         ("case", filters["case_url"])) if v})
    return render(request, "casework/inbox.html", {
        "page": page, "notes": page.object_list, "filters": filters, "query": query,
        "categories": [(c.key, c.label) for c in notices.CATEGORIES] + [("other", notices.OTHER_LABEL)],
        "unread_here": notices.inbox(request.user, **{**filters, "state": "unread"}).count(),
        "email_mode": _email_mode(request.user), "email_modes": NoticeSetting.Mode.choices})


def _email_mode(user) -> str:
    setting = NoticeSetting.objects.filter(user=user).first()
    return setting.email_mode if setting else NoticeSetting.Mode.IMMEDIATE


@login_required
@require_POST
def inbox_settings(request):
    """Per person: routine notices e-mailed one by one, or in one daily digest (urgent ones always at once)."""
    setting = notification_services.set_email_mode(actor=request.user, mode=request.POST.get("email_mode", ""))
    messages.success(request, f"邮件提醒方式已设为：{setting.get_email_mode_display()}")
    return redirect("casework:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    from casework.notifications import selectors as notices

    filters = _inbox_filters(request.POST)
    changed = notification_services.mark_all_read(actor=request.user, notices=notices.inbox(request.user, **filters))
    messages.success(request, f"已将 {changed} 条消息标为已读")
    query = urlencode({k: v for k, v in (("category", filters["category"]), ("case", filters["case_url"])) if v})
    return HttpResponseRedirect(reverse("casework:inbox") + (f"?{query}" if query else ""))


@login_required
@require_POST
def inbox_read(request, pk: int):
    note = notification_services.mark_read(actor=request.user, notification_id=pk)
    return HttpResponseRedirect(note.url or reverse("casework:inbox"))


