"""Load the Vietnamese demo dataset once; running it again changes nothing."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tiếng Việt (chạy lại không thay đổi gì)."

    def handle(self, *args, **options):
        loaded = []
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            created = module.load(stdout=self.stdout)
            loaded.append(f"{config.label}: {created}")
        self.stdout.write("demo_load: " + "; ".join(loaded))
