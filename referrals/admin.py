"""The routing table's one editable fact: which industry authority's penalty power moved to comprehensive law
enforcement (Luoyang 三(二)4–5). Every change is checked and audited."""

from django import forms
from django.contrib import admin

from casework.events.services import record
from casework.org.models import SUPERVISING_TYPES, Department
from referrals.models import PenaltyPowerMove

INDUSTRY_TYPES = SUPERVISING_TYPES - {Department.Type.DRC, Department.Type.LAW_ENFORCEMENT}


class PenaltyPowerMoveForm(forms.ModelForm):
    class Meta:
        model = PenaltyPowerMove
        fields = ["department", "law_enforcement", "basis"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(type__in=INDUSTRY_TYPES, active=True)
        self.fields["law_enforcement"].queryset = Department.objects.filter(
            type=Department.Type.LAW_ENFORCEMENT, active=True)
        self.fields["basis"].required = True
        self.fields["basis"].help_text = "划转依据，如本级政府关于综合行政执法改革的文件名称和文号"

    def clean(self):
        data = super().clean()
        dept, cle = data.get("department"), data.get("law_enforcement")
        if dept and cle and cle.jurisdiction not in dept.jurisdiction.lineage():
            self.add_error("law_enforcement", f"{cle.name}不在{dept.name}所在或上级行政区域，不能承接其处罚权")
        return data


@admin.register(PenaltyPowerMove)
class PenaltyPowerMoveAdmin(admin.ModelAdmin):
    form = PenaltyPowerMoveForm
    list_display = ["department", "law_enforcement", "basis"]
    search_fields = ["department__name", "law_enforcement__name", "basis"]

    def _snapshot(self, obj) -> dict:
        return {"department": obj.department.code, "law_enforcement": obj.law_enforcement.code, "basis": obj.basis}

    def save_model(self, request, obj, form, change):
        before = self._snapshot(PenaltyPowerMove.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record(actor=request.user, obj=obj, action="referral.penalty_power_moved", before=before,
               after=self._snapshot(obj))

    def delete_model(self, request, obj):
        before = self._snapshot(obj)
        record(actor=request.user, obj=obj, action="referral.penalty_power_restored", before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
