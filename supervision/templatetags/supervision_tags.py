from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.8333 -> 83.3%; None (nothing closed) -> —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def days(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}"
