"""How clocks are shown (issue 12): past rungs of a clock closed late, lateness in a supervision notice
as of when it is sent, one deadline formatter ("YYYY-MM-DD 24:00") in pages, messages, the API and the
admin, a paused clock's page, 暂定 settled when a year loads and set again when it is unloaded, and the
rule-correction preview where only ticked clocks move."""

import datetime as dt

import pytest

from casework.calendar.models import CalendarDay, CalendarYear
from casework.calendar.services import DaySpec, get_calendar, load_year
from casework.clocks import escalation, services
from casework.clocks.explain import explain
from casework.clocks.models import Clock
from casework.clocks.timing import format_due
from casework.events.models import Event
from casework.notifications.models import Notification
from casework.rules.models import Rule
from tests.conftest import at


def start(luoyang, when, key="referral.return"):
    return services.start_clock(actor=None, subject=luoyang["housing"], rule_key=key,
                                department=luoyang["housing"], counterpart=luoyang["trading_centre"],
                                started_at=when)


def test_format_due_is_the_last_day_at_24_00():
    assert format_due(at(2026, 12, 26, 0)) == "2026-12-25 24:00"


def test_past_rungs_of_a_clock_closed_late_do_not_read_not_yet(luoyang, frozen):
    frozen(at(2026, 11, 2, 9))
    clock = start(luoyang, at(2026, 11, 2, 9))                         # due Thu 11-05 24:00
    frozen(at(2026, 11, 12, 10))
    services.complete_clock(actor=None, clock=clock)                   # closed late, the sweep never ran
    rungs = {r["kind"]: r["status"] for r in explain(Clock.objects.get(pk=clock.pk))["ladder"]}
    assert rungs["breach"].startswith("已过（2026-11-06 00:00 到点时尚未办结")
    assert rungs["supervision"].startswith("已过（")                   # 11-10 24:00
    assert rungs["circular"] == "已办结，无需发出"                    # 11-12 24:00, after closing
    assert "未到" not in rungs.values()


def test_supervision_notice_states_lateness_when_sent_and_the_rungs_time(luoyang, bob, carol, dave, frozen):
    frozen(at(2026, 11, 16, 9))
    clock = start(luoyang, at(2026, 11, 16, 9))                        # due Thu 11-19 24:00
    frozen(at(2026, 11, 29, 9))                                         # the sweep was down until Sunday 11-29
    escalation.sweep()
    note = Notification.objects.filter(kind="supervision", clock=clock).first()
    assert note.title.startswith("督办：") and \
        note.title.endswith("已超期6个工作日")
    assert "期限为2026-11-19 24:00，截至2026-11-29已超期6个工作日" in note.body
    assert "督办节点：超期3个工作日，2026-11-24 24:00" in note.body
    breach = Notification.objects.filter(kind="breach", clock=clock).first()
    assert "2026-11-19 24:00" in breach.body and "00:00" not in breach.body


def test_api_gives_due_date_beside_due_at(luoyang, bob, frozen):
    from rest_framework.test import APIClient

    frozen(at(2026, 12, 22, 9))
    start(luoyang, at(2026, 12, 22, 9))                                # due Fri 12-25 24:00
    api = APIClient()
    api.force_authenticate(bob)
    row = api.get("/api/v1/clocks/").json()
    row = (row["results"] if isinstance(row, dict) else row)[0]
    assert row["due_date"] == "2026-12-25" and row["due_at"].startswith("2026-12-26T00:00")


def test_admin_and_resume_message_write_24_00(client, luoyang, carol, olga, frozen):
    from django.contrib.auth.models import Permission

    frozen(at(2026, 12, 22, 9))
    clock = start(luoyang, at(2026, 12, 22, 9))
    # Clocks are case content: the admin lists them only with an explicit grant (三员分立).
    olga.user_permissions.add(Permission.objects.get(codename="view_clock", content_type__app_label="casework"))
    client.force_login(olga)
    listing = client.get("/admin/casework/clock/").content.decode()
    assert "2026-12-25 24:00" in listing and "2026-12-26 00:00" not in listing
    detail = client.get(f"/admin/casework/clock/{clock.pk}/change/").content.decode()
    assert "2026-12-25 24:00" in detail
    client.force_login(carol)  # pausing and resuming a statutory clock is the leader's (role powers)
    client.post(f"/clocks/{clock.pk}/pause/", {"reason": "专家评审"})
    frozen(at(2026, 12, 24, 9))
    page = client.post(f"/clocks/{clock.pk}/resume/", follow=True).content.decode()
    assert "新的截止时间为 2026-12-29 24:00" in page                  # 12-23, 12-24 not counted


def test_paused_clock_page_shows_where_the_deadline_would_be(client, luoyang, carol, frozen):
    frozen(at(2026, 11, 2, 9))
    clock = start(luoyang, at(2026, 11, 2, 9))                         # due Thu 11-05 24:00
    client.force_login(carol)
    client.post(f"/clocks/{clock.pk}/pause/", {"reason": "等待检验检测"})
    frozen(at(2026, 11, 4, 9))                                          # 11-03, 11-04 not counted so far
    page = client.get(f"/clocks/{clock.pk}/").content.decode()
    assert "暂停计时中" in page and "截至今日已有 2 个工作日不计入" in page
    assert "如今日恢复计时，截止时间为 <strong>2026-11-09 24:00</strong>" in page
    assert "原定 2026-11-05 24:00" in page
    days = {d.date: d for d in explain(Clock.objects.get(pk=clock.pk))["days"]}
    assert max(days) == dt.date(2026, 11, 9)                            # the day list runs to the new date
    assert not days[dt.date(2026, 11, 4)].counted and "暂停计时" in days[dt.date(2026, 11, 4)].reason
    assert days[dt.date(2026, 11, 5)].counted and days[dt.date(2026, 11, 9)].counted  # after today: counted


def holidays_2027():
    return [DaySpec(dt.date(2027, 1, 1), CalendarDay.Kind.HOLIDAY, "元旦"),
            DaySpec(dt.date(2027, 2, 8), CalendarDay.Kind.HOLIDAY, "春节")]


def test_loading_a_year_settles_closed_clocks_and_unloading_marks_them_provisional(client, luoyang, olga, frozen):
    frozen(at(2026, 12, 29, 9))
    done = start(luoyang, at(2026, 12, 29, 9))                          # runs into 2027: provisional
    running = start(luoyang, at(2026, 12, 30, 9))
    assert done.provisional and running.provisional
    services.complete_clock(actor=None, clock=done)
    load_year(actor=olga, year=2027, source="国办发明电〔2026〕X号", days=holidays_2027())
    done.refresh_from_db()
    running.refresh_from_db()
    assert not done.provisional and not running.provisional
    assert done.due_at == at(2027, 1, 5, 0)                             # 12-30, 12-31, (01-01 off), 01-04 24:00
    client.force_login(olga)
    year = CalendarYear.objects.get(year=2027)
    resp = client.post(f"/admin/casework/calendaryear/{year.pk}/delete/", {"post": "yes"}, follow=True)
    assert resp.status_code == 200 and "已撤下" in resp.content.decode()
    year.refresh_from_db()
    running.refresh_from_db()
    assert not year.loaded and not year.days.exists() and running.provisional
    assert not get_calendar().is_loaded(2027)
    assert Event.objects.filter(action="calendar.year_unloaded", object_id=str(year.pk)).exists()
    assert Event.objects.filter(action="clock.recomputed", object_id=str(running.pk)).count() == 2


@pytest.mark.parametrize("tick", [0, 1])
def test_rule_correction_preview_ticks_nothing_and_moves_only_the_ticked(client, luoyang, olga, frozen, tick):
    from casework.rules.services import update_rule

    frozen(at(2026, 11, 2, 9))
    clocks = [start(luoyang, at(2026, 11, 2, 9)) for _ in range(3)]
    rule = Rule.objects.get(profile__jurisdiction=luoyang["housing"].jurisdiction, key="referral.return")
    update_rule(actor=olga, rule=rule, reason="统一时限", amount=5, source="default", note="统一为5个工作日")
    client.force_login(olga)
    preview = client.get(f"/admin/casework/rule/{rule.pk}/correct/").content.decode()
    assert "checked" not in preview
    assert preview.count("2026-11-05 24:00") == 3 and preview.count("2026-11-09 24:00") == 3
    chosen = clocks[tick]
    resp = client.post(f"/admin/casework/rule/{rule.pk}/correct/", {"clocks": [str(chosen.pk)], "reason": "统一时限"})
    assert resp.status_code == 302
    for clock in clocks:
        clock.refresh_from_db()
        assert clock.due_at == (at(2026, 11, 10, 0) if clock.pk == chosen.pk else at(2026, 11, 6, 0))


def test_a_borrowed_limit_says_so_on_the_workbench(luoyang, client, bob, frozen):
    """Luoyang's documents give no limit for 研判线索; the page must not send local staff to Zengdu's document as if
    it were theirs: “本地文件未规定时限，采用默认值（参照 曾都 第十三条）”. A local rule keeps its own clause."""
    frozen(at(2026, 11, 2, 9))
    start(luoyang, at(2026, 11, 2, 9), key="referral.transfer")
    start(luoyang, at(2026, 11, 2, 9), key="referral.return")
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert "5个工作日 · 本地文件未规定时限，采用默认值（参照 曾都 第十三条）" in page
    local = Rule.objects.get(profile__jurisdiction=luoyang["housing"].jurisdiction, key="referral.return")
    assert f"3个工作日 · {local.current_version.clause}" in page and "洛阳" in local.current_version.clause
