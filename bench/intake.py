"""Intake throughput on gunicorn + PostgreSQL: the trading centre's clue push and complaint filing over the
API, each beside a bare DRF create of a row of the same table, measured in the same run with the same
concurrent clients on loopback; plus reads of a clue. Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_perf .venv/bin/python bench/intake.py \
        [--seconds 20] [--clients 4] [--workers 2]
    ... bench/intake.py --smoke      (seconds: CI runs it so the bench cannot rot)

Targets (issue 18): clue push >= 200/s sustained, p95 < 50 ms, >= 0.7x the bare create; the same for
complaint filing; clue detail p50 < 15 ms. Works in its own database (<database>_bench_intake), dropped at
the end. Every phase is bounded in time (--seconds), so the bench ends even on a loaded machine.

A Celery worker (one process, solo pool) runs beside gunicorn, as in production: the audit chain's sequencer
links the events after commit there, so its cost is on the same two cores as the requests it follows. At the end
the bench prints how many events were still waiting for it and whether the chain verifies.
"""

import argparse
import http.client
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each measured phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--smoke", action="store_true", help="two seconds a phase: checks the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.clients = 1.5, 2
    from bench.common import bench_database

    with bench_database("intake", keep=args.keep):
        import django

        django.setup()
        run(args)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Phase:
    def __init__(self, name, port, token, make_request, clients, seconds):
        self.name, self.port, self.token, self.make_request = name, port, token, make_request
        self.clients, self.seconds = clients, seconds
        self.latencies, self.errors, self.lock, self.counter = [], [], threading.Lock(), 0

    def next_id(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def client(self, deadline):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Host": "127.0.0.1"}
        while time.perf_counter() < deadline:
            method, path, body, expected = self.make_request(self.next_id())
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = time.perf_counter() - t0
            if resp.status != expected:
                self.errors.append(f"{resp.status} {data[:200]!r}")
            else:
                self.latencies.append(elapsed)
        conn.close()

    def run(self) -> dict:
        deadline = time.perf_counter() + self.seconds
        t0 = time.perf_counter()
        threads = [threading.Thread(target=self.client, args=(deadline,)) for _ in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.seconds + 60)
        wall = time.perf_counter() - t0
        n = len(self.latencies)
        result = {"name": self.name, "n": n, "rate": n / wall, "errors": len(self.errors),
                  "p50": statistics.median(self.latencies) * 1000 if n else float("nan"),
                  "p95": pct(self.latencies, 95) * 1000 if n else float("nan")}
        print(f"  {self.name:<28} {result['rate']:7.1f}/s  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
              f"(n={n}, errors={result['errors']}{': ' + self.errors[0] if self.errors else ''})", flush=True)
        return result


def clue_body(i: int, tag: str) -> dict:
    return {"external_id": f"{tag}-{i}", "project_code": f"LYJS-2026-{i:05d}", "project_name": f"基准测试项目{i}",
            "discovered_at": "2026-11-20T09:30:00+08:00", "signal_type": "related_bidders",
            "summary": "三家投标文件制作机器码相同，报价呈等差排列。", "supervising_department": "LY-HOUSING",
            "bidders": [{"name": "甲公司"}, {"name": "乙公司"}]}


def complaint_body(i: int, tag: str) -> dict:
    return {"external_id": f"{tag}-{i}", "complainant_type": "organisation", "complainant_name": f"投诉企业{i}",
            "complainant_id_number": "91410300MA00000005", "contact_phone": "13800000000",
            "department": "LY-HOUSING", "project_code": f"LYJS-2026-{i:05d}", "project_name": f"基准测试项目{i}",
            "trading_type": "engineering", "grounds_category": "evaluation",
            "grounds": f"评标委员会未按招标文件规定的评标标准评审（{tag} 第{i}号）。",
            "requested_outcome": "请求依法重新评审。",
            "objection_filed": True, "objection_date": "2026-11-18", "objection_reply": "招标人答复维持原结果。"}


def run(args):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.org.models import Department, Membership
    from casework.org.services import add_membership, create_api_client, load_org_preset

    call_command("migrate", verbosity=0)
    load_org_preset(preset="luoyang")
    centre = Department.objects.get(code="LY-PRTC")
    _, token = create_api_client(name="bench-centre", department=centre)
    # Someone to notify at the receiving bureau, as in production.
    handler = get_user_model().objects.create_user("bench-handler", password="bench-only")
    add_membership(user=handler, department=Department.objects.get(code="LY-HOUSING"), role=Membership.Role.HANDLER)

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.intake_settings"}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning",
                               "--timeout", "60"], cwd=ROOT, env=env)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("gunicorn did not start")

        def post(path, body_fn, tag, expected=201):
            return lambda i: ("POST", path, body_fn(i, tag), expected)

        # One of each first: templates for the bare creates, and the query counts of a push and a filing.
        for path, body_fn in (("/api/v1/clues/", clue_body), ("/api/v1/complaints/", complaint_body)):
            warm = Phase("warm-up", port, token, post(path, body_fn, "warm"), 1, 0.0)
            warm.client(time.perf_counter() + 0.5)
            if warm.errors or not warm.latencies:
                sys.exit(f"warm-up of {path} failed: {warm.errors[:1]}")
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as push_queries:
            resp = client.post("/api/v1/clues/", clue_body(1, "count"), content_type="application/json")
        assert resp.status_code == 201, resp.content[:300]
        clue_id = resp.json()["id"]
        with CaptureQueriesContext(connection) as file_queries:
            resp = client.post("/api/v1/complaints/", complaint_body(1, "count"), content_type="application/json")
        assert resp.status_code == 201, (resp.status_code, resp.content[:300])
        with CaptureQueriesContext(connection) as read_queries:
            assert client.get(f"/api/v1/clues/{clue_id}/").status_code == 200
        print(f"queries: clue push {len(push_queries)}, complaint filing {len(file_queries)}, "
              f"clue detail {len(read_queries)}")
        print(f"intake on gunicorn ({args.workers} workers) + PostgreSQL, {args.clients} clients, "
              f"{args.seconds:g} s a phase; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        results = {}
        for name, path, body_fn in (
                ("clue push", "/api/v1/clues/", clue_body),
                ("bare clue create", "/bench/bare-clues/", clue_body),
                ("complaint filing", "/api/v1/complaints/", complaint_body),
                ("bare complaint create", "/bench/bare-complaints/", complaint_body)):
            results[name] = Phase(name, port, token, post(path, body_fn, name.replace(" ", "-")),
                                  args.clients, args.seconds).run()
        results["clue detail"] = Phase("clue detail (GET)", port, token,
                                       lambda i: ("GET", f"/api/v1/clues/{clue_id}/", None, 200),
                                       args.clients, args.seconds).run()
        for real, bare in (("clue push", "bare clue create"), ("complaint filing", "bare complaint create")):
            r, b = results[real], results[bare]
            ratio = r["rate"] / b["rate"] if b["rate"] else float("nan")
            met = r["rate"] >= 200 and r["p95"] < 50 and ratio >= 0.7
            print(f"{real}: {r['rate']:.0f}/s, p95 {r['p95']:.0f} ms, {ratio:.2f}x the bare create "
                  f"(target >= 200/s, p95 < 50 ms, >= 0.7x: {'met' if met else 'NOT met'})")
        d = results["clue detail"]
        print(f"clue detail: p50 {d['p50']:.1f} ms, {len(read_queries)} queries "
              f"(target p50 < 15 ms, < 10 queries: {'met' if d['p50'] < 15 and len(read_queries) < 10 else 'NOT met'})")
        report_chain()
    finally:
        worker.terminate()
        server.terminate()
        for proc in (server, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def report_chain():
    """What the sequencer left behind the phases (the worker had the same cores as the requests), then the chain
    linked and verified."""
    from casework.events.models import Event
    from casework.events.services import chain_pending, verify_chain

    time.sleep(1.0)
    total, pending = Event.objects.count(), Event.objects.filter(chain_seq__isnull=True).count()
    chain_pending()  # whatever the worker had not reached yet (e.g. no broker, no worker)
    result = verify_chain()
    print(f"audit chain: {total} events, {pending} still waiting for the sequencer 1 s after the last phase; "
          f"verifies: {'yes' if result.ok and result.pending == 0 else 'NO: ' + result.problem}")


if __name__ == "__main__":
    main()
