"""Demo data for credit sanctions, through the same services a user would go through (idempotent), per
jurisdiction: a corrected penalty (更正, with before/after) whose publication went out in a confirmed batch
of the standard export file and whose correction waits for the next batch; a repaired record; an enterprise
on the red list (守信激励) with its basis and period; an expert in both pools whose ban the other pool's
department answered with the measure it took. (The market ban of 演示戊 is seeded by seed_demo.)"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.org.models import Department, Jurisdiction
from casework.validators import uscc_with_check
from credit import services
from credit.models import CreditPush, CreditRecord, ExpertPoolMembership, RedListEntry


def _user(dept: Department, role: str = "handler"):
    return get_user_model().objects.filter(username=f"{dept.code.lower()}.{role}").first()


def _code(jurisdiction: Jurisdiction, n: int) -> str:
    return uscc_with_check(f"91{jurisdiction.code}MACR{n:05d}"[:17])


def seed(*, stdout) -> None:
    for jurisdiction in Jurisdiction.objects.order_by("code"):
        depts = {}
        for d in Department.objects.filter(jurisdiction=jurisdiction, active=True).order_by("code"):
            depts.setdefault(d.type, d)
        housing = depts.get("housing")
        if housing is None or _user(housing) is None:
            continue
        done = _seed_jurisdiction(jurisdiction, housing, depts.get("finance"))
        if done:
            stdout.write(f"信用监管演示数据（{jurisdiction.name}）：{'、'.join(done)}")


def _seed_jurisdiction(jurisdiction: Jurisdiction, housing: Department, finance: Department | None) -> list[str]:
    today = timezone.localdate()
    handler = _user(housing)
    done = []
    prefix = f"演示{jurisdiction.code}"
    # A penalty with a restriction, pushed in a confirmed batch, then corrected (the correction is pending).
    number = f"{prefix}罚〔{today.year}〕2号"
    if not CreditRecord.objects.filter(department=housing, decision_number=number).exists():
        firm = services.ensure_subject(actor=handler, type="enterprise", code=_code(jurisdiction, 1),
                                       name="演示己建设工程有限公司")
        decided = today - dt.timedelta(days=20)
        rec = services.record_sanction(
            actor=handler, department=housing, subject=firm, kind="penalty", decision_number=number,
            decided_on=decided, facts="演示数据：在投标中提供虚假业绩证明材料。",
            legal_basis="《中华人民共和国招标投标法》第五十四条",
            penalty="罚款，六个月内不得参加依法必须进行招标项目的投标", penalty_category="fine", fine_amount="80000",
            valid_from=decided, valid_until=decided + dt.timedelta(days=365),
            measures=[services.MeasureInput("restriction", ["engineering"], decided,
                                            decided + dt.timedelta(days=180))])
        if rec.pushes.filter(channel=CreditPush.Channel.FILE, batch="").exists():
            batch = services.export_batch(actor=handler, department=housing)
            services.confirm_batch(actor=handler, department=housing, batch=batch,
                                   receipt=f"省信用平台接收回执 XY{today:%Y%m%d}001（演示）")
        services.correct_record(actor=handler, rec=rec, reason="演示数据：罚款金额和违法事实表述录入有误",
                                fine_amount="60000", facts="演示数据：在投标中提供虚假业绩证明材料（两项）。")
        done.append("已更正的行政处罚（报送批次已确认，更正待报送）")
    # A record repaired after rectification (信用修复), its repair pushed like the penalty.
    number = f"{prefix}罚〔{today.year}〕3号"
    if not CreditRecord.objects.filter(department=housing, decision_number=number).exists():
        firm = services.ensure_subject(actor=handler, type="enterprise", code=_code(jurisdiction, 2),
                                       name="演示庚市政工程有限公司")
        decided = today - dt.timedelta(days=60)
        rec = services.record_sanction(
            actor=handler, department=housing, subject=firm, kind="penalty", decision_number=number,
            decided_on=decided, facts="演示数据：未按规定签订书面合同。",
            legal_basis="《中华人民共和国招标投标法》第五十九条", penalty="罚款", penalty_category="fine",
            fine_amount="10000", valid_from=decided, valid_until=decided + dt.timedelta(days=365),
            measures=[services.MeasureInput("restriction", ["engineering"], decided,
                                            decided + dt.timedelta(days=90))])
        services.repair_record(actor=handler, rec=rec, decision="演示数据：已整改到位，准予信用修复")
        done.append("信用修复")
    # The red list.
    good = services.ensure_subject(actor=handler, type="enterprise", code=_code(jurisdiction, 3),
                                   name="演示守信建设集团有限公司")
    if not RedListEntry.objects.filter(subject=good, department=housing).exists():
        services.add_to_red_list(
            actor=handler, department=housing, subject=good, reason="演示数据：连续三年无不良行为记录，履约评价优秀",
            basis=f"{housing.name}{today.year - 1}年度建筑市场主体信用评价A级",
            valid_from=today - dt.timedelta(days=10), valid_until=today + dt.timedelta(days=720))
        done.append("守信红名单")
    # An expert in both pools: the finance bureau answered the ban with the measure it took.
    if finance is not None and _user(finance) is not None:
        number = f"{prefix}专家〔{today.year}〕1号"
        if not CreditRecord.objects.filter(department=housing, decision_number=number).exists():
            expert = services.ensure_subject(actor=handler, type="expert", code=f"EXP-{jurisdiction.code}",
                                             name="演示评标专家王某")
            for pool, dept in (("tendering", housing), ("procurement", finance)):
                ExpertPoolMembership.objects.get_or_create(subject=expert, pool=pool,
                                                           defaults={"managing_department": dept})
            rec = services.record_sanction(
                actor=handler, department=housing, subject=expert, kind="bad_conduct", decision_number=number,
                decided_on=today, facts="演示数据：评标中未按招标文件规定的评标标准和方法评标。",
                legal_basis="《评标委员会和评标方法暂行规定》第五十三条", penalty="暂停评标资格一年",
                valid_from=today, measures=[services.MeasureInput(
                    "restriction", ["engineering", "procurement"], today, today + dt.timedelta(days=365))])
            for notice in rec.ban_notices.all():
                services.acknowledge_ban(actor=_user(finance), notice=notice,
                                         measure_taken="演示数据：同步暂停其政府采购评审专家资格一年")
            done.append("两库专家禁入通报（对方已记录措施）")
    return done
