"""Search speed: the JSON search API over HTTP against bare Whoosh and SQLite FTS5.

Two corpora of generated Vietnamese catalogue text: school (10,000 records + 10,000 pages) and
stress (100,000 records + 20,000 pages); --quick uses a tenth of each. The same ≥200 queries
(single words, 2–3 words, phrases, names, unaccented twins, facet filters) run through
`/api/v1/search/` on a real server process (gunicorn, as in production), through Whoosh
directly on the same index (the same query object, top 20 with stored fields) and through
FTS5 over the same documents.

    python bench/search_queries.py [--quick] [--corpus school|stress|both]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "toán",
    "tiếng",
    "việt",
    "ngữ",
    "văn",
    "lịch",
    "sử",
    "địa",
    "lí",
    "khoa",
    "học",
    "tự",
    "nhiên",
    "vật",
    "lí",
    "hóa",
    "học",
    "sinh",
    "học",
    "tin",
    "học",
    "công",
    "nghệ",
    "âm",
    "nhạc",
    "mĩ",
    "thuật",
    "giáo",
    "dục",
    "công",
    "dân",
    "thể",
    "chất",
    "hoạt",
    "động",
    "trải",
    "nghiệm",
    "hướng",
    "nghiệp",
    "phân",
    "số",
    "số",
    "thập",
    "phân",
    "hình",
    "học",
    "đại",
    "số",
    "phương",
    "trình",
    "bất",
    "đẳng",
    "thức",
    "tam",
    "giác",
    "đường",
    "tròn",
    "truyện",
    "ngắn",
    "thơ",
    "tiểu",
    "thuyết",
    "cổ",
    "tích",
    "ca",
    "dao",
    "tục",
    "ngữ",
    "văn",
    "học",
    "dân",
    "gian",
    "nhân",
    "vật",
    "tác",
    "phẩm",
    "đất",
    "nước",
    "quê",
    "hương",
    "mùa",
    "xuân",
    "mùa",
    "thu",
    "dòng",
    "sông",
    "biển",
    "đảo",
    "núi",
    "rừng",
    "thành",
    "phố",
    "làng",
    "quê",
    "lớp",
    "học",
    "bài",
    "tập",
    "nâng",
    "cao",
    "ôn",
    "thi",
    "học",
    "sinh",
    "giỏi",
    "sách",
    "giáo",
    "khoa",
    "sách",
    "giáo",
    "viên",
    "tập",
    "một",
    "tập",
    "hai",
    "khủng",
    "long",
    "vũ",
    "trụ",
    "hành",
    "tinh",
    "trái",
    "đất",
    "động",
    "vật",
    "thực",
    "vật",
    "môi",
    "trường",
    "năng",
    "lượng",
    "điện",
    "từ",
    "chiến",
    "tranh",
    "hòa",
    "bình",
    "độc",
    "lập",
    "tự",
    "do",
    "hạnh",
    "phúc",
    "lịch",
    "sử",
    "việt",
    "nam",
    "thế",
    "giới",
    "châu",
    "á",
    "em",
    "yêu",
    "khoa",
    "học",
    "bí",
    "mật",
    "cuộc",
    "sống",
    "tuổi",
    "thơ",
    "gia",
    "đình",
    "trường",
    "học",
    "bạn",
    "bè",
    "thầy",
    "cô",
    "mẹ",
    "cha",
]
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Khoa",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Trang",
    "Tuấn",
    "Vy",
]
MON_HOC = ["Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử và Địa lí", "Khoa học tự nhiên", "Tin học"]
SERIES = ["Kết nối tri thức với cuộc sống", "Chân trời sáng tạo", "Cánh Diều", ""]


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def setup_django(data_dir: Path) -> None:
    os.environ["LIBRARY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")
    os.environ["LIBRARY_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_corpus(n_records: int, n_pages: int, rng: random.Random):
    """Records in the database (bulk, no signals) and page documents for the index."""
    from catalog.models import Record
    from library.core.vietnamese import sort_key

    rows = []
    for i in range(n_records):
        title = phrase(rng, 2, 6).capitalize()
        authors = [person(rng) for _ in range(rng.randint(1, 2))]
        rows.append(
            Record(
                marc={},
                title=title,
                title_sort=sort_key(title),
                authors=authors,
                main_author=authors[0],
                subjects=[phrase(rng, 1, 3) for _ in range(rng.randint(1, 3))],
                notes=phrase(rng, 0, 12),
                year=rng.randint(1990, 2025),
                mon_hoc=[rng.choice(MON_HOC)],
                grade_levels=[rng.randint(1, 12)],
                languages=["vie"] if rng.random() < 0.9 else ["eng"],
                textbook_series=rng.choice(SERIES),
                record_type="book",
                control_number=str(i),
            )
        )
    Record.objects.bulk_create(rows, batch_size=2000)
    pages = []
    per_resource = 50
    for i in range(n_pages):
        rid = i // per_resource + 1
        if i % per_resource == 0:
            resource_title = phrase(rng, 2, 4).capitalize()
            access = "public" if rid % 3 else "school"
        pages.append(
            {
                "id": f"digitization.page.{i + 1}",
                "django_ct": "digitization.page",
                "django_id": str(i + 1),
                "kind": "page",
                "title": resource_title,
                "text": " ".join(phrase(rng, 8, 14) + "." for _ in range(25)),
                "resource_id": str(rid),
                "page_number": i % per_resource + 1,
                "access_level": access,
                "mon_hoc": [rng.choice(MON_HOC)],
                "grade_levels": [str(rng.randint(1, 12))],
            }
        )
    return pages


def build_index(pages: list[dict]) -> tuple[float, float, int]:
    """Records through the bulk `rebuild` (database to index, as rebuild_index/search_check
    do), then the page documents in one bulk write."""
    from haystack import connections

    from catalog.models import Record

    backend = connections["default"].get_backend()
    backend.setup()
    started = time.perf_counter()
    backend.rebuild(models=[Record])
    record_seconds = time.perf_counter() - started
    started = time.perf_counter()
    backend.write_documents([backend._document(dict(p)) for p in pages], bulk=True)
    page_seconds = time.perf_counter() - started
    backend.index = backend.index.refresh()
    segments = len(backend.index._segments())
    return record_seconds, page_seconds, segments


def make_queries(rng: random.Random, n: int) -> list[dict]:
    from library.core.vietnamese import fold

    out: list[dict] = []
    while len(out) < n:
        kind = len(out) % 8
        if kind == 0:
            q = rng.choice(WORDS)
        elif kind == 1:
            q = fold(rng.choice(WORDS))
        elif kind == 2:
            q = phrase(rng, 2, 2)
        elif kind == 3:
            q = fold(phrase(rng, 2, 3))
        elif kind == 4:
            q = f'"{phrase(rng, 2, 2)}"'
        elif kind == 5:
            q = f"tác giả:{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        elif kind == 6:
            q = phrase(rng, 3, 3)
        else:
            q = rng.choice(WORDS)
            out.append({"q": q, "grade_levels": str(rng.randint(1, 12))})
            continue
        out.append({"q": q})
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_whoosh(queries: list[dict]) -> list[float]:
    from library.core.access import visible_levels
    from library.discovery import engine
    from library.discovery.query import parse_query

    s = engine.searcher()
    built = []
    for params in queries:
        filters = {"grade_levels": [params["grade_levels"]]} if "grade_levels" in params else {}
        built.append(
            engine.build_query(
                s.schema, parse_query(params["q"]), levels=visible_levels(None), filters=filters
            )
        )
    times = []
    for q in built:
        started = time.perf_counter()
        results = s.search(q, limit=20)
        for hit in results:
            hit.fields()
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_api(queries: list[dict], port: int) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, hits = [], 0
    for params in queries:
        path = "/api/v1/search/?" + urlencode(params)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"API {path} answered {response.status}: {body[:300]!r}")
        hits += json.loads(body)["count"] > 0
    conn.close()
    return times, hits


def run_fts5(records, pages: list[dict], queries: list[dict]) -> tuple[list[float], float]:
    from library.core.vietnamese import fold

    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, authors, subjects, body, grade UNINDEXED,"
        " access UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                fold(r.title),
                fold(" ".join(r.authors)),
                fold(" ".join(r.subjects)),
                fold(r.notes),
                " ".join(str(g) for g in r.grade_levels),
                "public",
            )
            for r in records
        ),
    )
    db.executemany(
        "INSERT INTO docs VALUES ('', '', '', ?, ?, ?)",
        ((fold(p["text"]), " ".join(p["grade_levels"]), p["access_level"]) for p in pages),
    )
    db.commit()
    build = time.perf_counter() - started
    times = []
    for params in queries:
        q = params["q"]
        if q.startswith("tác giả:"):
            match = "authors : (" + " ".join(f'"{w}"' for w in fold(q[8:]).split()) + ")"
        elif q.startswith('"'):
            match = '"' + fold(q.strip('"')) + '"'
        else:
            match = " AND ".join(f'"{w}"' for w in fold(q).split())
        sql = "SELECT rowid, title FROM docs WHERE docs MATCH ? AND access = 'public'"
        args = [match]
        if "grade_levels" in params:
            sql += " AND (' ' || grade || ' ') LIKE ?"
            args.append(f"% {params['grade_levels']} %")
        sql += " ORDER BY bm25(docs, 4.0, 2.0, 1.5, 1.0) LIMIT 20"
        started = time.perf_counter()
        db.execute(sql, args).fetchall()
        db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [match]).fetchone()
        times.append((time.perf_counter() - started) * 1000)
    return times, build


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    # Another developer's server on the same port would answer the probe and be measured
    # instead of ours (it happened: a shared machine): refuse a port in use.
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        probe.connect()
    except OSError:
        pass
    else:
        probe.close()
        raise SystemExit(f"port {port} is already in use; pass --port 0 for a free one")
    env = {**os.environ, "LIBRARY_DATA_DIR": str(data_dir), "LIBRARY_DEBUG": "0"}
    env["LIBRARY_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["LIBRARY_HTTPS"] = "0"
    # Served as in production (gunicorn, threads kept between requests), not by runserver:
    # runserver starts a thread per request and leaves Nagle's algorithm on, so every
    # answer waited ~40 ms for the client's delayed ACK — a cost of the development server,
    # not of the search.
    command = [sys.executable, "-m", "gunicorn", "library.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/search/?q=toan")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the API server did not start")


def run_corpus(name: str, n_records: int, n_pages: int, n_queries: int, port: int) -> dict:
    from django.db import connection

    from catalog.models import Record

    rng = random.Random(2026)
    # Start from an empty database and index for each corpus.
    Record.objects.all().delete()
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.setup()
    backend.clear()
    connections.reload("default")
    connection.close()

    pages = make_corpus(n_records, n_pages, rng)
    rec_s, page_s, segments = build_index(pages)
    from library.discovery import engine

    engine.reset()
    queries = make_queries(rng, n_queries)
    # Warm up both paths (first-use caches: facet sets, vocabulary), then measure.
    run_whoosh(queries[:20])
    data_dir = Path(os.environ["LIBRARY_DATA_DIR"])
    server = start_server(data_dir, port)
    try:
        run_api(queries[:20], port)
        whoosh_ms = run_whoosh(queries)
        api_ms, with_hits = run_api(queries, port)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)
    fts_ms, fts_build = run_fts5(list(Record.objects.all()), pages, queries)
    out = {
        "name": name,
        "records": n_records,
        "pages": n_pages,
        "queries": len(queries),
        "with_hits": with_hits,
        "build_records_s": rec_s,
        "build_pages_s": page_s,
        "segments": segments,
        "build_per_s": n_records / rec_s,
        "pages_per_s": n_pages / page_s,
        "fts_build_s": fts_build,
    }
    for label, values in (("api", api_ms), ("whoosh", whoosh_ms), ("fts5", fts_ms)):
        out[f"{label}_median"] = statistics.median(values)
        out[f"{label}_p95"] = pct(values, 95)
    out["ratio"] = out["api_p95"] / out["whoosh_p95"]
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"[{name}] load average {load} on {os.cpu_count()} CPUs (shared machine)\n"
        f"[{name}] {n_records} records + {n_pages} pages; {len(queries)} queries "
        f"({with_hits} with hits)\n"
        f"  build: records {rec_s:.1f} s ({out['build_per_s']:.0f}/s), pages {page_s:.1f} s "
        f"({out['pages_per_s']:.0f}/s), {segments} segments; FTS5 {fts_build:.1f} s\n"
        f"  API over HTTP  median {out['api_median']:.1f} ms  p95 {out['api_p95']:.1f} ms\n"
        f"  bare Whoosh    median {out['whoosh_median']:.1f} ms  p95 {out['whoosh_p95']:.1f} ms\n"
        f"  SQLite FTS5    median {out['fts5_median']:.1f} ms  p95 {out['fts5_p95']:.1f} ms\n"
        f"  API/Whoosh p95 ratio {out['ratio']:.2f}; Whoosh/FTS5 p95 "
        f"{out['whoosh_p95'] / max(out['fts5_p95'], 0.01):.1f}",
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of each corpus")
    parser.add_argument("--corpus", choices=["school", "stress", "both"], default="both")
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    args.port = args.port or free_port()
    scale = 10 if args.quick else 1
    corpora = {"school": (10_000, 10_000), "stress": (100_000, 20_000)}
    names = ["school", "stress"] if args.corpus == "both" else [args.corpus]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        setup_django(Path(tmp))
        results = [
            run_corpus(n, corpora[n][0] // scale, corpora[n][1] // scale, args.queries, args.port)
            for n in names
        ]
    worst = max(results, key=lambda r: r["ratio"])
    school = next((r for r in results if r["name"] == "school"), worst)
    build = min(r["build_per_s"] for r in results)
    print(
        f"RESULT search_queries api_p95_ms={school['api_p95']:.1f} "
        f"whoosh_p95_ms={school['whoosh_p95']:.1f} ratio={worst['ratio']:.2f} "
        f"build_per_s={build:.0f} load1={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
