"""Import MARC21 files (ISO 2709 or MARCXML) into the catalogue."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.exceptions import CatalogError
from catalog.models import ImportAction, MatchRule
from catalog.services import DEFAULT_MATCH, marc_import


class Command(BaseCommand):
    help = (
        "Nhập tệp MARC21 (ISO 2709 hoặc MARCXML). Bản ghi hỏng được báo kèm vị trí, "
        "phần còn lại vẫn được nhập."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--match",
            nargs="+",
            action="extend",
            choices=MatchRule.values,
            metavar="RULE",
            help="Quy tắc so trùng, theo thứ tự: control, isbn, title_author_year "
            "(mặc định: cả ba).",
        )
        parser.add_argument(
            "--action",
            choices=ImportAction.values,
            default=ImportAction.SKIP,
            help="Với bản ghi trùng: skip (bỏ qua, mặc định), overlay (ghi đè), add (thêm mới).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không ghi gì.")
        parser.add_argument("--no-progress", action="store_true", help="Không hiện thanh tiến độ.")

    def handle(self, *args, **options):
        match = options["match"] or [str(rule) for rule in DEFAULT_MATCH]
        totals = {"added": 0, "overlaid": 0, "skipped": 0, "rejected": 0, "items": 0}
        failed: list[str] = []
        show_bar = not options["no_progress"] and options["verbosity"] > 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: không tìm thấy tệp.")
                failed.append(name)
                continue
            bar = tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc=path.name[:30],
                disable=not show_bar,
                file=self.stderr._out,
            )

            def progress(report, done, total, bar=bar):
                bar.update(max(0, done - bar.n))

            try:
                report = marc_import(
                    source=path,
                    match=match,
                    action=options["action"],
                    dry_run=options["dry_run"],
                    on_progress=progress,
                )
            except (CatalogError, OSError) as exc:
                bar.close()
                self.stderr.write(f"{name}: {exc}")
                failed.append(name)
                continue
            bar.close()
            for row in report.rejections:
                where = f"byte {row.offset}" if row.offset is not None else f"dòng {row.line}"
                self.stdout.write(f"{name}: bản ghi {row.index} ({where}) bị từ chối: {row.reason}")
            if report.rejected > len(report.rejections):
                self.stdout.write(
                    f"{name}: … và {report.rejected - len(report.rejections)} bản ghi khác bị từ chối."
                )
            self.stdout.write(f"{name}: {report.summary()}")
            totals["added"] += report.added
            totals["overlaid"] += report.overlaid
            totals["skipped"] += report.skipped
            totals["rejected"] += report.rejected
            totals["items"] += report.items_added
            report.close()
        summary = (
            "catalog_import_marc: {files} tệp{dry}: {added} thêm mới, {overlaid} ghi đè, "
            "{skipped} bỏ qua, {rejected} bị từ chối, {items} bản sách"
        ).format(
            files=len(options["files"]),
            dry=" (chạy thử, không ghi gì)" if options["dry_run"] else "",
            **totals,
        )
        if failed:
            raise CommandError(f"{summary}; {len(failed)} tệp không đọc được: {', '.join(failed)}")
        self.stdout.write(summary)
