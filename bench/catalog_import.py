"""MARC import speed: records committed and records searchable per second, against pymarc.

Run: python bench/catalog_import.py [--quick]

Builds an ISO 2709 file of 100,000 real-sized records (10,000 with --quick) by repeating the
NLNZ and pymarc sample records with distinct 001s (copies after the first also get a numbered
title and an ISBN only the first time, so that every record is new to the duplicate
matcher), then in the
same run measures:

- parse: pymarc's own MARCReader over the whole file (the raw library limit), once before
  the import and once right after it (this machine's speed drifts by a third within minutes:
  the ratios use the mean of the two, and both are printed);
- commit: `catalog.services.marc_import` into a fresh SQLite database (WAL), with the default
  match rules; records are committed in batches of 500; once the file is read they are
  queued for indexing as key ranges, 50,000 records to a task;
- searchable: from the start of the import until the queued index tasks are drained (the
  last record is then searchable). As in production, a `manage.py db_worker` process runs
  beside the import; the bench waits for it to empty the queue. With `--serial-index` no
  worker runs: `db_worker --batch` drains the queue in this process afterwards.

Memory: the resident set size is sampled after every batch; the peak over the first half of
the file and over the whole file are printed (equal when memory is flat). The load average
of the machine is printed at the start and at the end (the rates are wall-clock).

The last line is
``RESULT catalog_import parse_per_s=… commit_per_s=… searchable_per_s=… ratio=<commit/parse>
search_ratio=<searchable/parse>``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "marc"
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def source_records():
    """Every cleanly readable record of the NLNZ and pymarc sample files."""
    from catalog.marc.reader import read_marc

    files = sorted((DATA / "nlnz").glob("*.marc")) + sorted((DATA / "pymarc").glob("*.dat"))
    records = []
    for path in files:
        try:
            for result in read_marc(path):
                if result.ok:
                    records.append(result.record)
        except Exception:  # noqa: S112 - a sample file that is not MARC at all
            continue
    return records


def build_file(path: Path, total: int) -> int:
    import pymarc

    from catalog.marc.writer import record_to_iso2709

    base = source_records()
    if not base:
        raise SystemExit(f"no sample records under {DATA}")
    seen_isbns: set[tuple] = set()
    written = 0
    with open(path, "wb") as out:
        copy = 0
        while written < total:
            for record in base:
                if written >= total:
                    break
                rec = pymarc.Record(leader=str(record.leader))
                for f in record.fields:
                    if f.tag in ("001", "003"):
                        continue
                    if f.tag == "020" and not f.control_field:
                        # an ISBN is kept once: later copies are other books
                        isbns = tuple(f.get_subfields("a"))
                        if isbns in seen_isbns:
                            continue
                        seen_isbns.add(isbns)
                    if f.tag == "245" and not f.control_field:
                        subfields = list(f.subfields)
                        for i, sub in enumerate(subfields):
                            if sub.code == "a":
                                subfields[i] = pymarc.Subfield("a", f"{sub.value} (bản {written})")
                                break
                        f = pymarc.Field(tag="245", indicators=f.indicators, subfields=subfields)
                    rec.add_field(f)
                rec.fields.insert(0, pymarc.Field(tag="003", data="BENCH"))
                rec.fields.insert(0, pymarc.Field(tag="001", data=f"bench{written:08d}"))
                try:
                    out.write(record_to_iso2709(rec))
                except Exception:  # noqa: S112 - too long for ISO 2709 once renamed
                    continue
                written += 1
            copy += 1
    return written


def parse_rate(path: Path) -> tuple[int, float]:
    import pymarc

    start = time.perf_counter()
    count = 0
    with open(path, "rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
            if record is not None:
                count += 1
    return count, count / (time.perf_counter() - start)


def pending_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 records instead of 100,000")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument(
        "--serial-index", action="store_true", help="index after the import, not beside it"
    )
    args = parser.parse_args()
    total = args.records or (10_000 if args.quick else 100_000)

    workdir = Path(tempfile.mkdtemp(prefix="bench-catalog-import-"))
    os.environ["LIBRARY_DATA_DIR"] = str(workdir / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "library.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LIBRARY_TASK_BACKEND", "django_tasks_db.DatabaseBackend")

    print(f"load average at start: {os.getloadavg()}", flush=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from haystack import connections

    connections["default"].get_backend().setup()

    marc_path = workdir / "bench.mrc"
    started = time.perf_counter()
    written = build_file(marc_path, total)
    size_mb = marc_path.stat().st_size / 1024 / 1024
    print(
        f"file: {written} records, {size_mb:.1f} MB, built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    parsed, parse_before = parse_rate(marc_path)
    print(f"pymarc MARCReader: {parsed} records, {parse_before:,.0f} records/s", flush=True)

    from catalog.models import Record
    from catalog.services import marc_import

    peaks = {"half": 0.0, "all": 0.0}

    def progress(report, done, size):
        rss = rss_mb()
        peaks["all"] = max(peaks["all"], rss)
        if report.total <= written // 2:
            peaks["half"] = max(peaks["half"], rss)

    worker = None
    if not args.serial_index:
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"]
            + ["--no-startup-delay", "--interval", "0.2", "--verbosity", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
            start_new_session=True,
        )
    t0 = time.perf_counter()
    try:
        report = marc_import(source=marc_path, on_progress=progress)
        t_commit = time.perf_counter() - t0
        print(f"import done in {t_commit:.1f} s, load {os.getloadavg()}", flush=True)
        if worker is not None:
            # The worker and its writer processes wait while pymarc runs again.
            os.killpg(worker.pid, signal.SIGSTOP)
        pause = time.perf_counter()
        _, parse_after = parse_rate(marc_path)
        paused = time.perf_counter() - pause
        if worker is not None:
            os.killpg(worker.pid, signal.SIGCONT)
        print(
            f"pymarc MARCReader again: {parse_after:,.0f} records/s "
            f"(not counted in the searchable time: {paused:.1f} s)",
            flush=True,
        )
        if worker is None:
            # The index tasks queued by the import, drained in-process by the database worker.
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        else:
            while pending_tasks() and worker.poll() is None:
                time.sleep(0.2)
        t_search = time.perf_counter() - t0 - paused
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
    left = pending_tasks()

    print(report.summary())
    committed = report.added + report.overlaid
    commit_per_s = committed / t_commit
    backend = connections["default"].get_backend()
    last = Record.objects.order_by("-pk").first()
    with backend.index.refresh().searcher() as searcher:
        indexed = searcher.doc_count()
        found_last = searcher.document(id=f"catalog.record.{last.pk}") is not None
    searchable_per_s = indexed / t_search if indexed else 0.0
    print(
        f"commit: {committed} records in {t_commit:.1f} s = {commit_per_s:,.0f} records/s "
        f"({Record.objects.count()} rows)"
    )
    print(
        f"searchable: {indexed} documents indexed (last record found: {bool(found_last)}, "
        f"{left} index tasks left) "
        f"{t_search:.1f} s after the start = {searchable_per_s:,.0f} records/s"
    )
    print(
        f"peak RSS: {peaks['half']:.0f} MB over the first {written // 2} records, "
        f"{peaks['all']:.0f} MB over all {written}"
    )
    print(f"load average at the end: {os.getloadavg()}")
    parse_per_s = (parse_before + parse_after) / 2
    print(
        f"pymarc: {parse_before:,.0f} records/s before, {parse_after:,.0f} after, "
        f"mean {parse_per_s:,.0f}"
    )
    print(
        f"RESULT catalog_import parse_per_s={parse_per_s:.0f} commit_per_s={commit_per_s:.0f} "
        f"searchable_per_s={searchable_per_s:.0f} ratio={commit_per_s / parse_per_s:.3f} "
        f"search_ratio={searchable_per_s / parse_per_s:.3f}"
    )


if __name__ == "__main__":
    main()
