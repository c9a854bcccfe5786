"""The deadline sweep on PostgreSQL: 1,000 due clocks among 10,000 and among 1,000,000 open ones.
Prints figures; asserts nothing about time. Targets (issue 18): under 200 ms among 1,000,000 open, and no
more than 1.2x the time among 10,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_perf .venv/bin/python bench/sweep.py [--big 1000000]
    ... bench/sweep.py --smoke     (seconds: CI runs it so a schema change that breaks the bench fails)

Works in its own database (<database>_bench_sweep), created afresh and dropped at the end. Clocks are bulk
inserted by copying a template clock saved through the ORM, so a column added later gets its default.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.small, args.big, args.due = 300, 1_200, 50
    from bench.common import bench_database

    with bench_database("sweep", keep=args.keep):
        import django

        django.setup()
        run(args)


def run(args):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

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

    # A template clock saved through the ORM: every column (and any added later) gets a valid value.
    def make_template() -> int:
        return Clock.objects.create(subject_type=ct, subject_id="template", label="基准测试模板", department=housing,
                                    rule_version=version, started_at=timezone.now(), due_at=timezone.now(),
                                    first_year=2026, last_year=2026, state=Clock.State.CANCELLED).pk

    copied = [f.column for f in Clock._meta.concrete_fields if not f.primary_key and f.column not in (
        "subject_id", "label", "started_at", "due_at", "state", "next_action_at", "created_at")]

    def insert(n: int, due: bool):
        # Open clocks whose next action is weeks away, or due clocks whose deadline passed yesterday.
        offset = "- interval '1 day'" if due else "+ interval '30 days'"
        nxt = "now() - interval '1 minute'" if due else "now() + interval '29 days'"
        cols = ", ".join(copied)
        with connection.cursor() as cur:
            cur.execute(f"""
                INSERT INTO casework_clock ({cols}, subject_id, label, started_at, due_at, state, next_action_at,
                    created_at)
                SELECT {", ".join("t." + c for c in copied)}, g::text, %s, now() - interval '5 days',
                       date_trunc('day', now()) {offset}, 'running', {nxt}, now()
                FROM casework_clock t, generate_series(1, %s) g WHERE t.id = %s""",
                [("基准测试（到期）" if due else "基准测试"), n, template])

    def reset_due(catch_up: bool):
        """Steady state: the reminder fired in an earlier sweep, so each due clock has one rung due
        (the breach). Catch-up (beat was down): reminder and breach are both due; the reminder is
        recorded as superseded and only the breach is sent."""
        with connection.cursor() as cur:
            cur.execute("TRUNCATE casework_escalationstep, casework_notification")
            cur.execute("UPDATE casework_clock SET state = 'running' WHERE label = '基准测试（到期）'")
            cur.execute("UPDATE casework_clock SET state = 'running', next_action_at = now() - interval '1 minute' "
                        "WHERE label = '基准测试（到期）'")
            if not catch_up:
                cur.execute("INSERT INTO casework_escalationstep (clock_id, kind, scheduled_for, fired_at, skipped) "
                            "SELECT id, 'reminder', due_at - interval '1 day', due_at - interval '1 day', false "
                            "FROM casework_clock WHERE label = '基准测试（到期）'")

    template = 0

    def scenario(open_count: int, runs: int = 3, catch_up: bool = False) -> tuple[float, int]:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE casework_clock, casework_escalationstep, casework_notification CASCADE")
        nonlocal template
        template = make_template()
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

    import gc

    gc.freeze()  # as a Celery worker does at start (config/celery.py): a full collection skips what is loaded
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
    verdict = "met" if big <= 1.2 * small else "NOT met"
    print(f"steady state: ratio big/small {big / small:.2f}x (target <= 1.2x: {verdict}); "
          f"big under 200 ms: {'met' if big < 0.2 else 'NOT met'}")
    print(f"open clocks now: {Clock.objects.count():,}")
    # The rungs, notices and events went in by COPY: the audit chain over them must still verify.
    from casework.events.models import Event
    from casework.events.services import verify_chain
    from casework.notifications.models import Notification

    result = verify_chain()
    verdict = "verifies" if result.ok else "BROKEN: " + result.problem
    print(f"audit chain over {Event.objects.count():,} events: {verdict}; notices {Notification.objects.count():,}")
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
