from django import template
from django.template.loader import render_to_string

from casework.clocks.timing import due_date

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def due(clock):
    """A clock's deadline as the law states it: the last day, 24:00."""
    return render_to_string("casework/_due.html", {"clock": clock, "due_day": due_date(clock.due_at)})


@register.filter
def last_day(at):
    return due_date(at) if at else None


@register.filter
def action_label(action):
    from casework.events.labels import action_label as label

    return label(action)
