from django.apps import AppConfig


class JointactionConfig(AppConfig):
    name = "jointaction"
    verbose_name = "协助办理与联合执法"

    def ready(self):
        from casework import privacy
        from jointaction.models import AssistanceRequest, Finding, JointAction, PlanReply, PlanVersion

        # Free text of assistance letters and joint actions: the requesting / initiating department's cleared staff.
        privacy.register_shared(AssistanceRequest, lambda r: r.requester)
        privacy.register_shared(JointAction, lambda a: a.initiator)
        privacy.register_shared(PlanVersion, lambda v: v.action.initiator)
        privacy.register_shared(PlanReply, lambda r: r.version.action.initiator)
        privacy.register_shared(Finding, lambda f: f.action.initiator)
        from jointaction import handoff_kinds  # noqa: F401  (registers this mechanism's hand-over kind)
