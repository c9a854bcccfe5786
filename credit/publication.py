"""What the public credit lists may show of a subject (issue 11: publication rule).

Enterprises and agencies are published with their USCC. A natural person's resident ID number is masked
(first 4 and last 4 characters). An expert's internal number and expert-pool data are never published.

ID numbers are masked by the shared masking service (casework.privacy), as everywhere else.
"""

from __future__ import annotations

from casework.privacy import mask_id_number
from credit.models import CreditSubject


def mask_resident_id(number: str) -> str:
    """``410423199001011236`` -> ``4104**********1236``: the shared masking service's rule for ID numbers."""
    return mask_id_number(number)


def public_code(subject: CreditSubject) -> str:
    if subject.type in (CreditSubject.Type.ENTERPRISE, CreditSubject.Type.AGENCY):
        return subject.code
    if subject.type == CreditSubject.Type.INDIVIDUAL:
        return mask_resident_id(subject.code)
    return "（评标评审专家，编号不公开）"


def publicly_searchable_code_q(q: str, prefix: str = "subject__"):
    """A public search by code finds enterprises, agencies and (by their full number) natural persons,
    never an expert by internal number."""
    from django.db.models import Q

    return (Q(**{f"{prefix}code__iexact": q.strip().upper()})
            & ~Q(**{f"{prefix}type": CreditSubject.Type.EXPERT}))
