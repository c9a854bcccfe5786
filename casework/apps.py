from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "协同监管基础"

    def ready(self):
        from casework.accounts import signals  # noqa: F401  (audit of logins, logouts, failures, lockouts)
