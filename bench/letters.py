"""Official letters: seconds to render one letter (WeasyPrint), and to issue one (number, render, store, audit),
and the size of each kind's PDF with its embedded font subsets. Prints figures; asserts nothing about time.
Targets: a typical letter renders in under 0.1 s once warm (median) and weighs under 300 KB.

    .venv/bin/python bench/letters.py [--n 20]
    .venv/bin/python bench/letters.py --smoke      # a few letters, for the test suite: checks it runs, prints figures

Works on SQLite in a temporary PORTAL_VAR_DIR, removed at the end (DATABASE_URL is ignored).
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = [
    "我单位在监管工作中收到洛阳市公共资源交易中心电子交易系统推送的问题线索（编号 XS-2026-0012），涉及项目"
    "“洛阳市第二人民医院门诊楼建设项目”（项目编号 LYJS-2026-0318），预警类型为疑似围标串标。",
    "线索摘要：该项目施工招标共有5家投标人，其中3家投标文件的制作机器码相同，报价呈等差排列，投标保证金由同一"
    "账户转出。",
    "经研判，该问题属于招标投标活动违法行为，依据《洛阳市公共资源交易协同监管工作机制》，属于贵单位管辖范围，"
    "现将有关问题线索及材料移送贵单位，请依法处理。",
    "请在收到本函后签收移送回执；对不属于贵单位职责范围的，请在规定时限内书面说明理由并退回；受理后请及时将处理"
    "结果书面反馈我单位。",
]
MATERIALS = ["问题线索登记表", "投标文件机器码比对报告（电子交易系统导出，共12页）", "投标保证金缴纳凭证"]


def summary(label: str, seconds: list[float], cpu: list[float] | None = None) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    # CPU seconds of this process as well: on a shared machine the wall clock also counts other processes' turns
    cpu_text = f"   (CPU median {statistics.median(cpu):.3f} s)" if cpu else ""
    return (f"{label:<38} n={len(ordered):<3} median {statistics.median(ordered):.3f} s   p95 {p95:.3f} s   "
            f"max {ordered[-1]:.3f} s{cpu_text}")


def harfbuzz_subset() -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "libharfbuzz-subset0"],
                             capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return "unknown (no dpkg)"
    return out.replace("install ok installed", "installed").strip() or "MISSING (WeasyPrint is ~50x slower)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20, help="letters per measurement")
    parser.add_argument("--smoke", action="store_true", help="a quick run (3 letters a measurement)")
    args = parser.parse_args()
    if args.smoke:
        args.n = 3
    var = tempfile.mkdtemp(prefix="portal-bench-letters-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["PORTAL_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    try:
        import django

        django.setup()
        run(args.n)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(var, ignore_errors=True)


def run(n: int):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from casework.clocks.timing import SHANGHAI
    from casework.letters import render  # before weasyprint: it quiets WeasyPrint's per-step log
    from casework.letters.models import Letter
    from casework.letters.services import doc_number, issue_letter
    from casework.org.models import Membership
    from casework.org.services import add_membership, load_org_preset

    call_command("migrate", verbosity=0)
    depts = {d.code: d for d in load_org_preset(preset="luoyang")}
    issuer, addressee = depts["LY-PRTC"], depts["LY-HOUSING"]
    user = get_user_model().objects.create_user("bench", password="bench-only")
    add_membership(user=user, department=issuer, role=Membership.Role.HANDLER)
    import datetime as dt

    when = dt.datetime(2026, 11, 21, 10, tzinfo=SHANGHAI)

    def unsaved(number: int) -> Letter:
        return Letter(issuer=issuer, addressee=addressee, kind=Letter.Kind.TRANSFER, year=2026, number=number,
                      doc_number=doc_number(issuer, Letter.Kind.TRANSFER, 2026, number),
                      title="关于移送洛阳市第二人民医院门诊楼建设项目有关问题线索的函", body="\n\n".join(BODY),
                      materials=MATERIALS, cc=["洛阳市发展和改革委员会"], issued_at=when,
                      subject_type=ContentType.objects.get_for_model(addressee), subject_id=str(addressee.pk))

    import weasyprint

    print(f"WeasyPrint {weasyprint.__version__}; libharfbuzz-subset0: {harfbuzz_subset()}")
    t = time.perf_counter()
    pdf = render.render_pdf(unsaved(1), addressee)
    print(f"{'first render (cold: fonts loaded)':<38} {time.perf_counter() - t:.3f} s   ({len(pdf):,} bytes)")

    timings, cpu, sizes = [], [], []
    for i in range(n):
        t, c = time.perf_counter(), time.process_time()
        sizes.append(len(render.render_pdf(unsaved(100 + i), addressee)))
        timings.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(summary("render only (warm)", timings, cpu))
    median = statistics.median(timings)
    print(f"{'typical letter (移送函) size':<38} {max(sizes) / 1024:.0f} KB   "
          f"target: < 0.1 s median {'met' if median < 0.1 else 'MISSED'}, < 300 KB "
          f"{'met' if max(sizes) < 300 * 1024 else 'MISSED'}")
    kinds(unsaved, addressee, render, Letter, warm=n > 3)

    timings = []
    for _ in range(n):
        t = time.perf_counter()
        letter = issue_letter(actor=user, issuer=issuer, kind=Letter.Kind.TRANSFER, addressee=addressee,
                              title="关于移送洛阳市第二人民医院门诊楼建设项目有关问题线索的函", body=BODY,
                              materials=MATERIALS, cc=["洛阳市发展和改革委员会"], subject=addressee)
        timings.append(time.perf_counter() - t)
    print(summary("render + issue (number, store, audit)", timings))
    print(f"last issued: {letter.doc_number}, {letter.size:,} bytes")


def kinds(unsaved, addressee, render, Letter, warm: bool = True) -> None:
    """Every kind that renders from the base layout: its size and one render time (warmed first unless smoking)."""
    plain = [k for k in Letter.Kind.values if k not in ("minutes", "solicit")]  # these read their meeting/draft
    for kind in plain:
        letter = unsaved(7)
        letter.kind = kind
        letter.reasons = ["项目审批部门为市卫生健康委员会。"] if kind == "return" else []
        if warm:
            render.render_pdf(letter, addressee)
        t = time.perf_counter()
        data = render.render_pdf(letter, addressee)
        took = time.perf_counter() - t
        print(f"  {Letter.Kind(kind).label:<12} {took:.3f} s   {len(data) / 1024:6.0f} KB")


if __name__ == "__main__":
    main()
