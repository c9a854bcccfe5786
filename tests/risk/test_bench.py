import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_screening_bench_prints_recall_precision_and_time():
    out = subprocess.run([sys.executable, "bench/screening.py", "--smoke"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=True).stdout
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    for screen in ("ring", "rotation", "related", "cover", "king", "fingerprint", "price", "fixed_ratio"):
        planted, found, warned, correct = map(int, lines[screen][1:5])
        assert planted > 0 and found <= planted and correct <= warned
    assert "全部筛查" in out and "每千次招标" in out
