from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "线索移交"

    def ready(self):
        from casework import privacy
        from referrals.models import Clue, JurisdictionDispute, Transfer

        # A clue's summary, result and transfers (an anonymous report's text among them) may carry a person's
        # phone, ID number or e-mail: the supervising department's cleared staff see them, everyone else masked.
        privacy.register_shared(Clue, lambda c: c.supervising_department)
        privacy.register_shared(Transfer, lambda t: t.clue.supervising_department)
        privacy.register_shared(JurisdictionDispute, lambda d: d.clue.supervising_department)
        from referrals import handoff_kinds  # noqa: F401  (registers this mechanism's hand-over kind)
