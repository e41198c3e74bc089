"""Queue digitised resources for processing again (failed steps retried, originals kept)."""

from django.core.management.base import BaseCommand, CommandError

from digitization import services
from digitization.models import DigitalResource


class Command(BaseCommand):
    help = "Xử lý lại học liệu số: theo mã (--id) hoặc mọi học liệu bị lỗi (--failed)."

    def add_arguments(self, parser):
        parser.add_argument("--id", type=int, nargs="+", dest="ids", help="Mã học liệu số")
        parser.add_argument("--failed", action="store_true", help="Mọi học liệu xử lý bị lỗi")
        parser.add_argument(
            "--sync", action="store_true", help="Xử lý ngay trong lệnh này thay vì xếp hàng đợi"
        )

    def handle(self, *args, **options):
        ids, failed = options["ids"], options["failed"]
        if not ids and not failed:
            raise CommandError("Hãy ghi --id MÃ... hoặc --failed.")
        if ids:
            missing = set(ids) - set(
                DigitalResource.objects.filter(pk__in=ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(
                    "digitization_reprocess: không có học liệu số mã "
                    + ", ".join(str(pk) for pk in sorted(missing))
                )
        if options["sync"]:
            queryset = DigitalResource.objects.all()
            if ids:
                queryset = queryset.filter(pk__in=ids)
            if failed:
                queryset = queryset.filter(processing_status="failed")
            done = list(queryset.order_by("pk").values_list("pk", flat=True))
            results = [services.resource_process(resource_id=pk).processing_status for pk in done]
            failures = results.count("failed")
            summary = f"digitization_reprocess: {len(done)} học liệu đã xử lý, {failures} lỗi"
            if failures:
                raise CommandError(summary)
            self.stdout.write(summary)
            return
        done = services.resources_reprocess(ids=ids, failed_only=failed)
        self.stdout.write(f"digitization_reprocess: {len(done)} học liệu đã xếp hàng xử lý lại")
