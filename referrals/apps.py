from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "线索移交"

    def ready(self):
        from referrals import handoff_kinds  # noqa: F401  (registers this mechanism's hand-over kind)
