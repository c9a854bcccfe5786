from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "协同监管基础"

    def ready(self):
        from django.db.models.signals import post_migrate

        from casework import memo, privacy

        post_migrate.connect(memo.forget_process, dispatch_uid="casework.memo.forget_process")
        from django.db.models.signals import post_delete, post_save

        from casework.org.models import Jurisdiction
        from casework.rules.models import Rule, RuleProfile, RuleVersion
        from casework.rules.services import rules_changed

        for model in (RuleProfile, Rule, RuleVersion, Jurisdiction):  # what profile_for and rule_for read
            post_save.connect(rules_changed, sender=model, dispatch_uid=f"rules_changed.save.{model.__name__}")
            post_delete.connect(rules_changed, sender=model, dispatch_uid=f"rules_changed.delete.{model.__name__}")
        from casework.handoffs.models import Handoff

        # A hand-over's description and result: the sending department's cleared staff.
        privacy.register_shared(Handoff, lambda h: h.sender)
        from casework.events import admin_audit
        from casework.handoffs import kinds  # noqa: F401  (the shared kinds no mechanism owns)

        admin_audit.install()
        from casework import admin_locale

        admin_locale.install()  # third-party apps' admin texts in Chinese (locale/zh_Hans)
        from casework.accounts import signals  # noqa: F401  (audit of logins, logouts, failures, lockouts)
