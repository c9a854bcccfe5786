from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "双随机一公开"

    def ready(self):
        from casework import privacy
        from inspections.models import Draw, Plan, Target

        # Findings and follow-up of a random inspection: the plan's lead department's cleared staff.
        privacy.register_shared(Plan, lambda p: p.lead_department)
        privacy.register_shared(Draw, lambda d: d.plan.lead_department)
        privacy.register_shared(Target, lambda t: t.draw.plan.lead_department)
