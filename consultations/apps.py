from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "会商联席"

    def ready(self):
        from casework import privacy
        from consultations.models import (
            AgendaItem,
            Application,
            CommentReply,
            Decision,
            Escalation,
            Mechanism,
            Meeting,
            Progress,
            Solicitation,
        )

        # Topics, minutes, decisions and replies: the convening / leading department's cleared staff.
        privacy.register_shared(Mechanism, lambda m: m.lead)
        privacy.register_shared(Application, lambda a: a.mechanism.lead)
        privacy.register_shared(Meeting, lambda m: m.convener)
        privacy.register_shared(AgendaItem, lambda i: i.meeting.convener)
        privacy.register_shared(Escalation, lambda e: e.meeting.convener)
        privacy.register_shared(Decision, lambda d: d.meeting.convener)
        privacy.register_shared(Progress, lambda p: p.decision.meeting.convener)
        privacy.register_shared(Solicitation, lambda s: s.initiator)
        privacy.register_shared(CommentReply, lambda r: r.solicitation.initiator)
