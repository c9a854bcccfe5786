from django.apps import AppConfig


class JointactionConfig(AppConfig):
    name = "jointaction"
    verbose_name = "协助办理与联合执法"

    def ready(self):
        from jointaction import handoff_kinds  # noqa: F401  (registers this mechanism's hand-over kind)
