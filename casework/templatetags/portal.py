from django import template
from django.template.loader import render_to_string

from casework.clocks.timing import due_date, format_due

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def due(clock):
    """A clock's deadline as the law states it: the last day, 24:00."""
    return render_to_string("casework/_due.html", {"clock": clock, "due_day": due_date(clock.due_at)})


@register.filter
def deadline(at):
    """A deadline datetime written the one way: "YYYY-MM-DD 24:00"."""
    return format_due(at) if at else "—"


@register.filter
def last_day(at):
    return due_date(at) if at else None


@register.filter
def action_label(action):
    from casework.events.labels import action_label as label

    return label(action)


@register.filter
def event_detail(event) -> str:
    """One line saying what an audit event was about: the clock, the letter, the department, the reason."""
    after = event.after or {}
    parts = []
    if after.get("label"):
        parts.append(after["label"])
    if after.get("doc_number"):
        parts.append(f"{after['doc_number']} {after.get('title', '')}".strip())
    if after.get("receiver_name"):
        parts.append(after["receiver_name"])
    for key in ("reasons", "result", "text"):
        if after.get(key):
            from casework.privacy import mask_text

            text = mask_text(str(after[key]))
            parts.append(text if len(text) <= 40 else text[:40] + "…")
            break
    if event.action == "clock.completed" and after.get("late"):
        parts.append("逾期")
    return "：".join(parts)


@register.simple_tag(takes_context=True)
def private(context, text, obj, br=False, truncate=0):
    """Free text about `obj` as the viewer may read it (casework.privacy.text_for): personal data masked unless
    the viewer is the handling department's cleared staff, whose read is recorded (identity.viewed).
    `br` keeps the line breaks; `truncate` shortens it like truncatechars."""
    from django.template.defaultfilters import linebreaksbr, truncatechars
    from django.utils.html import conditional_escape

    from casework.privacy import text_for

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    match = getattr(request, "resolver_match", None)
    shown = text_for(user, obj, str(text or ""), where=(match.view_name if match else "page"))
    if truncate:
        shown = truncatechars(shown, int(truncate))
    return linebreaksbr(shown, autoescape=True) if br else conditional_escape(shown)


@register.filter
def masked(text, obj):
    """Free text about `obj` masked for everyone (a letter to other organs, a printout): casework.privacy.mask_for."""
    from casework.privacy import mask_for

    return mask_for(obj, str(text or ""))
