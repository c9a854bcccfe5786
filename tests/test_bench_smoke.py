"""Every bench in bench/ runs in smoke mode (seconds), so a schema change that breaks one fails CI instead of
rotting unnoticed (bench/sweep.py did: NOT NULL extended_units). The PostgreSQL benches need DATABASE_URL on
PostgreSQL, as CI has (.ci/run); each works in its own database named after it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(p.name for p in (ROOT / "bench").glob("*.py")
                 if p.name not in {"common.py", "intake_settings.py", "intake_urls.py", "__init__.py"})
NEEDS_POSTGRES = {"sweep.py", "eligibility.py", "intake.py"}


def test_every_bench_is_listed_here():
    assert set(BENCHES) == {"dashboard.py", "deadlines.py", "eligibility.py", "intake.py", "letters.py",
                            "screening.py", "search.py", "sweep.py"}


@pytest.mark.parametrize("script", BENCHES)
def test_bench_runs_in_smoke_mode(script):
    url = os.environ.get("DATABASE_URL", "")
    if script in NEEDS_POSTGRES and not url.startswith("postgres"):
        pytest.skip("this bench measures PostgreSQL; CI runs it (DATABASE_URL on PostgreSQL)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_VAR_DIR"))}
    result = subprocess.run([sys.executable, f"bench/{script}", "--smoke"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.strip(), "a bench prints its figures"
