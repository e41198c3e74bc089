"""Per-page text with pdfminer.six: one parse per worker, a time limit per page.

``pdfminer.high_level.extract_text(page_numbers=[p])`` reparses the whole document on each
call, so each worker opens the file once and walks its own contiguous range of pages.
Two guards keep one pathological page from stalling the queue: inside the worker a SIGALRM
timer interrupts a slow page (pdfminer is pure Python, so the interrupt lands promptly), and
the parent kills and replaces a worker that stops reporting (a hang in C code, a crash).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from digitization.exceptions import ProcessingFailed

from .vntext import clean

# Fewer letters and digits than this and the page is treated as an image needing OCR
# (a scanned page often still carries a printed page number or a stray mark).
OCR_MIN_CHARS = 12
# Time a new worker may take to start and open the document before it is declared stuck.
STARTUP_TIMEOUT = 60.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    text: str
    needs_ocr: bool
    error: str | None = None


class PageTimeout(Exception):
    pass


def timeout_message(number: int) -> str:
    return f"quá thời gian trích xuất trang {number}"


def page_count(pdf_path: str | Path) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError as exc:
        raise ProcessingFailed(detail=str(exc)) from exc
    try:
        return len(pdf)
    finally:
        pdf.close()


def split_ranges(total: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous, nearly equal 1-based inclusive ranges, one per worker."""
    workers = max(1, min(workers, total))
    base, extra = divmod(total, workers)
    ranges, start = [], 1
    for index in range(workers):
        size = base + (1 if index < extra else 0)
        ranges.append((start, start + size - 1))
        start += size
    return ranges


def extract_pages(
    pdf_path: str | Path,
    *,
    workers: int,
    page_timeout: float,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[PageText]:
    """Text of every page in page order; a failed or slow page carries ``error``, never stops."""
    pdf_path = str(pdf_path)
    total = page_count(pdf_path)
    if total == 0:
        return []
    if workers <= 1 or total == 1:
        results = []
        for page in iter_page_texts(pdf_path, 1, total, page_timeout):
            results.append(page)
            if on_progress:
                on_progress(len(results), total)
        return results
    return _run_workers(pdf_path, total, workers, page_timeout, on_progress, _page_text)


# --- inside one process ----------------------------------------------------------------------


class _Extractor:
    """pdfminer machinery for one open document, reused across its pages."""

    def __init__(self) -> None:
        self.rsrcmgr = PDFResourceManager(caching=True)
        self.output = io.StringIO()
        self.device = TextConverter(self.rsrcmgr, self.output, laparams=LAParams())
        self.interpreter = PDFPageInterpreter(self.rsrcmgr, self.device)

    def page_text(self, page: PDFPage) -> str:
        self.output.seek(0)
        self.output.truncate(0)
        self.interpreter.process_page(page)
        return self.output.getvalue()

    def reset(self) -> None:
        # After an interrupted page the converter may hold half a layout tree.
        self.close()
        self.__init__()

    def close(self) -> None:
        self.device.close()


def _page_text(extractor: _Extractor, page: PDFPage) -> str:
    return extractor.page_text(page)


def _make_page(number: int, raw: str) -> PageText:
    text = clean(raw).strip()
    letters = sum(ch.isalnum() for ch in text)
    return PageText(number=number, text=text, needs_ocr=letters < OCR_MIN_CHARS)


@contextlib.contextmanager
def _time_limit(seconds: float):
    # SIGALRM works only in a process's main thread; elsewhere (a task runner's thread) the
    # parent-side watchdog of the worker pool is the guard.
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def iter_page_texts(
    pdf_path: str,
    first: int,
    last: int,
    page_timeout: float,
    page_fn: Callable[[_Extractor, PDFPage], str] | None = None,
) -> Iterator[PageText]:
    """Open the document once and yield pages ``first..last`` (1-based, inclusive)."""
    page_fn = page_fn or _page_text
    number = first
    try:
        with open(pdf_path, "rb") as fh:
            document = PDFDocument(PDFParser(fh))
            extractor = _Extractor()
            try:
                # create_pages, not get_pages: copy-restricted (owner-password) PDFs are still
                # ours to index; password-protected ones were refused by validation.
                for index, page in enumerate(PDFPage.create_pages(document), start=1):
                    if index < first:
                        continue
                    if index > last:
                        break
                    number = index
                    yield _extract_one(extractor, page, number, page_timeout, page_fn)
                    number = index + 1
            finally:
                extractor.close()
    except Exception as exc:  # a broken page tree: the remaining pages get the error
        message = f"lỗi đọc PDF: {exc}"
        for missing in range(number, last + 1):
            yield PageText(missing, "", needs_ocr=True, error=message)
        return
    # A page tree shorter than pdfium's count: account for every page anyway.
    for missing in range(number, last + 1):
        yield PageText(missing, "", needs_ocr=True, error="không tìm thấy trang trong PDF")


def _extract_one(extractor, page, number, page_timeout, page_fn) -> PageText:
    try:
        with _time_limit(page_timeout):
            raw = page_fn(extractor, page)
    except PageTimeout:
        extractor.reset()
        return PageText(number, "", needs_ocr=True, error=timeout_message(number))
    except Exception as exc:  # pdfminer raises many kinds on malformed content streams
        extractor.reset()
        return PageText(number, "", needs_ocr=True, error=f"lỗi trích xuất trang {number}: {exc}")
    return _make_page(number, raw)


def _worker(pdf_path: str, first: int, last: int, page_timeout: float, page_fn, conn):
    """Process entry point (top level, so it works with spawn and forkserver)."""
    # One pipe per worker, written synchronously: a worker killed mid-page holds no lock
    # that the others need (a shared multiprocessing.Queue has one).
    try:
        for page in iter_page_texts(pdf_path, first, last, page_timeout, page_fn):
            conn.send(page)
    except (BrokenPipeError, EOFError):  # the parent gave up on us
        return
    finally:
        conn.close()


# --- the parent: start workers, collect, watch ------------------------------------------------


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    next_page: int
    last: int
    last_event: float
    started: bool = False


def _context():
    # forkserver: workers fork from a clean server process (safe in a threaded task runner,
    # unlike fork) that has pdfminer already imported (cheap, unlike spawn).
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    except ValueError:
        return multiprocessing.get_context("spawn")


def _run_workers(pdf_path, total, workers, page_timeout, on_progress, page_fn):
    ctx = _context()
    results: dict[int, PageText] = {}
    slots: list[_Slot] = []
    # The in-worker alarm should fire first; this catches what it cannot interrupt.
    hard_limit = page_timeout * 1.5 + 2.0 if page_timeout and page_timeout > 0 else None

    def start(first: int, last: int) -> None:
        reader, writer = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=_worker, args=(pdf_path, first, last, page_timeout, page_fn, writer), daemon=True
        )
        process.start()
        writer.close()  # the child has its own copy; EOF on reader then means it is gone
        slots.append(_Slot(process, reader, first, last, time.monotonic()))

    def record(page: PageText) -> None:
        if page.number not in results:
            results[page.number] = page
            if on_progress:
                on_progress(len(results), total)

    def finish(slot: _Slot, reason: str | None) -> None:
        """Stop watching ``slot``; if it stopped early, fail its current page, restart after it."""
        slots.remove(slot)
        slot.conn.close()
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        if slot.next_page <= slot.last:
            record(PageText(slot.next_page, "", needs_ocr=True, error=reason))
            if slot.next_page < slot.last:
                start(slot.next_page + 1, slot.last)

    try:
        for first, last in split_ranges(total, workers):
            start(first, last)
        while slots:
            ready = wait([slot.conn for slot in slots], timeout=POLL_SECONDS)
            now = time.monotonic()
            for slot in list(slots):
                if slot.conn in ready:
                    try:
                        page = slot.conn.recv()
                    except (EOFError, OSError):
                        finish(slot, f"lỗi trích xuất trang {slot.next_page}: tiến trình dừng")
                        continue
                    record(page)
                    slot.next_page = page.number + 1
                    slot.last_event = now
                    slot.started = True
                    continue
                # The first page also pays for starting the process and opening the file.
                limit = (
                    hard_limit + (0 if slot.started else STARTUP_TIMEOUT) if hard_limit else None
                )
                if limit is not None and now - slot.last_event > limit:
                    finish(slot, timeout_message(slot.next_page))
    finally:
        for slot in slots:
            slot.conn.close()
            if slot.process.is_alive():
                slot.process.kill()
            slot.process.join(5)

    return [
        results.get(n) or PageText(n, "", needs_ocr=True, error="không trích xuất được trang")
        for n in range(1, total + 1)
    ]
