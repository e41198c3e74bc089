"""Circulation desk throughput over HTTP.

Serves the site the way production does: gunicorn (`library.wsgi`, 2 worker processes with 4
threads each by default) on a fresh SQLite database (WAL, IMMEDIATE write transactions,
busy_timeout) in a temporary data directory, seeded with 10,000 patrons and 100,000 items
(bulk_create). Then 20 simulated desks, threads with their own signed-in session
(http.client, cookies, CSRF; each signs in once, before the clock starts), post the same forms
the browser sends: scan a card, check out a copy, check it in. Every check-out and check-in
is one transaction. Prints transactions/s, p50/p95 latency, failed requests (and how many
said "database is locked"), and the machine's load average before and after, since other
work on the machine changes the figures. The ratio is tps against the target of 20
transactions/s from the issue (FOLIO's libraries asked for 3 items/s).

    python bench/circulation_desk.py [--quick] [--seconds N] [--desks N]
                                     [--workers N] [--threads N] [--runserver]
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


def run_desk(port, index, desks, clock, results, lock):
    """One desk: sign in once, then per phase scan a card, check a copy out and back in, again
    and again. Paced, a desk starts a cycle every `clock["period"]` seconds at most (a person
    at a scanner); flat out, it starts the next cycle as soon as the last one answered."""
    desk = Desk(port)
    desk.login()
    clock["ready"].wait()  # signing in (password hashing) is not part of the measurement
    n = 0
    for phase in ("paced", "flat"):
        clock[f"{phase}_go"].wait()
        deadline = clock[f"{phase}_deadline"]
        period = clock["period"] if phase == "paced" else 0.0
        # Desks start spread over one period, as people arrive at different moments.
        next_start = time.monotonic() + period * index / desks
        own: list[float] = []
        failures = locked = 0
        while True:
            if period:
                time.sleep(max(0.0, next_start - time.monotonic()))
                next_start = max(next_start + period, time.monotonic())
            if time.monotonic() >= deadline:
                break
            patron = f"HS{(index + n * desks) % PATRONS:06d}"
            barcode = f"TV{(index + n * desks) % ITEMS:07d}"
            n += 1
            desk.request("POST", "/desk/patron/", {"card": patron})
            for path in ("/desk/checkout/", "/desk/checkin/"):
                start = time.perf_counter()
                status, body = desk.request("POST", path, {"barcode": barcode})
                own.append(time.perf_counter() - start)
                if status != 200:
                    failures += 1
                    locked += "locked" in body
                    if failures <= 3:
                        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
                        print(f"desk {index}: {path} HTTP {status}: {text[:200]}", file=sys.stderr)
        with lock:
            results[phase]["latencies"].extend(own)
            results[phase]["failed"] += failures
            results[phase]["locked"] += locked
        clock[f"{phase}_done"].wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (gunicorn's workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def summary(name: str, result: dict, elapsed: float, cpu: float) -> tuple[float, float]:
    latencies = result["latencies"]
    total = len(latencies)
    tps = total / elapsed if elapsed else 0.0
    p95 = statistics.quantiles(latencies, n=100)[94] * 1000 if total >= 2 else float("nan")
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    per_tx = cpu / total * 1000 if total else float("nan")
    print(
        f"{name}: {total} transactions in {elapsed:.1f} s = {tps:.1f} transactions/s; "
        f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms; failed {result['failed']} "
        f"('database is locked': {result['locked']}); server CPU {per_tx:.0f} ms/transaction"
    )
    return tps, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s run instead of 30 s")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--rate",
        type=float,
        default=24.0,
        help="transactions/s the desks offer together in the paced phase (a little above the"
        " target, so that ramp-up and the last unfinished cycles do not pull it under)",
    )
    parser.add_argument(
        "--runserver", action="store_true", help="Django's development server instead"
    )
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
        if args.runserver:
            command = [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
            server_name = "runserver"
        else:
            command = [
                python,
                "-m",
                "gunicorn",
                "library.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ]
            server_name = f"gunicorn --workers {args.workers} --threads {args.threads}"
        server_log = open(data_dir / "server.log", "w+b")  # noqa: SIM115 (read after the run)
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)

        results = {
            phase: {"latencies": [], "failed": 0, "locked": 0} for phase in ("paced", "flat")
        }
        lock = threading.Lock()
        clock = {
            "ready": threading.Barrier(args.desks + 1),
            # One cycle (card, check-out, check-in) is two transactions: 20 desks at one cycle
            # every 2 s offer 20 transactions/s; --rate 24 (default) is one every 1.67 s.
            "period": 2 * args.desks / args.rate,
        }
        for phase in ("paced", "flat"):
            clock[f"{phase}_go"] = threading.Event()
            clock[f"{phase}_done"] = threading.Barrier(args.desks + 1)
        threads = [
            threading.Thread(
                target=run_desk, args=(port, i, args.desks, clock, results, lock), daemon=True
            )
            for i in range(args.desks)
        ]
        for t in threads:
            t.start()
        clock["ready"].wait()
        figures = {}
        load = {"before": os.getloadavg()}
        for phase in ("paced", "flat"):
            cpu_start = cpu_seconds(server.pid)
            clock[f"{phase}_deadline"] = time.monotonic() + seconds
            started = time.perf_counter()
            clock[f"{phase}_go"].set()
            clock[f"{phase}_done"].wait()
            elapsed = time.perf_counter() - started
            figures[phase] = (elapsed, cpu_seconds(server.pid) - cpu_start)
        load["after"] = os.getloadavg()
        for t in threads:
            t.join()
    finally:
        server_errors = ""
        if server is not None:
            server.terminate()
            server.wait(10)
            server_log.seek(0)
            server_errors = server_log.read().decode("utf-8", "replace")
            server_log.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"server: {server_name}, {os.cpu_count()} CPUs, {args.desks} desks")
    print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in load["before"])
        + " · after "
        + ", ".join(f"{x:.2f}" for x in load["after"])
    )
    tps, p95 = summary(
        f"paced (each desk one card + check-out + check-in every {clock['period']:.2f} s,"
        f" {args.rate:.0f} transactions/s offered)",
        results["paced"],
        *figures["paced"],
    )
    max_tps, flat_p95 = summary(
        "flat out (no pause between scans)", results["flat"], *figures["flat"]
    )
    print(f"'database is locked' in the server log: {server_errors.count('database is locked')}")
    print("ratio = tps / 20 (the issue's target of 20 transactions/s)")
    print(
        f"RESULT circulation_desk tps={tps:.1f} p95_ms={p95:.0f} max_tps={max_tps:.1f} "
        f"max_p95_ms={flat_p95:.0f} load1={load['after'][0]:.1f} ratio={tps / TARGET_TPS:.2f}"
    )


if __name__ == "__main__":
    main()
