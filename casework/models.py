"""The shared machinery's models, one module per area; imported here for Django."""

from casework.calendar.models import CalendarDay, CalendarYear
from casework.clocks.models import Clock, EscalationStep, PauseSpan
from casework.events.models import AuditHead, Event
from casework.handoffs.models import Handoff
from casework.notifications.models import Notification
from casework.org.models import ApiClient, Department, Jurisdiction, Membership
from casework.rules.models import Rule, RuleProfile, RuleVersion

__all__ = [
    "ApiClient", "AuditHead", "CalendarDay", "CalendarYear", "Clock", "Department",
    "EscalationStep", "Event", "Handoff", "Jurisdiction", "Membership", "Notification",
    "PauseSpan", "Rule", "RuleProfile", "RuleVersion",
]
