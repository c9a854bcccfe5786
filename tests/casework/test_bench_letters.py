"""bench/letters.py --smoke runs and prints its figures (render time, size per kind); nothing here is timed."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_letter_bench_smoke_prints_render_time_and_size_per_kind():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "letters.py"), "--smoke"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=True).stdout
    assert "render only (warm)" in out and "median" in out
    assert "typical letter (移送函) size" in out and "KB" in out
    for kind in ("移送函", "移送回执", "退回函", "处理结果告知函", "指定管辖通知书"):
        assert kind in out, kind
