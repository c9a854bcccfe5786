"""The supervision dashboard and the punctuality API at scale: 1,000,000 clocks on 100,000 cases over eight
years, on PostgreSQL. Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_superv .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --smoke        # seconds; SQLite in var/bench/ unless DATABASE_URL is set

On PostgreSQL it works in its own database (<database>_bench_dashboard, see bench/common.py), never in the one
DATABASE_URL names; `--keep` leaves it for a later `--reuse`. It migrates that database, fills it with synthetic
clocks, hand-overs and rollup, rebuilds
the rollup (as the `supervision_rollup` command does), then times, warm, the dashboard page, the API, the trend
and a drill-down page, each the median of several requests through the whole Django stack.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="10,000 clocks on 1,000 cases, 3 runs")
    parser.add_argument("--reuse", action="store_true",
                        help="time the requests on the data a previous --keep run built (kept again)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database for a later --reuse")
    args = parser.parse_args()
    if args.smoke:
        args.clocks, args.cases, args.runs = 10_000, 1_000, 3
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from bench.common import bench_database

        with bench_database("dashboard", keep=args.keep or args.reuse, fresh=not args.reuse):
            import django

            django.setup()
            run(args)
        return
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        db = ROOT / "var" / "bench" / "dashboard.sqlite3"
        db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    run(args)


def _generate_postgres(cur, args, ct_id, dept_ids, versions, user_id):
    cur.execute("""
        INSERT INTO casework_handoff (reference, kind, title, description, sender_id, receiver_id, state,
                                      created_by_id, sent_at, result)
        SELECT 'BENCH' || lpad(g::text, 8, '0'), 'clue_referral', '基准测试事项 ' || g, '', %s,
               (%s::int[])[1 + g %% %s], CASE WHEN g %% 50 = 0 THEN 'returned' ELSE 'accepted' END, %s,
               timestamptz '2019-01-01 09:00+08' + (g::float / %s) * interval '2890 days', ''
        FROM generate_series(1, %s) g""", [dept_ids[0], dept_ids, len(dept_ids), user_id, args.cases, args.cases])
    cur.execute("UPDATE casework_handoff SET closed_at = sent_at + interval '2 days' WHERE state = 'returned' "
                "AND reference LIKE 'BENCH%%'")
    cur.execute("SELECT min(id) FROM casework_handoff WHERE reference LIKE 'BENCH%%'")
    first_case = cur.fetchone()[0]
    # Clocks spread over 2019-01-01 .. 2026-11-30: ~3% still open, ~2% cancelled, the rest closed, a fifth late.
    cur.execute("""
        INSERT INTO casework_clock (subject_type_id, subject_id, label, department_id, rule_version_id,
            started_at, due_at, state, provisional, first_year, last_year, paused_units, extended_units,
            created_at, closed_at)
        SELECT %s, (%s + g %% %s)::text, '基准测试环节', (%s::int[])[1 + g %% %s],
               (%s::int[])[1 + (g / %s) %% %s], s, s + interval '5 days', st, false, 2019, 2026, 0, 0, s,
               CASE st WHEN 'running' THEN NULL WHEN 'met' THEN s + ((g %% 4) + 1) * interval '1 day'
                       WHEN 'breached' THEN s + ((g %% 9) + 6) * interval '1 day'
                       ELSE s + interval '1 day' END
        FROM (SELECT g, timestamptz '2019-01-01 09:00+08' + (g::float / %s) * interval '2890 days' AS s,
                     CASE WHEN g > %s * 0.97 THEN 'running' WHEN g %% 50 = 1 THEN 'cancelled'
                          WHEN g %% 5 = 0 THEN 'breached' ELSE 'met' END AS st
              FROM generate_series(1, %s) g) x""",
                [ct_id, first_case, args.cases, dept_ids, len(dept_ids), versions, len(dept_ids), len(versions),
                 args.clocks, args.clocks, args.clocks])


def _generate_python(args, ct_id, dept_ids, versions, user):
    import datetime as dt

    from casework.clocks.models import Clock
    from casework.clocks.timing import SHANGHAI
    from casework.handoffs.models import Handoff

    t0 = dt.datetime(2019, 1, 1, 9, tzinfo=SHANGHAI)
    span = dt.timedelta(days=2890)
    cases = Handoff.objects.bulk_create([
        Handoff(reference=f"BENCH{g:08d}", kind="clue_referral", title=f"基准测试事项 {g}", sender_id=dept_ids[0],
                receiver_id=dept_ids[g % len(dept_ids)], state="returned" if g % 50 == 0 else "accepted",
                created_by=user, sent_at=t0 + span * (g / args.cases),
                closed_at=t0 + span * (g / args.cases) + dt.timedelta(days=2) if g % 50 == 0 else None)
        for g in range(1, args.cases + 1)], batch_size=2000)
    ids = [c.pk for c in cases] or list(Handoff.objects.filter(reference__startswith="BENCH")
                                        .values_list("pk", flat=True))
    batch = []
    for g in range(1, args.clocks + 1):
        s = t0 + span * (g / args.clocks)
        st = ("running" if g > args.clocks * 0.97 else "cancelled" if g % 50 == 1 else
              "breached" if g % 5 == 0 else "met")
        closed = {"running": None, "met": s + dt.timedelta(days=g % 4 + 1),
                  "breached": s + dt.timedelta(days=g % 9 + 6), "cancelled": s + dt.timedelta(days=1)}[st]
        batch.append(Clock(subject_type_id=ct_id, subject_id=str(ids[g % len(ids)]), label="基准测试环节",
                           department_id=dept_ids[g % len(dept_ids)],
                           rule_version_id=versions[(g // len(dept_ids)) % len(versions)],
                           started_at=s, due_at=s + dt.timedelta(days=5), state=st, first_year=2019,
                           last_year=2026, closed_at=closed))
        if len(batch) == 5000:
            Clock.objects.bulk_create(batch)
            batch = []
    Clock.objects.bulk_create(batch)


def run(args):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from casework.clocks.models import Clock
    from casework.handoffs.models import Handoff
    from casework.org.models import Department, Membership
    from casework.org.services import add_membership, load_org_preset
    from casework.rules.models import Rule
    from supervision import rollup
    from supervision.models import DailyFigure

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if args.reuse and Clock.objects.filter(label="基准测试环节").count() >= args.clocks:
        from django.contrib.auth import get_user_model

        print(f"dashboard benchmark on {connection.vendor}: reusing {Clock.objects.count():,} clocks, "
              f"{Handoff.objects.count():,} cases, {DailyFigure.objects.count():,} rollup rows")
        return time_requests(args, get_user_model().objects.get(username="bench-supervisor"))
    load_org_preset(preset="luoyang")
    office = Department.objects.get(code="LY-DRC")
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-supervisor")
    if not Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR).exists():
        add_membership(user=user, department=office, role=Membership.Role.SUPERVISOR)
    depts = list(Department.objects.filter(jurisdiction__code="410300").order_by("id").values_list("id", flat=True))
    versions = list(Rule.objects.filter(profile__preset="luoyang").values_list("current_version_id", flat=True))
    ct = ContentType.objects.get_for_model(Handoff)
    with connection.cursor() as cur:
        for table in ("supervision_dailyfigure", "supervision_monthlyfigure", "casework_escalationstep",
                      "casework_notification"):
            if table in connection.introspection.table_names():
                cur.execute(f"DELETE FROM {table}")
        cur.execute("DELETE FROM casework_clock WHERE label = '基准测试环节'")
        cur.execute("DELETE FROM casework_handoff WHERE reference LIKE 'BENCH%%'")
        if connection.vendor == "postgresql":
            _generate_postgres(cur, args, ct.id, depts, versions, user.id)
            cur.execute("VACUUM ANALYZE casework_clock")
            cur.execute("VACUUM ANALYZE casework_handoff")
    if connection.vendor != "postgresql":
        _generate_python(args, ct.id, depts, versions, user)
    load = time.perf_counter() - t0
    print(f"dashboard benchmark on {connection.vendor}: {Clock.objects.count():,} clocks, "
          f"{Handoff.objects.count():,} cases, {len(depts)} departments (load {load:.1f} s)")

    t0 = time.perf_counter()
    rows = rollup.rebuild(dt.date(2019, 1, 1), dt.date(2026, 11, 30))
    print(f"  rollup rebuild 2019-01-01..2026-11-30: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    rollup.refresh_recent(dt.date(2026, 11, 30))
    print(f"  beat refresh of the last {rollup.RECENT_DAYS} days: {(time.perf_counter() - t0) * 1000:.0f} ms")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE supervision_dailyfigure")
            cur.execute("VACUUM ANALYZE supervision_monthlyfigure")
    print(f"  rollup rows: {DailyFigure.objects.count():,}")

    time_requests(args, user)


def _next_page(client, url):
    """The keyset link of the page after the first (the drill-down pages by (time, id), not OFFSET)."""
    import re

    html = client.get(url, HTTP_HOST="127.0.0.1").content.decode()
    found = re.search(r'id="next" href="\?([^"]+)"', html)
    return "/supervision/dashboard/items/?" + found[1].replace("&amp;", "&") if found else url


def time_requests(args, user):
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    client.force_login(user)
    targets = [
        ("dashboard page, a quarter", "/supervision/dashboard/?from=2026-07-01&to=2026-09-30"),
        ("dashboard page, current quarter", "/supervision/dashboard/?from=2026-10-01&to=2026-12-31"),
        ("dashboard page, a whole year", "/supervision/dashboard/?from=2025-01-01&to=2025-12-31"),
        ("API, a quarter", "/api/v1/supervision/punctuality/?from=2026-07-01&to=2026-09-30"),
        ("API, a whole year", "/api/v1/supervision/punctuality/?from=2025-01-01&to=2025-12-31"),
        ("API, five years", "/api/v1/supervision/punctuality/?from=2021-12-01&to=2026-11-30"),
        ("drill-down, open overdue (page 1)",
         "/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&metric=open_overdue"),
        ("drill-down, late in a quarter (page 1)",
         "/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&metric=late"),
        ("drill-down, received in a quarter",
         "/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&metric=received"),
        ("drill-down, late in a year (page 1)",
         "/supervision/dashboard/items/?from=2025-01-01&to=2025-12-31&metric=late"),
    ]
    targets.append(("drill-down, late in a year (next page)", _next_page(client, targets[-1][1])))
    worst = 0.0
    with override_settings(DEBUG=False):
        for name, url in targets:
            times, cpu = [], []
            for i in range(args.runs + 1):
                start, start_cpu = time.perf_counter(), time.process_time()
                resp = client.get(url, HTTP_HOST="127.0.0.1")
                took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
                if resp.status_code != 200:
                    sys.exit(f"{url}: HTTP {resp.status_code}")
                if i:  # the first request warms caches
                    times.append(took)
                    cpu.append(took_cpu)
            med = statistics.median(times)
            worst = max(worst, med)
            print(f"  {name:<40} median {med * 1000:7.1f} ms  (max {max(times) * 1000:.1f} ms; "
                  f"Django CPU {statistics.median(cpu) * 1000:.1f} ms)")
    load = os.getloadavg()[0]
    print(f"slowest median {worst * 1000:.1f} ms; target under 200 ms: {'met' if worst < 0.2 else 'NOT met'} "
          f"(machine load average {load:.1f} on {os.cpu_count()} cores while measuring)")


if __name__ == "__main__":
    main()
