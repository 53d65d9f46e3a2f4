from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from trainees.services.history import history_import, progress_printer


class Command(BaseCommand):
    help = (
        "Load historical trainees and their subsidized trainings from a CSV (UTF-8 or GBK) into the archive. "
        "Bad rows go to FILE.rejected.csv with the reason; re-running the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--workers", type=int, default=2, help="processes for validation and encryption")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, workers: int, quiet: bool, **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        with file.open("rb") as f:
            total = max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)
        progress = (lambda n: None) if quiet else progress_printer(total)
        try:
            report = history_import(path=file, workers=workers, on_progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if not quiet:
            self.stderr.write("")
        self.stdout.write(
            f"读取 {report.rows} 行：新增学员 {report.trainees_created} 人，新增培训记录 {report.records_created} 条，"
            f"已存在 {report.records_existing} 条，拒绝 {len(report.rejects)} 行。"
        )
        if report.rejects_file:
            self.stdout.write(f"被拒绝的行及原因见：{report.rejects_file}")
