"""Export the catalogue (or chosen records) as ISO 2709, MARCXML or CSV."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from catalog.exceptions import CatalogError
from catalog.selectors import records_for_export
from catalog.services import EXPORT_FORMATS, marc_export


class Command(BaseCommand):
    help = "Xuất biểu ghi ra tệp ISO 2709 (UTF-8), MARCXML hoặc CSV."

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT", help="Tệp ghi ra ('-' để ghi ra màn hình).")
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="iso2709")
        parser.add_argument(
            "--ids", nargs="+", type=int, metavar="ID", help="Chỉ xuất các biểu ghi này."
        )

    def handle(self, *args, **options):
        records = records_for_export(ids=options["ids"])
        try:
            if options["out"] == "-":
                count = marc_export(
                    records=records, format=options["format"], stream=self.stdout._out.buffer
                )
            else:
                with open(options["out"], "wb") as stream:
                    count = marc_export(records=records, format=options["format"], stream=stream)
        except (CatalogError, OSError) as exc:
            raise CommandError(f"catalog_export_marc: {exc}") from exc
        if options["out"] != "-":
            self.stdout.write(
                f"catalog_export_marc: {count} biểu ghi → {options['out']} ({options['format']})"
            )
