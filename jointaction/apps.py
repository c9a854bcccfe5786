from django.apps import AppConfig


class JointactionConfig(AppConfig):
    name = "jointaction"
    verbose_name = "协助办理与联合执法"
