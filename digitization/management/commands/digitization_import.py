"""Import digitised resources from a file, a folder or a ZIP (with an optional metadata CSV)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from digitization import services
from library.core.access import AccessLevel


class Command(BaseCommand):
    help = (
        "Nhập học liệu số từ một tệp, một thư mục hoặc một tệp ZIP; tệp CSV đi kèm (nếu có) "
        "cho siêu dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp, thư mục hoặc ZIP cần nhập")
        parser.add_argument(
            "--access",
            choices=AccessLevel.values,
            default=None,
            help="Mức truy cập cho các dòng CSV không ghi (mặc định: trong trường)",
        )
        parser.add_argument(
            "--approved", action="store_true", help="Đánh dấu đã thẩm định (duyệt ngay)"
        )
        parser.add_argument(
            "--sync", action="store_true", help="Xử lý ngay trong lệnh này thay vì xếp hàng đợi"
        )

    def handle(self, *args, **options):
        bar = tqdm(total=0, unit="tệp", disable=options["verbosity"] < 1, file=self.stderr)

        def progress(done, total, name):
            bar.total = total
            bar.set_postfix_str(name[-40:])
            bar.update(done - bar.n)

        report = services.resource_import(
            path=options["path"],
            actor=None,
            access_level=options["access"],
            approved=options["approved"],
            on_progress=progress,
            process=not options["sync"],
        )
        bar.close()
        if options["sync"]:
            for resource in report.created:
                services.resource_process(resource_id=resource.pk)
        for name, existing in report.duplicates:
            self.stdout.write(f"trùng: {name} đã có ở học liệu số {existing.pk} “{existing.title}”")
        for error in report.errors:
            self.stderr.write(f"lỗi: {error}")
        summary = f"digitization_import: {report.summary()}"
        if report.errors:
            raise CommandError(summary)
        self.stdout.write(summary)
