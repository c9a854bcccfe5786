"""Demo data for the supervision office, through the same services a user would go through (idempotent): the
dashboard's rollup, a 督办函 on an overdue item awaiting the department's reply, a 通报 issued and published for
the last quarter and one in draft for this quarter so far, and the last quarter's report drafted."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.clocks.models import Clock
from casework.org.models import Department
from supervision import periods, reports, rollup, services
from supervision.models import Circular, QuarterlyReport, SupervisionNotice


def seed(*, stdout) -> None:
    User = get_user_model()
    today = timezone.localdate()
    rollup.rebuild(today - dt.timedelta(days=800), today)
    created = 0
    for office in Department.objects.filter(is_supervision_office=True, active=True):
        supervisor = User.objects.filter(username=f"{office.code.lower()}.supervisor").first()
        leader = User.objects.filter(username=f"{office.code.lower()}.leader").first()
        if supervisor is None or leader is None:
            continue
        overdue = (Clock.objects.filter(department__jurisdiction=office.jurisdiction, closed_at__isnull=True,
                                        due_at__lt=timezone.now()).exclude(department=office)
                   .select_related("department").order_by("due_at").first())
        if overdue is not None and not SupervisionNotice.objects.filter(idempotency_key=f"demo:{office.code}:1"):
            services.issue_notice(
                actor=supervisor, office=office, department=overdue.department,
                title=f"{overdue.department.display_name}“{overdue.label}”超期未办结（演示）",
                requirements="该事项已超过法定期限，请立即办理，并书面说明超期原因和整改措施。",
                due_on=today + dt.timedelta(days=7), idempotency_key=f"demo:{office.code}:1", about_clock=overdue)
            created += 1
        last = periods.previous_quarter(periods.quarter_of(today))
        if not Circular.objects.filter(office=office, period_from=last.first, period_to=last.last).exists():
            circular = services.draft_circular(actor=supervisor, office=office, period=last)
            services.sign_circular(actor=leader, circular=circular)
            services.issue_circular(actor=supervisor, circular=circular, publish=True)
            created += 1
        current = periods.Period(periods.quarter_of(today).first, today)
        if not Circular.objects.filter(office=office, period_from=current.first).exists():
            services.draft_circular(actor=supervisor, office=office, period=current)
            created += 1
        report = reports.open_report(office=office, period=last)
        if report.state == QuarterlyReport.State.PENDING:
            reports.draft_report(actor=supervisor, report=report)
            created += 1
    if created:
        stdout.write(f"督办、通报与季度报告演示事项：新增 {created} 项")
