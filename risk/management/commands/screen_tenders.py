import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from casework.org.models import Jurisdiction
from risk.services import run_screening


class Command(BaseCommand):
    help = "运行全部风险筛查（可重复执行：已有预警只更新，不重复生成；已研判的预警保持不变）。"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只报告涉及该日期（含）以后开标的招标的预警，YYYY-MM-DD")
        parser.add_argument("--jurisdiction", help="只筛查该辖区（辖区代码）")

    def handle(self, *args, since, jurisdiction, **opts):
        since_date = None
        if since:
            try:
                since_date = dt.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError("--since 须为 YYYY-MM-DD 格式的日期") from exc
        j = None
        if jurisdiction:
            j = Jurisdiction.objects.filter(code=jurisdiction).first()
            if j is None:
                raise CommandError(f"辖区代码“{jurisdiction}”不存在")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        result = run_screening(jurisdiction=j, since=since_date, timings=timings)
        elapsed = time.perf_counter() - start
        per = "，".join(f"{k} {v}" for k, v in sorted(result.per_screen.items())) or "无"
        self.stdout.write(f"筛查 {result.tenders} 次招标，用时 {elapsed:.1f} 秒。发现：{per}")
        self.stdout.write(f"新增预警 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条，"
                          f"已研判保持不变 {result.kept_decided} 条。")
