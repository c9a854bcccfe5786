from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "投诉处理"

    def ready(self):
        from casework import privacy
        from complaints.models import Complaint

        # The complainant's identity (Hegang 四(二)): the handling department's cleared staff only.
        privacy.register(Complaint, privacy.Protected(
            terms=lambda c: privacy.Terms(names=(c.complainant_name,), ids=(c.complainant_id_number,),
                                          phones=(c.contact_phone,), emails=(c.contact_email,),
                                          addresses=(c.contact_address,)),
            handling=lambda c: c.department, perm="complaints.view_complainant"))
        from complaints import handoff_kinds  # noqa: F401  (registers the complaint transfer's hand-over kind)
