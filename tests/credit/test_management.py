"""Corrections (更正) with before/after and reason; the red list (守信激励, Pingdingshan 23) with basis and period,
shown publicly and in the eligibility answer; the admin cannot change subjects or records; shared expert bans
count from the day the record arose, an old record is entered late (not breached at once), the notified
department records its own measure, and a withdrawn record closes every clock that depended on it."""

import datetime as dt

import pytest

from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError
from casework.events.models import Event
from casework.events.services import timeline
from casework.validators import uscc_with_check
from credit import selectors, services
from credit.models import Correction, CreditSubject, ExpertPoolMembership, RedListEntry
from tests.conftest import at, make_user

D = dt.date
CODE = uscc_with_check("91410300MA9K0001X")
GOOD = uscc_with_check("91410300MA9K0003X")


@pytest.fixture
def firm(bob):
    return services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")


def penalty(bob, dept, subject, decided_on, number="洛建罚〔2026〕1号", **kw):
    return services.record_sanction(actor=bob, department=dept, subject=subject, kind="penalty",
                                    decision_number=number, decided_on=decided_on, facts="串通投标",
                                    legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=decided_on, **kw)


def test_correction_keeps_before_after_and_reason(client, luoyang, bob, firm):
    today = dt.date.today()
    rec = penalty(bob, luoyang["housing"], firm, today, serious=True,
                  measures=[services.MeasureInput("market_ban", [], today, None)])
    client.force_login(bob)
    url = f"/credit/records/{rec.pk}/correct/"
    refused = client.post(url, {"facts": "与乙公司串通投标"})
    assert refused.status_code == 400 and "更正理由" in refused.content.decode()
    assert not Correction.objects.exists()
    end = today + dt.timedelta(days=365)
    client.post(url, {"facts": "与乙公司串通投标", "measures_ends_on": end.isoformat(), "fine_amount": "20000",
                      "reason": "违法事实和措施期限录入有误"})
    correction = Correction.objects.get()
    assert correction.before == {"facts": "串通投标", "measures_ends_on": None, "fine_amount": None}
    assert correction.after == {"facts": "与乙公司串通投标", "measures_ends_on": end.isoformat(),
                                "fine_amount": "20000.00"}
    assert timeline(rec).get(action="credit.corrected").reason == "违法事实和措施期限录入有误"
    page = client.get(f"/credit/records/{rec.pk}/").content.decode()
    assert "更正记录" in page and "违法事实和措施期限录入有误" in page and "措施截止日：长期" in page
    assert set(rec.measures.values_list("ends_on", flat=True)) == {end}
    with pytest.raises(DomainError, match="相同"):
        services.correct_record(actor=bob, rec=rec, reason="再次更正同样内容", facts="与乙公司串通投标")


def test_red_list_with_basis_and_period_public_and_in_the_answer(client, luoyang, alice, bob, firm):
    today = dt.date.today()
    good = services.ensure_subject(actor=bob, type="enterprise", code=GOOD, name="洛阳守信建设有限公司")
    with pytest.raises(DomainError) as exc:
        services.add_to_red_list(actor=bob, department=luoyang["housing"], subject=good, reason="守信",
                                 basis="", valid_from=today, valid_until=today - dt.timedelta(days=1))
    assert {"reason", "basis", "valid_until"} <= set(exc.value.field_errors)
    penalty(bob, luoyang["housing"], firm, today, measures=[services.MeasureInput("restriction", ["engineering"],
                                                                                today, None)])
    with pytest.raises(Conflict, match="正在执行的惩戒措施"):
        services.add_to_red_list(actor=bob, department=luoyang["housing"], subject=firm, reason="连续三年无不良记录",
                                 basis="信用评价A级", valid_from=today)

    assert client.get("/credit/redlist/new/").status_code == 302          # anonymous: log in
    client.force_login(alice)
    assert client.get("/credit/redlist/new/").status_code == 403          # the trading centre records no credit
    client.force_login(bob)
    until = today + dt.timedelta(days=730)
    response = client.post("/credit/redlist/new/", {
        "subject_type": "enterprise", "subject_code": GOOD, "subject_name": "洛阳守信建设有限公司",
        "reason": "连续三年无不良行为记录，履约评价优秀",
        "basis": "洛阳市住建局2026年度建筑市场信用评价A级（洛建〔2026〕40号）",
        "valid_from": today.isoformat(), "valid_until": until.isoformat()})
    assert response.status_code == 302
    entry = RedListEntry.objects.get()
    again = services.add_to_red_list(actor=bob, department=luoyang["housing"], subject=entry.subject,
                                     reason=entry.reason, basis=entry.basis, valid_from=today, valid_until=until)
    assert again.pk == entry.pk and RedListEntry.objects.count() == 1        # a double submission: one entry
    assert entry.department == luoyang["housing"] and entry.created_by == bob and entry.valid_until == until
    client.logout()
    page = client.get("/credit/redlist/").content.decode()
    assert "洛阳守信建设有限公司" in page and "洛建〔2026〕40号" in page and until.isoformat() in page
    answer = selectors.eligibility([GOOD], "engineering", today)[GOOD]
    assert answer.eligible is True and answer.red_list[0].basis.endswith("（洛建〔2026〕40号）")
    assert selectors.eligibility([GOOD], "engineering", until + dt.timedelta(days=1))[GOOD].red_list == []


def test_the_admin_cannot_change_a_subject(client, olga, root, bob, firm):
    url = f"/admin/credit/creditsubject/{firm.pk}/change/"
    client.force_login(olga)  # the system administrator has no business with credit records at all
    assert client.get(url).status_code == 403
    assert client.post(url, {"type": "enterprise", "code": CODE[:-1] + "0", "name": "改名公司"}).status_code == 403
    client.force_login(root)  # even a superuser only reads: subjects change through the audited services
    page = client.get(url)
    assert page.status_code == 200 and "保存" not in page.content.decode()    # view only
    response = client.post(url, {"type": "enterprise", "code": CODE[:-1] + "0", "name": "改名公司"})
    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.code == CODE and firm.name == "洛阳甲建设有限公司"
    assert client.get("/admin/credit/creditsubject/add/").status_code == 403
    assert client.post(f"/admin/credit/creditsubject/{firm.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/credit/creditrecord/add/").status_code == 403
    assert CreditSubject.objects.count() == 1


def test_pool_memberships_are_added_in_the_admin_and_audited(client, luoyang, olga, bob):
    expert = services.ensure_subject(actor=bob, type="expert", code="EXP-0007", name="赵专家")
    client.force_login(olga)
    response = client.post("/admin/credit/expertpoolmembership/add/", {
        "subject": expert.pk, "pool": "procurement", "managing_department": luoyang["finance"].pk})
    assert response.status_code == 302
    assert expert.pools.get().managing_department == luoyang["finance"]
    event = timeline(expert).get(action="credit.pool_added")
    assert event.actor == olga and event.after["pool"] == "procurement"


@pytest.fixture
def expert(luoyang, bob):
    subject = services.ensure_subject(actor=bob, type="expert", code="EXP-0002", name="李专家")
    ExpertPoolMembership.objects.create(subject=subject, pool="tendering", managing_department=luoyang["housing"])
    ExpertPoolMembership.objects.create(subject=subject, pool="procurement", managing_department=luoyang["finance"])
    return subject


def ban(bob, dept, expert, decided_on):
    return services.record_sanction(
        actor=bob, department=dept, subject=expert, kind="bad_conduct", decision_number="评标违规1",
        decided_on=decided_on, facts="评标中违规", legal_basis="《评标专家和评标专家库管理办法》",
        penalty="暂停评标资格", valid_from=decided_on,
        measures=[services.MeasureInput("restriction", ["engineering", "procurement"], decided_on, None)])


def test_expert_ban_counts_from_the_day_the_record_arose(frozen, luoyang, bob, expert):
    frozen(at(2026, 11, 26, 15))                      # Thursday; the record arose on Wednesday
    rec = ban(bob, luoyang["housing"], expert, D(2026, 11, 25))
    clock = clocks_for(rec.ban_notices.get()).get()
    assert clock.state == "running" and clock.started_at.date() == D(2026, 11, 25)
    assert clock.due_at == at(2026, 11, 28, 0, 0)     # 2 working days from Wednesday: Friday 24:00


def test_an_old_record_is_entered_late_not_breached_at_once(client, frozen, luoyang, bob, expert):
    frozen(at(2026, 11, 26, 15))
    rec = ban(bob, luoyang["housing"], expert, D(2026, 10, 27))
    notice = rec.ban_notices.get()
    clock = clocks_for(notice).get()
    assert notice.entered_late and clock.state == "cancelled" and clock.next_action_at is None
    assert "录入迟延 30 天" in Event.objects.get(action="clock.cancelled").reason
    assert timeline(rec).get(action="credit.expert_ban_entered_late").after["entry_delay_days"] == 30
    assert timeline(rec).get(action="credit.recorded").after["entry_delay_days"] == 30
    client.force_login(bob)
    assert "录入迟延 30 天" in client.get(f"/credit/records/{rec.pk}/").content.decode()
    fay = make_user("fay", luoyang["finance"], "handler")
    services.acknowledge_ban(actor=fay, notice=notice, measure_taken="暂停其政府采购评审专家资格一年")
    notice.refresh_from_db()
    assert notice.measure_taken.startswith("暂停")


def test_a_withdrawn_record_cancels_every_clock_that_depended_on_it(client, luoyang, bob, expert):
    today = dt.date.today()
    rec = ban(bob, luoyang["housing"], expert, today)
    notice = rec.ban_notices.get()
    services.withdraw_record(actor=bob, rec=rec, reason="原处理决定被依法撤销")
    notice.refresh_from_db()
    assert "原处理决定被依法撤销" in notice.closed_reason
    assert [c.state for c in clocks_for(notice)] == ["cancelled"]
    fay = make_user("fay", luoyang["finance"], "handler")
    with pytest.raises(Conflict, match="已终止"):
        services.acknowledge_ban(actor=fay, notice=notice, measure_taken="暂停评审资格")
    client.force_login(fay)
    page = client.get(f"/credit/notices/{notice.pk}/").content.decode()
    assert "已终止" in page and "记录措施" not in page
    client.force_login(bob)                                   # not the notified department: 404
    assert client.get(f"/credit/notices/{notice.pk}/").status_code == 404
