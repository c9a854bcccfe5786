"""Every state change of credit sanctions, and the logged eligibility check."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.errors import DomainError
from credit import selectors
from credit.models import Domain, EligibilityQuery

MAX_BULK = 1000


def check_eligibility(*, actor, codes: list[str], domain: str, on: dt.date | None = None,
                      project_code: str = "") -> dict[str, selectors.Answer]:
    """Answer and log one or many eligibility questions (a tender's bidders: up to 1,000 at once)."""
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = [f"领域须为 {', '.join(Domain.values)} 之一"]
    codes = [c for c in (codes or []) if c and c.strip()]
    if not codes:
        errors["code"] = ["请提供统一社会信用代码或专家编号"]
    elif len(codes) > MAX_BULK:
        errors["codes"] = [f"一次最多核查 {MAX_BULK} 个主体，收到 {len(codes)} 个"]
    if errors:
        raise DomainError("核查请求有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    on = on or timezone.localdate()
    answers = selectors.eligibility(codes, domain, on)
    now = timezone.now()
    EligibilityQuery.objects.bulk_create([
        EligibilityQuery(subject_code=a.code, domain=domain, on_date=on, project_code=project_code[:64],
                         eligible=a.eligible, asked_by=actor, asked_at=now) for a in answers.values()])
    return answers
