"""Compare the search index with the database and repair what differs."""

from django.core.management.base import BaseCommand, CommandError

from library.discovery.services import index_repair


class Command(BaseCommand):
    help = "So sánh chỉ mục tìm kiếm với cơ sở dữ liệu và sửa chỗ khác nhau."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ báo cáo, không sửa (thoát với mã 1 nếu có khác biệt).",
        )

    def handle(self, *args, dry_run=False, **options):
        differences = index_repair(dry_run=dry_run)
        for diff in differences:
            self.stdout.write(
                f"{diff.label}: CSDL {diff.in_database}, chỉ mục {diff.in_index}, "
                f"thiếu {len(diff.missing)}, thừa {len(diff.extra)}"
            )
        missing = sum(len(d.missing) for d in differences)
        extra = sum(len(d.extra) for d in differences)
        if dry_run and (missing or extra):
            raise CommandError(
                f"search_check: chỉ mục lệch ({missing} thiếu, {extra} thừa); "
                "chạy lại không có --dry-run để sửa."
            )
        verb = "đã sửa" if missing or extra else "khớp"
        self.stdout.write(f"search_check: {verb} — {missing} thiếu, {extra} thừa")
