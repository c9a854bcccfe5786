"""Clue search (the list's search box and GET /api/v1/clues/?search=) over many clues.
Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search.py [--clues 1000000]
    .venv/bin/python bench/search.py --smoke          # seconds, on SQLite unless DATABASE_URL is PostgreSQL

Target (issue 16): a search over 1,000,000 clues answers in under 100 ms on PostgreSQL.

Works in its own database (portal_bench_search on PostgreSQL unless --db names another, a temporary SQLite file
otherwise), created afresh and dropped at the end unless --keep. Loading 1,000,000 clues takes minutes: load once
with --keep, then re-time with --reuse (no load; the database is kept) after changing the code.

Loads the Luoyang preset and N clues with bidders (Chinese company names, valid-looking USCCs), then times
`referrals.filters.ClueFilter` over the supervisor's and a handler's scope — what the page and the API run: the
total (exact, or the planner's estimate when counting takes long) and the first page of 50 — for an exact USCC, a
partial code, a Chinese name fragment, a two-character word, two such words, one character, a word every clue has
and no search; and as a handler cleared to read personal data, whose search also looks in the summaries as written
(one clue in a hundred names a witness); prints EXPLAIN ANALYZE of the slowest.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "portal_bench_search"
TARGET_MS = 100.0
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
WORDS = ["建设", "工程", "建筑", "路桥", "市政", "水利", "安装", "装饰", "园林", "电力", "交通", "勘察"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clues", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50, help="timed runs per query kind")
    parser.add_argument("--smoke", action="store_true", help="2,000 clues and 5 runs: seconds, for CI")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database at the end")
    parser.add_argument("--reuse", action="store_true",
                        help="time the clues a --keep run left in the database (PostgreSQL): no load, kept")
    parser.add_argument("--db", default=DB_NAME, help="the PostgreSQL database to work in")
    args = parser.parse_args()
    if args.smoke:
        args.clues, args.queries = 2_000, 5
    url = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if url.startswith("postgres"):
        import psycopg

        parsed = urllib.parse.urlparse(url)
        admin_url = parsed._replace(path="/postgres").geturl()
        if not args.reuse:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db}")
                conn.execute(f"CREATE DATABASE {args.db}")
        os.environ["DATABASE_URL"] = parsed._replace(path=f"/{args.db}").geturl()
    elif args.reuse:
        parser.error("--reuse needs DATABASE_URL on PostgreSQL")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='portal_bench_search_')}/search.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal_bench_search_var_"))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if admin_url and not (args.keep or args.reuse):
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db}")


def company(rng: random.Random, n: int) -> str:
    return f"洛阳{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}{rng.choice(WORDS)}{n}有限公司"


def probe_index(n: int) -> int:
    """The clue whose second bidder the searches look for: a housing clue (i % 3 == 0), so both personas find it."""
    return n // 2 - (n // 2) % 3


def load(n: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from casework.org.models import Membership
    from casework.org.services import add_membership, load_org_preset
    from casework.validators import uscc_with_check
    from referrals.models import Clue

    depts = load_org_preset(preset="luoyang")
    by_type = {}
    for d in depts:
        by_type.setdefault(d.type, d)
    office = next(d for d in depts if d.is_supervision_office)
    supervisor = get_user_model().objects.create_user("bench-supervisor")
    add_membership(user=supervisor, department=office, role=Membership.Role.SUPERVISOR)
    handler = get_user_model().objects.create_user("bench-handler")
    add_membership(user=handler, department=by_type["housing"], role=Membership.Role.HANDLER)
    cleared_handler(by_type["housing"])
    rng = random.Random(42)
    supervising = [by_type[t].pk for t in ("housing", "transport", "water") if t in by_type]
    now = timezone.now()
    t0 = time.perf_counter()
    batch, probe = [], {}
    for i in range(1, n + 1):
        bidders = []
        for j in range(3):
            uscc = uscc_with_check(f"91410300MA{(i * 3 + j) % 10_000_000:07d}")
            bidders.append({"name": company(rng, i * 3 + j), "uscc": uscc})
        summary = "投标人关联关系（基准测试数据）"
        if i % 100 == 0:  # one clue in a hundred names a witness and a phone: masked in search_text
            witness = "".join(rng.choice(SURNAMES) for _ in range(3))
            summary = f"举报人{witness}反映（电话 139{i:08d}）：{summary}"
        clue = Clue(reference=f"XS2026{i:07d}", intake_key=f"bench:{i}", external_id=f"MON-{i:07d}",
                    payload_hash="0" * 64, source_department=by_type["trading_centre"],
                    supervising_department_id=supervising[i % len(supervising)],
                    project_code=f"LYGC2026-{i:07d}", project_name=f"洛阳市第{i}号{rng.choice(WORDS)}项目",
                    discovered_at=now, signal_type="related_bidders", summary=summary,
                    bidders=bidders, received_at=now)
        clue.refresh_search_text()
        batch.append(clue)
        if i == probe_index(n):
            probe = {"uscc": bidders[1]["uscc"], "name": bidders[1]["name"]}
        if len(batch) == 5_000:
            Clue.objects.bulk_create(batch)
            batch = []
            if i % 100_000 == 0:
                print(f"  loaded {i:>10,} clues ({time.perf_counter() - t0:.0f} s)", flush=True)
    Clue.objects.bulk_create(batch)
    # The housing bureau sees the clues it supervises through object permissions, as intake grants them.
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    perm = Permission.objects.get(codename="view_clue", content_type__app_label="referrals")
    ctype = ContentType.objects.get_for_model(Clue)
    housing = by_type["housing"]
    rows = [GroupObjectPermission(group_id=housing.group_id, permission=perm, content_type=ctype, object_pk=str(pk))
            for pk in Clue.objects.filter(supervising_department=housing).values_list("pk", flat=True).iterator()]
    GroupObjectPermission.objects.bulk_create(rows, batch_size=5_000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE referrals_clue")
            cur.execute("ANALYZE guardian_groupobjectpermission")
    print(f"  clues      {n:>10,}  ({time.perf_counter() - t0:.1f} s to load, {len(rows):,} of them the housing "
          "bureau's)", flush=True)
    return supervisor, handler, probe


def cleared_handler(housing):
    """A housing handler cleared to read personal data (casework.view_personal_data): the search also looks in the
    summaries as written of the clues the bureau handles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from casework.org.models import Membership
    from casework.org.services import add_membership

    user, made = get_user_model().objects.get_or_create(username="bench-cleared")
    if made:
        add_membership(user=user, department=housing, role=Membership.Role.HANDLER)
        user.user_permissions.add(Permission.objects.get(codename="view_personal_data",
                                                         content_type__app_label="casework"))
    return get_user_model().objects.get(pk=user.pk)


def reloaded():
    """The personas and the probe of the clues a --keep run loaded."""
    from django.contrib.auth import get_user_model

    from referrals.models import Clue

    users = get_user_model().objects
    n = Clue.objects.filter(intake_key__startswith="bench:").count()
    clue = Clue.objects.get(intake_key=f"bench:{probe_index(n)}")
    bidder = clue.bidders[1]
    handler = users.get(username="bench-handler")
    return (users.get(username="bench-supervisor"), handler, {"uscc": bidder["uscc"], "name": bidder["name"]}, n)


def timed(qs_factory, runs: int) -> tuple[list[float], list[float], int, bool]:
    """Each run as the list page does it: the total (casework.listing.count_rows: exact up to 1,000, "more than"
    beyond, the planner's estimate when counting takes too long) and the first page of 50. Returns total times,
    page-only times, the total and its note."""
    from casework.listing import count_rows

    times, pages, found, note = [], [], 0, ""
    for _ in range(runs):
        t = time.perf_counter()
        qs = qs_factory()
        found, note = count_rows(qs)
        t_page = time.perf_counter()
        list(qs[:50])
        end = time.perf_counter()
        times.append((end - t) * 1000)
        pages.append((end - t_page) * 1000)
    return times, pages, found, note


def explain(qs, title: str, *, count: bool = False, lines: int = 14):
    from django.db import connection

    sql, params = (qs.order_by().query if count else qs[:50].query).sql_with_params()
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) AS counted"
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cur.fetchall()]
    print(f"\n  EXPLAIN ANALYZE ({title}):")
    for line in plan[:lines] + (["    ..."] if len(plan) > lines else []) + plan[-2:]:
        print("    " + line)


def run(args):
    from django.core.management import call_command
    from django.db import connection

    from referrals.filters import ClueFilter
    from referrals.selectors import visible_clues

    call_command("migrate", verbosity=0)
    if args.reuse:
        supervisor, handler, probe, args.clues = reloaded()
    else:
        supervisor, handler, probe = load(args.clues)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE referrals_clue")
    print(f"clue search bench on {connection.vendor}, {args.clues:,} clues, {args.queries} runs per query"
          f"{' (reused)' if args.reuse else ''}")
    uscc, name = probe["uscc"], probe["name"]
    kinds = [("exact USCC", uscc), ("partial code", uscc[6:14]), ("Chinese name part", name[2:8]),
             ("two-character word", name[2:4]), ("two words", f"{name[2:4]} {WORDS[0]}"),
             ("one character", name[2]), ("common word", "有限公司"), ("no search", "")]
    cleared = cleared_handler(handler.memberships.get().department)
    worst, measured = 0.0, []
    for who, user in (("supervisor (whole city)", supervisor), ("housing handler", handler),
                      ("housing handler cleared for personal data", cleared)):
        print(f"\n  as {who}:")
        for label, term in kinds:
            def factory(term=term, user=user):
                base = visible_clues(user).order_by("-received_at", "-pk")
                return ClueFilter({"search": term}, queryset=base).qs

            times, pages, found, note = timed(factory, args.queries)
            p50, p95 = statistics.median(times), sorted(times)[max(0, int(len(times) * 0.95) - 1)]
            worst = max(worst, p95)
            measured.append((p95, f"{label}, {who}", factory))
            total = f"{ {'at_least': '>', 'estimate': '~'}.get(note, '')}{found:,}"
            print(f"    {label:<18} {term!r:<26} found {total:>9}   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
                  f"   (first page alone p50 {statistics.median(pages):6.1f} ms)")
    if connection.vendor == "postgresql":
        for _p95, title, factory in sorted(measured, key=lambda m: m[0], reverse=True)[:2]:
            explain(factory(), f"slowest: {title}, first page")
            explain(factory(), f"slowest: {title}, exact count", count=True, lines=10)
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"\n  worst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target"
          f"{' (smoke size: not a measurement)' if args.smoke else ''}")


if __name__ == "__main__":
    main()
