"""The shared machinery's models, one module per area; imported here for Django."""

from casework.accounts.models import AccountSecurity
from casework.attachments.models import Attachment, AttachmentShare
from casework.calendar.models import CalendarDay, CalendarYear
from casework.clocks.models import Clock, EscalationStep, PauseSpan
from casework.events.models import AuditHead, Event
from casework.exportjobs.models import ExportJob
from casework.handoffs.models import Handoff
from casework.letters.models import Letter, LetterDraft, LetterSequence
from casework.notifications.models import NoticeSetting, Notification
from casework.org.models import ApiClient, Department, Jurisdiction, Membership
from casework.rules.models import Rule, RuleProfile, RulesRevision, RuleVersion
from casework.savedviews.models import SavedView
from casework.sms.models import SmsMessage
from casework.webhooks.models import WebhookDelivery

__all__ = [
    "AccountSecurity", "ApiClient", "Attachment", "AttachmentShare", "AuditHead", "CalendarDay", "CalendarYear",
    "Clock", "Department", "EscalationStep", "Event", "ExportJob", "Handoff", "Jurisdiction", "Letter", "LetterDraft",
    "LetterSequence", "Membership",
    "NoticeSetting", "Notification", "PauseSpan", "Rule", "RuleProfile", "RulesRevision", "RuleVersion", "SavedView",
    "SmsMessage",
    "WebhookDelivery",
]
