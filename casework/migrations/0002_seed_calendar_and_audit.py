"""Seed the official calendar from the chinese-calendar package for every year it knows,
create the audit chain's head row, and make the audit table append-only in the database."""

from django.db import migrations

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed_calendar(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("casework", "CalendarYear")
    CalendarDay = apps.get_model("casework", "CalendarDay")
    days_by_year: dict[int, list] = {}
    for day, name in chinese_calendar.holidays.items():
        days_by_year.setdefault(day.year, []).append((day, "holiday", HOLIDAY_NAMES.get(str(name), str(name))))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:  # the package lists only make-up days here, but be certain
            days_by_year.setdefault(day.year, []).append((day, "workday", HOLIDAY_NAMES.get(str(name), str(name))))
    for year, days in sorted(days_by_year.items()):
        cy, _ = CalendarYear.objects.get_or_create(year=year, defaults={
            "loaded": True,
            "source": f"国务院办公厅关于{year}年部分节假日安排的通知（经 chinese-calendar {chinese_calendar.__version__} 导入）",
        })
        CalendarDay.objects.bulk_create(
            [CalendarDay(calendar_year=cy, date=d, kind=k, name=n) for d, k, n in days],
            ignore_conflicts=True)


def create_audit_head(apps, schema_editor):
    apps.get_model("casework", "AuditHead").objects.get_or_create(pk=1)


APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION casework_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'casework_event is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER casework_event_no_update BEFORE UPDATE OR DELETE ON casework_event
FOR EACH ROW EXECUTE FUNCTION casework_event_append_only();
"""
DROP_PG = """
DROP TRIGGER IF EXISTS casework_event_no_update ON casework_event;
DROP FUNCTION IF EXISTS casework_event_append_only();
"""
# SQLite: Django's test flush uses DELETE, so only UPDATE is blocked there.
APPEND_ONLY_SQLITE = """
CREATE TRIGGER casework_event_no_update BEFORE UPDATE ON casework_event
BEGIN SELECT RAISE(ABORT, 'casework_event is append-only'); END;
"""


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_PG)
    elif vendor == "sqlite":
        schema_editor.execute(APPEND_ONLY_SQLITE)


def drop_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(DROP_PG)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_event_no_update")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(create_audit_head, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
