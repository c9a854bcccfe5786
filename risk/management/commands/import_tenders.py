"""python manage.py import_tenders FILE.csv --user USERNAME [--errors REPORT.csv] [--screen]

One row per bid (UTF-8, header row), the rows of a tender next to each other. Streams the file, shows a
progress bar, imports each tender through the same service as the API (all its bids or nothing) and
reports every bad line with its field. A tender with any bad line is not imported at all."""

from __future__ import annotations

import csv
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.exports import SafeWriter
from referrals.services import pushing_department
from risk.services import TenderInput, intake_tender

TENDER_COLUMNS = ("tender_id", "project_code", "project_name", "trading_type", "supervising_department",
                  "opened_at", "estimate")
BID_COLUMNS = ("uscc", "name", "amount", "winner", "file_fingerprint", "ip", "mac", "legal_rep", "contact_phone")
REQUIRED = TENDER_COLUMNS + BID_COLUMNS
LABELS = {"tender_id": "招标编号", "project_code": "项目编号", "project_name": "项目名称", "trading_type": "交易类型",
          "supervising_department": "行政监督部门", "opened_at": "开标时间", "estimate": "招标控制价"}


class Command(BaseCommand):
    help = "批量导入交易数据（CSV，每行一个投标）：流式读取，显示进度，逐行报告错误；有错误的招标整体不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以哪位交易中心工作人员的名义导入（用户名）")
        parser.add_argument("--errors", help="把错误明细另存为 CSV（行号,招标编号,字段,问题）")
        parser.add_argument("--screen", action="store_true", help="导入后立即运行全部筛查")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, file, user, errors, screen, quiet, **opts):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在或已停用")
        try:
            pushing_department(actor)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        try:
            size = os.path.getsize(file)
            handle = open(file, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        self.size, self.read, self.quiet, self.last_pct = max(1, size), 0, quiet, -1
        # A first streaming pass finds tenders whose rows are not next to each other: importing the first run
        # of rows would import part of a tender, so such tenders are refused whole in the second pass.
        self.split = self._split_tenders(file)
        problems: list[tuple[int, str, str, str]] = []
        stats = {"created": 0, "existing": 0, "rejected": 0, "lines": 0}
        with handle:
            reader = csv.reader(self._counted(handle))
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration as exc:
                raise CommandError("文件为空") from exc
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise CommandError("缺少列：" + "、".join(missing) + "（须有表头行）")
            index = {name: header.index(name) for name in header}
            group: list[tuple[int, dict]] = []
            done: set[str] = set()

            def flush():
                if group:
                    self._import(actor, group, done, problems, stats)
                    group.clear()

            for row in reader:
                line = reader.line_num
                stats["lines"] += 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    problems.append((line, row[0] if row else "", "", f"列数为 {len(row)}，表头为 {len(header)} 列"))
                    continue
                values = {name: row[i].strip() for name, i in index.items()}
                if group and values["tender_id"] != group[0][1]["tender_id"]:
                    flush()
                group.append((line, values))
                self._progress(stats)
            flush()
        self._progress(stats, final=True)
        if errors:
            with open(errors, "w", encoding="utf-8-sig", newline="") as out:
                w = SafeWriter(out)  # the error report opens in Excel: formula cells neutralised
                w.writerow(["行号", "招标编号", "字段", "问题"])
                w.writerows(problems)
        for line, tid, field, message in problems[:200]:
            self.stderr.write(f"第 {line} 行（{tid}）{field + '：' if field else ''}{message}")
        if len(problems) > 200:
            self.stderr.write(f"……另有 {len(problems) - 200} 条错误" + ("，见错误报告文件" if errors else ""))
        self.stdout.write(f"导入完成：新增招标 {stats['created']} 次，已存在（内容相同）{stats['existing']} 次，"
                          f"因错误未导入 {stats['rejected']} 次；读取 {stats['lines']} 行，错误 {len(problems)} 条。")
        if screen:
            from risk.services import run_screening

            result = run_screening(actor=actor)
            self.stdout.write(f"筛查完成：新增预警 {result.created} 条，更新 {result.updated} 条。")
        if problems:
            raise CommandError(f"有 {len(problems)} 条错误，相应招标未导入")

    def _split_tenders(self, file) -> set[str]:
        runs: set[str] = set()
        split: set[str] = set()
        previous = None
        with open(file, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if "tender_id" not in header:
                return split
            col = header.index("tender_id")
            for row in reader:
                tid = row[col].strip() if len(row) > col else None
                if tid is None or tid == previous:
                    continue
                if tid in runs:
                    split.add(tid)
                runs.add(tid)
                previous = tid
        return split

    def _counted(self, handle):
        for line in handle:
            self.read += len(line.encode("utf-8"))
            yield line

    def _progress(self, stats, final=False):
        if self.quiet:
            return
        pct = min(100, self.read * 100 // self.size)
        if pct == self.last_pct and not final:
            return
        self.last_pct = pct
        bar = "#" * (pct // 4)
        self.stderr.write(f"\r[{bar:<25}] {pct:3d}%  招标 {stats['created'] + stats['existing']:,}  "
                          f"未导入 {stats['rejected']:,}", ending="\n" if final else "")
        self.stderr.flush()

    def _import(self, actor, group, done, problems, stats):
        first_line, first = group[0]
        tid = first["tender_id"]
        lines = [line for line, _ in group]
        if tid in self.split:
            if tid not in done:
                stats["rejected"] += 1
            done.add(tid)
            for line in lines:
                problems.append((line, tid, "tender_id", "同一招标的各行须连续排列：该招标的行被其他招标隔开，"
                                                         "整次招标未导入"))
            return
        done.add(tid)
        bad = []
        for line, values in group[1:]:
            for col in TENDER_COLUMNS:
                if values[col] != first[col]:
                    bad.append((line, tid, col, f"{LABELS[col]}与第 {first_line} 行不一致"))
        if bad:
            stats["rejected"] += 1
            problems.extend(bad)
            return
        bids = []
        for _, values in group:
            bid = {col: values[col] for col in BID_COLUMNS}
            if "key_staff" in values:
                bid["key_staff"] = values["key_staff"]
            bids.append(bid)
        data = TenderInput(tender_id=tid, project_code=first["project_code"], project_name=first["project_name"],
                           trading_type=first["trading_type"], supervising_department=first["supervising_department"],
                           opened_at=first["opened_at"], estimate=first["estimate"] or None, bids=bids)
        try:
            result = intake_tender(actor=actor, data=data, schedule=False)
        except DomainError as exc:
            stats["rejected"] += 1
            fields = exc.field_errors or {"": [exc.message]}
            for key, messages in fields.items():
                parts = key.split(".")
                if parts[0] == "bids" and len(parts) >= 2 and parts[1].isdigit():
                    line, field = lines[int(parts[1])], ".".join(parts[2:]) or "bids"
                else:
                    line, field = first_line, key
                for message in messages:
                    problems.append((line, tid, field, message))
            return
        stats["created" if result.created else "existing"] += 1
