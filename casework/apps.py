from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "协同监管基础"

    def ready(self):
        from casework.events import admin_audit

        admin_audit.install()
