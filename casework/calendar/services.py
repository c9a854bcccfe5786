"""The official calendar: building the in-memory calendar, loading and importing years."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from casework.calendar.models import CalendarDay, CalendarYear
from casework.calendar.workcalendar import WorkCalendar, YearData
from casework.errors import DomainError
from casework.events.services import record

_cache_lock = threading.Lock()
_cache: dict = {"revision": None, "calendar": None}


def _revision():
    # The loaded count and the day count too: a change within the same instant (an unload right
    # after a load) must still rebuild the calendar. One statement (every write that starts a clock reads it).
    years, days = CalendarYear._meta.db_table, CalendarDay._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT COUNT(*) FROM {years}), (SELECT MAX(updated_at) FROM {years}), "
                    f"(SELECT COUNT(*) FROM {years} WHERE loaded), (SELECT COUNT(*) FROM {days})")
        return tuple(cur.fetchone())


def build_calendar() -> WorkCalendar:
    years: dict[int, YearData] = {}
    for cy in CalendarYear.objects.filter(loaded=True):
        years[cy.year] = YearData(cy.year)
    for day in CalendarDay.objects.filter(calendar_year__loaded=True).select_related("calendar_year"):
        target = years[day.calendar_year.year]
        bucket = target.holidays if day.kind == CalendarDay.Kind.HOLIDAY else target.workdays
        bucket[day.date] = day.name
    return WorkCalendar(years)


def get_calendar() -> WorkCalendar:
    """The current calendar, rebuilt only when a year was added or changed (its revision read once a request)."""
    from casework.memo import memo

    revision = memo("calendar.revision", _revision)
    with _cache_lock:
        if _cache["revision"] != revision or _cache["calendar"] is None:
            _cache["calendar"] = build_calendar()
            _cache["revision"] = revision
        return _cache["calendar"]


# --- import ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DaySpec:
    date: dt.date
    kind: str
    name: str = ""


KIND_ALIASES = {
    "holiday": CalendarDay.Kind.HOLIDAY, "rest": CalendarDay.Kind.HOLIDAY, "休": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY, "work": CalendarDay.Kind.WORKDAY, "班": CalendarDay.Kind.WORKDAY,
}


def _parse_day(raw_date, raw_kind, raw_name, where: str) -> DaySpec:
    try:
        date = dt.date.fromisoformat(str(raw_date).strip())
    except ValueError as exc:
        raise DomainError.for_field("file", f"{where}：日期“{raw_date}”不是 YYYY-MM-DD 格式") from exc
    kind = KIND_ALIASES.get(str(raw_kind or "").strip().lower())
    if kind is None:
        raise DomainError.for_field(
            "file", f"{where}：类型“{raw_kind}”无效，应为 holiday（休息）或 workday（调休上班）")
    return DaySpec(date, kind, str(raw_name or "").strip()[:32])


def parse_calendar_file(content: bytes, filename: str) -> tuple[int | None, str, list[DaySpec]]:
    """Read a JSON or CSV calendar file. Returns (year or None, source or "", days).

    JSON: {"year": 2027, "source": "国办发明电〔2026〕X号", "days": [{"date": "2027-01-01",
    "kind": "holiday", "name": "元旦"}, ...]}
    CSV: a header row `date,kind,name`, then one row per day.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError.for_field("file", "文件须为 UTF-8 编码") from exc
    name = filename.lower()
    if name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DomainError.for_field("file", f"JSON 格式错误：第 {exc.lineno} 行 {exc.msg}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("days"), list):
            raise DomainError.for_field("file", "JSON 须为含 days 列表的对象")
        days = [_parse_day(d.get("date"), d.get("kind"), d.get("name"), f"第 {i + 1} 项")
                if isinstance(d, dict) else _bad_item(i) for i, d in enumerate(data["days"])]
        year = data.get("year")
        if year is not None and not isinstance(year, int):
            raise DomainError.for_field("file", "year 须为整数")
        return year, str(data.get("source") or ""), days
    if name.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        missing = {"date", "kind"} - set(reader.fieldnames or [])
        if missing:
            raise DomainError.for_field("file", f"CSV 缺少列：{', '.join(sorted(missing))}（应为 date,kind,name）")
        days = [_parse_day(row.get("date"), row.get("kind"), row.get("name"), f"第 {i + 2} 行")
                for i, row in enumerate(reader)]
        return None, "", days
    raise DomainError.for_field("file", "只接受 .json 或 .csv 文件")


def _bad_item(i):
    raise DomainError.for_field("file", f"第 {i + 1} 项须为对象")


@transaction.atomic
def load_year(*, actor, year: int, source: str, days: list[DaySpec]) -> CalendarYear:
    """Replace one year's rest days and make-up working days, mark it loaded, and recompute
    every open clock whose period touches that year."""
    from casework.memo import forget

    forget()  # the rules/calendar change: no memo of them for the rest of this request
    if not (1990 <= year <= 2099):
        raise DomainError.for_field("year", f"年份 {year} 超出支持范围（1990–2099）")
    if not source.strip():
        raise DomainError.for_field("source", "请填写依据（国务院办公厅通知文号）")
    seen: set[dt.date] = set()
    for day in days:
        if day.date.year != year:
            raise DomainError.for_field("file", f"{day.date} 不属于 {year} 年")
        if day.date in seen:
            raise DomainError.for_field("file", f"{day.date} 重复出现")
        seen.add(day.date)
        if day.kind == CalendarDay.Kind.WORKDAY and day.date.weekday() < 5:
            raise DomainError.for_field("file", f"{day.date} 是周一至周五，不能标为调休上班")
    if not any(d.kind == CalendarDay.Kind.HOLIDAY for d in days):
        raise DomainError.for_field("file", f"{year} 年没有任何法定节假日，请检查文件")
    cal_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = None
    if cal_year is None:
        cal_year = CalendarYear.objects.create(year=year, source=source)
    else:
        before = {"loaded": cal_year.loaded, "source": cal_year.source,
                  "days": cal_year.days.count()}
        cal_year.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar_year=cal_year, date=d.date, kind=d.kind, name=d.name) for d in days])
    cal_year.loaded, cal_year.source = True, source.strip()
    cal_year.loaded_at, cal_year.loaded_by = timezone.now(), actor
    cal_year.save()
    record(actor=actor, obj=cal_year, action="calendar.year_loaded", before=before,
           after={"loaded": True, "source": cal_year.source,
                  "holidays": sum(d.kind == CalendarDay.Kind.HOLIDAY for d in days),
                  "workdays": sum(d.kind == CalendarDay.Kind.WORKDAY for d in days)})
    from casework.clocks.services import recompute_for_calendar_year

    recompute_for_calendar_year(actor=actor, year=year)
    return cal_year


@transaction.atomic
def year_edited(*, actor, cal_year: CalendarYear) -> int:
    """An administrator corrected a year's days in the admin: mark it, audit, recompute."""
    from casework.memo import forget

    forget()  # the rules/calendar change: no memo of them for the rest of this request
    cal_year.loaded, cal_year.loaded_at, cal_year.loaded_by = True, timezone.now(), actor
    cal_year.save()
    days = list(cal_year.days.values_list("date", "kind"))
    record(actor=actor, obj=cal_year, action="calendar.year_edited",
           after={"source": cal_year.source, "days": [[str(d), k] for d, k in days]})
    from casework.clocks.services import recompute_for_calendar_year

    return recompute_for_calendar_year(actor=actor, year=cal_year.year)


@transaction.atomic
def unload_year(*, actor, cal_year: CalendarYear, reason: str = "") -> int:
    """Take a loaded year back out (e.g. it was loaded by mistake): its days are removed, it is no
    longer loaded, every clock whose period touches it is recomputed on the plain weekday rule and
    marked provisional again, all audited. The year row stays as the record of what happened."""
    from casework.memo import forget

    forget()  # the rules/calendar change: no memo of them for the rest of this request
    cal_year = CalendarYear.objects.select_for_update().get(pk=cal_year.pk)
    days = list(cal_year.days.values_list("date", "kind"))
    before = {"loaded": cal_year.loaded, "source": cal_year.source, "days": [[str(d), k] for d, k in days]}
    cal_year.days.all().delete()
    cal_year.loaded, cal_year.loaded_at = False, None
    cal_year.save()
    record(actor=actor, obj=cal_year, action="calendar.year_unloaded", reason=reason or "管理员撤下该年份",
           before=before, after={"loaded": False})
    from casework.clocks.services import recompute_for_calendar_year

    return recompute_for_calendar_year(actor=actor, year=cal_year.year)


def missing_year_warning(today: dt.date | None = None) -> str | None:
    """From November on, name next year when its official schedule is not loaded yet."""
    today = today or timezone.localdate()
    if today.month < 11:
        return None
    nxt = today.year + 1
    if CalendarYear.objects.filter(year=nxt, loaded=True).exists():
        return None
    return (f"{nxt} 年的法定节假日安排尚未载入：落在 {nxt} 年的期限暂按“仅周末休息”计算并标记为暂定。"
            f"国务院办公厅发布通知后，请在“工作日历”中导入。")


def notify_admins_of_missing_year(today: dt.date | None = None) -> bool:
    from casework.notifications.models import Notification
    from casework.notifications.services import create_many
    from casework.org.models import Membership

    today = today or timezone.localdate()
    message = missing_year_warning(today)
    if message is None:
        return False
    kind = f"calendar_missing_{today.year + 1}"
    admins = set(Membership.objects.filter(role=Membership.Role.ADMIN, user__is_active=True)
                 .values_list("user_id", flat=True))
    already = set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))
    now = timezone.now()
    create_many([Notification(recipient_id=u, kind=kind, title=f"{today.year + 1} 年工作日历未载入",
                              body=message, url="/admin/casework/calendaryear/", created_at=now)
                 for u in sorted(admins - already)])
    return True
