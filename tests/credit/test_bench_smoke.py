"""The eligibility bench runs end to end (--smoke: a small database, seconds of timing). PostgreSQL only, like
the bench; its figures are printed, never asserted."""

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not URL.startswith("postgres"), reason="the bench needs PostgreSQL (set DATABASE_URL)")
def test_eligibility_bench_smoke():
    db = urllib.parse.urlparse(URL).path.lstrip("/") + "_bench_smoke"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "eligibility.py"), "--smoke", "--db", db],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "answers disagreeing with the sample: 0" in out
    assert "single p95" in out and "bulk 1,000 median" in out and "HTTP single p95" in out
