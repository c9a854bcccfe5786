"""One filter definition for the letters list (/letters/): the page and its ledger."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from casework.letters.models import Letter
from casework.listing import CaseListFilter, date_from, date_to, ordering_by


class LetterFilter(CaseListFilter):
    """Every letter the user may see. The search box looks in the 发文字号, the units' names and, for letters that
    carry no protected identity (or whose identity the user may read), the title and the addressee's name: a search
    for a complainant's name must not confirm a letter the page shows masked."""

    search_fields = ("doc_number", "issuer__name", "issuer__short_name", "addressee__name")
    department_fields = ("issuer", "addressee")
    clock_paths = ()  # a letter runs no clock of its own (its case does)

    kind = django_filters.ChoiceFilter(choices=Letter.Kind.choices, label="文种", empty_label="全部")
    box = django_filters.ChoiceFilter(method="filter_box", label="收发", empty_label="全部", choices=(
        ("sent", "本单位发文"), ("received", "本单位收文（主送）"), ("distributed", "分送本单位")))
    restricted = django_filters.BooleanFilter(method="filter_restricted", label="含保密身份信息")
    issued_from = date_from("issued_at", "成文日期自")
    issued_to = date_to("issued_at", "成文日期至")
    year = django_filters.NumberFilter(field_name="year", label="年度", min_value=2000, max_value=2100)
    ordering = ordering_by({"issued_at": "成文时间", "doc_number": "发文字号", "kind": "文种"})

    class Meta:
        model = Letter
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("overdue", "due_within"):  # nothing to be late on
            self.filters.pop(name, None)

    def _mine(self) -> list[int]:
        from casework.org.selectors import user_departments

        return [d.pk for d in user_departments(getattr(self.request, "user", None))]

    def filter_box(self, queryset, name, value):
        mine = self._mine()
        if value == "sent":
            return queryset.filter(issuer_id__in=mine)
        if value == "received":
            return queryset.filter(addressee_id__in=mine)
        if value == "distributed":
            return queryset.filter(pk__in=Letter.objects.filter(readers__in=mine).values("pk"))
        return queryset

    def filter_restricted(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(restricted_to_perm="") if value else queryset.filter(restricted_to_perm="")

    def _private_readable(self) -> Q:
        """Letters whose title and addressee the user reads in the original: those carrying no protected identity,
        and the restricted ones issued by a department where the user handles cases holding the letter's own
        permission (the SQL form of casework.letters.services.may_open; a letter whose case has since moved to
        another department is searched a little more widely than it opens, never wider than its issuer's staff)."""
        from casework import privacy
        from casework.org.models import Membership

        user = getattr(self.request, "user", None)
        cond = Q(restricted_to_perm="")
        perms = sorted(privacy.explicit_perms(user))
        if perms:
            depts = Membership.objects.filter(user=user, role__in=("handler", "leader"), department__active=True)
            cond |= Q(restricted_to_perm__in=perms, issuer_id__in=depts.values("department_id"))
        return cond

    def filter_search(self, queryset, name, value):
        words = (value or "").split()
        if not words:
            return queryset
        readable = self._private_readable()
        from casework.listing import MAX_SEARCH_WORDS

        for word in words[:MAX_SEARCH_WORDS]:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": word})
            cond |= (Q(title__icontains=word) | Q(addressee_name__icontains=word)) & readable
            queryset = queryset.filter(cond)
        return queryset
