"""Circulation desk throughput over HTTP.

Starts `manage.py runserver --noreload` on a fresh SQLite database (WAL) in a temporary data
directory, seeded with 10,000 patrons and 100,000 items (bulk_create), then runs 20 simulated
desks: threads with their own signed-in session (http.client, cookies, CSRF) posting the same
forms the browser sends: scan a card, check out a copy, check it in. Every check-out and
check-in is one transaction. Prints transactions/s and p95 latency; the ratio is tps against
the target of 20 transactions/s from the issue (FOLIO's libraries asked for 3 items/s).

    python bench/circulation_desk.py [--quick] [--seconds N] [--desks N]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATRONS = 10_000
ITEMS = 100_000
TARGET_TPS = 20.0

SEED = r"""
import django, sys
django.setup()
from datetime import date
from django.db import transaction
from catalog.models import Item, Record
from library.accounts.models import Patron, PatronCategory, Role, User
patrons, items = int(sys.argv[1]), int(sys.argv[2])
with transaction.atomic():
    User.objects.create_user(username="bench", password="bench-pass-123", role=Role.LIBRARIAN,
                             full_name="Thủ thư đo tải", is_staff=True)
    users = User.objects.bulk_create(
        [User(username=f"hs{i:05d}", password="!", role=Role.STUDENT, full_name=f"Học sinh {i}")
         for i in range(patrons)], batch_size=2000)
    Patron.objects.bulk_create(
        [Patron(user=u, category=PatronCategory.STUDENT, grade=6 + i % 4,
                school_class=f"{6 + i % 4}A{i % 8 + 1}", card_barcode=f"HS{i:06d}",
                expires_on=date(2030, 6, 30)) for i, u in enumerate(users)], batch_size=2000)
    records = Record.objects.bulk_create(
        [Record(marc={}, title=f"Sách đo tải {i}", title_sort=f"sach do tai {i:06d}")
         for i in range(items // 10)], batch_size=2000)
    Item.objects.bulk_create(
        [Item(record=records[i // 10], barcode=f"TV{i:07d}", price=50000) for i in range(items)],
        batch_size=5000)
print("seeded", User.objects.count(), Item.objects.count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Desk:
    """One desk: a persistent HTTP connection with its own session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace")

    def login(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": "bench", "password": "bench-pass-123"}
        )
        if status != 302:
            raise SystemExit(f"login failed: HTTP {status}")


def run_desk(port, index, desks, clock, latencies, errors, lock):
    desk = Desk(port)
    desk.login()
    clock["ready"].wait()  # signing in (password hashing) is not part of the measurement
    clock["go"].wait()
    deadline = clock["deadline"]
    n = 0
    own: list[float] = []
    failures = 0
    while time.monotonic() < deadline:
        patron = f"HS{(index + n * desks) % PATRONS:06d}"
        barcode = f"TV{(index + n * desks) % ITEMS:07d}"
        n += 1
        status, _ = desk.request("POST", "/desk/patron/", {"card": patron})
        for path in ("/desk/checkout/", "/desk/checkin/"):
            start = time.perf_counter()
            status, body = desk.request("POST", path, {"barcode": barcode})
            own.append(time.perf_counter() - start)
            if status != 200:
                failures += 1
                if failures <= 3:
                    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
                    print(f"desk {index}: {path} HTTP {status}: {text[:200]}", file=sys.stderr)
    with lock:
        latencies.extend(own)
        errors.append(failures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s run instead of 30 s")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--desks", type=int, default=20)
    args = parser.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 30.0)

    data_dir = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    env = {
        **os.environ,
        "LIBRARY_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "library.settings",
        "LIBRARY_HTTPS": "0",
        "LIBRARY_DEBUG": "0",
        "LIBRARY_LOGIN_FAILURES": "1000",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    python = sys.executable
    server = None
    try:
        t0 = time.perf_counter()
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [python, "-c", SEED, str(PATRONS), str(ITEMS)], cwd=ROOT, env=env, check=True
        )
        print(f"setup: {time.perf_counter() - t0:.1f} s ({PATRONS} patrons, {ITEMS} items)")

        port = free_port()
        server = subprocess.Popen(
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)

        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        clock = {"ready": threading.Barrier(args.desks + 1), "go": threading.Event()}
        threads = [
            threading.Thread(
                target=run_desk, args=(port, i, args.desks, clock, latencies, errors, lock)
            )
            for i in range(args.desks)
        ]
        for t in threads:
            t.start()
        clock["ready"].wait()
        clock["deadline"] = time.monotonic() + seconds
        started = time.perf_counter()
        clock["go"].set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)

    total = len(latencies)
    tps = total / elapsed if elapsed else 0.0
    p95 = statistics.quantiles(latencies, n=100)[94] * 1000 if total >= 2 else float("nan")
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    print(
        f"desks: {args.desks}, duration: {elapsed:.1f} s, transactions: {total}, failed: {sum(errors)}"
    )
    print(f"throughput: {tps:.1f} transactions/s (check-out + check-in over HTTP)")
    print(f"latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print("ratio = tps / 20 (the issue's target of 20 transactions/s)")
    print(f"RESULT circulation_desk tps={tps:.1f} p95_ms={p95:.0f} ratio={tps / TARGET_TPS:.2f}")


if __name__ == "__main__":
    main()
