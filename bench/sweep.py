"""The deadline sweep on PostgreSQL: 1,000 due clocks among 10,000 and among 1,000,000 open ones.
Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/sweep.py [--big 1000000]

Works in its own database (portal_bench), created afresh and dropped at the end.
"""

import argparse
import os
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the portal_bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (the bench creates its own database)")
    import psycopg

    parsed = urllib.parse.urlparse(url)
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS portal_bench")
        conn.execute("CREATE DATABASE portal_bench")
    os.environ["DATABASE_URL"] = parsed._replace(path="/portal_bench").geturl()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS portal_bench")


def run(args):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from casework.clocks.escalation import sweep
    from casework.clocks.models import Clock
    from casework.org.models import Department, Membership
    from casework.org.services import add_membership, load_org_preset
    from casework.rules.models import Rule

    call_command("migrate", verbosity=0)
    load_org_preset(preset="luoyang")
    housing = Department.objects.get(code="LY-HOUSING") if Department.objects.filter(
        code="LY-HOUSING").exists() else Department.objects.filter(type="housing").first()
    User = get_user_model()
    for role in (Membership.Role.HANDLER, Membership.Role.LEADER):
        add_membership(user=User.objects.create(username=f"bench-{role}"), department=housing, role=role)
    version = Rule.objects.get(profile__preset="luoyang", key="referral.return").current_version
    ct = ContentType.objects.get_for_model(Department)
    columns = (ct.id, housing.id, version.id)

    def insert(n: int, due: bool):
        # Open clocks whose next action is weeks away, or due clocks whose deadline passed yesterday.
        offset = "- interval '1 day'" if due else "+ interval '30 days'"
        nxt = "now() - interval '1 minute'" if due else "now() + interval '29 days'"
        with connection.cursor() as cur:
            cur.execute(f"""
                INSERT INTO casework_clock (subject_type_id, subject_id, label, department_id, rule_version_id,
                    started_at, due_at, state, provisional, first_year, last_year, paused_units, next_action_at,
                    created_at)
                SELECT %s, g::text, %s, %s, %s, now() - interval '5 days', date_trunc('day', now()) {offset},
                       'running', false, 2026, 2026, 0, {nxt}, now()
                FROM generate_series(1, %s) g""",
                [columns[0], "基准测试（到期）" if due else "基准测试", *columns[1:], n])

    def reset_due(catch_up: bool):
        """Steady state: the reminder fired in an earlier sweep, so each due clock has one rung due
        (the breach). Catch-up (beat was down): reminder and breach are both due; the reminder is
        recorded as superseded and only the breach is sent."""
        with connection.cursor() as cur:
            cur.execute("TRUNCATE casework_escalationstep, casework_notification")
            cur.execute("UPDATE casework_clock SET state = 'running', next_action_at = now() - interval '1 minute' "
                        "WHERE label = '基准测试（到期）'")
            if not catch_up:
                cur.execute("INSERT INTO casework_escalationstep (clock_id, kind, scheduled_for, fired_at, skipped) "
                            "SELECT id, 'reminder', due_at - interval '1 day', due_at - interval '1 day', false "
                            "FROM casework_clock WHERE label = '基准测试（到期）'")

    def scenario(open_count: int, runs: int = 3, catch_up: bool = False) -> tuple[float, int]:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE casework_clock, casework_escalationstep, casework_notification CASCADE")
        t0 = time.perf_counter()
        insert(open_count - args.due, due=False)
        insert(args.due, due=True)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE casework_clock")
            cur.execute("CHECKPOINT")  # measure the steady state, not the bulk load's write-back
        load = time.perf_counter() - t0
        timings = []
        for _ in range(runs):
            reset_due(catch_up)
            t0 = time.perf_counter()
            fired = sweep()
            timings.append(time.perf_counter() - t0)
        timings.sort()
        median = timings[len(timings) // 2]
        kind = "catch-up" if catch_up else "steady  "
        print(f"  {kind} {open_count:>9,} open, {args.due:,} due: sweep median {median * 1000:7.1f} ms "
              f"(runs: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms), fired {fired:,} rungs (load {load:.1f} s)")
        return median, fired

    # warm-up run so imports, the calendar and plans are cached for both measurements alike
    print("sweep benchmark on PostgreSQL")
    scenario(args.due + 100)
    small, _ = scenario(args.small)
    scenario(args.small, catch_up=True)
    big, _ = scenario(args.big)
    # catch-up on the big table, reusing its load
    times = []
    for _ in range(3):
        reset_due(True)
        t0 = time.perf_counter()
        fired = sweep()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"  catch-up {args.big:>9,} open, {args.due:,} due: sweep median {times[1] * 1000:7.1f} ms, "
          f"fired {fired:,} rungs")
    with connection.cursor() as cur:
        cur.execute("EXPLAIN SELECT id FROM casework_clock WHERE next_action_at <= now() ORDER BY next_action_at "
                    "LIMIT 500")
        plan = " / ".join(row[0].strip() for row in cur.fetchall())
    print(f"plan: {plan}")
    print(f"steady state: ratio big/small {big / small:.2f}x (target within 2x); "
          f"big under 1 s: {'met' if big < 1 else 'NOT met'}")
    print(f"open clocks now: {Clock.objects.count():,}")


if __name__ == "__main__":
    main()
