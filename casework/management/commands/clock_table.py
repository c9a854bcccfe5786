"""Write the clock table (every preset, every rule) to docs/clock-table.md; --check fails when the file
in the repository is out of date."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.clocks.table import markdown

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "clock-table.md"


class Command(BaseCommand):
    help = "生成法定时限一览（docs/clock-table.md）"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="输出文件（默认 docs/clock-table.md）")
        parser.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入")

    def handle(self, *args, output, check, **options):
        path = Path(output)
        text = markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} 不是最新：请运行 python manage.py clock_table")
            self.stdout.write(f"{path} 为最新")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")
