"""Run the background worker and the web server together; Ctrl-C stops both cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy tiến trình nền (task worker) và máy chủ web; Ctrl-C dừng cả hai."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        address = f"{options['host']}:{options['port']}"
        worker = subprocess.Popen(
            [*manage, "db_worker", "--interval", "0.5", "--no-startup-delay"],
            start_new_session=True,
        )
        web = subprocess.Popen(
            [*manage, "runserver", address, "--noreload"], start_new_session=True
        )
        self._banner(address)
        processes = {"worker": worker, "web": web}
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            failed = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"library_serve: {', '.join(failed)} stopped; stopping the rest")
        except KeyboardInterrupt:
            self.stdout.write("\nlibrary_serve: stopping worker and web server…")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.stdout.write("library_serve: stopped")

    def _banner(self, address: str) -> None:
        from library.accounts.demo import DEMO_LOGINS

        lines = [
            "",
            f"  Thư viện số đang chạy: http://{address}/",
            "  Tài khoản mẫu (demo logins):",
        ]
        lines += [
            f"    {role.label:<10} {username} / {password}"
            for username, password, role, _name in DEMO_LOGINS
        ]
        lines.append("  Ctrl-C để dừng (stops the worker and the server).")
        self.stdout.write("\n".join(lines) + "\n")
