"""Throughput of the Vietnamese Whoosh analyzers against Whoosh's StandardAnalyzer.

Run: python bench/search_analyzer.py [--quick]

The text is synthetic catalogue text (titles, authors, subjects, call numbers) built from
common Vietnamese syllables, the same for every analyzer. Tokens are produced with
positions and chars, as the index does for highlighted fields. The last line is
``RESULT search_analyzer tokens_per_s=<slower of ours> ratio=<that / StandardAnalyzer>``.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh.analysis import StandardAnalyzer  # noqa: E402

from library.core.search_analysis import accented_analyzer, folded_analyzer  # noqa: E402

SYLLABLES = " ".join(
    [
        "sách giáo khoa toán lớp tiếng việt ngữ văn lịch sử địa lý khoa học tự nhiên",
        "công nghệ tin học âm nhạc mĩ thuật giáo dục thể chất hoạt động trải nghiệm",
        "hướng nghiệp kết nối tri thức với cuộc sống chân trời sáng tạo cánh diều",
        "nhà xuất bản đại học sư phạm truyện kiều nguyễn du trần hưng đạo lê lợi",
        "hồ chí minh phạm văn đồng võ nguyên giáp hoà bình thuỷ khoẻ quý giá quả",
        "người trường đường nước những điều kỳ diệu của thế giới động vật thực vật",
        "cổ tích thiếu nhi bài tập thực hành hướng dẫn giải đề kiểm tra học kì một",
        "hai ba bốn năm sáu bảy tám chín",
    ]
).split()
EXTRAS = ["53(075)", "895.9223", "978-604-0-00000-1", "2024", "6", "ISBN", "Tập", "NXB"]


def make_records(n: int, seed: int = 6) -> list[str]:
    rng = random.Random(seed)
    records = []
    for _ in range(n):
        words = [rng.choice(SYLLABLES) for _ in range(rng.randint(18, 40))]
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words)), rng.choice(EXTRAS))
        text = " ".join(words)
        records.append(text[0].upper() + text[1:] + ".")
    return records


def run_once(analyzer, records: list[str]) -> tuple[float, int]:
    count = 0
    start = time.process_time()
    for text in records:
        for _token in analyzer(text, positions=True, chars=True):
            count += 1
    return time.process_time() - start, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, three rounds")
    args = parser.parse_args()
    n, rounds = (2_000, 3) if args.quick else (10_000, 7)
    records = make_records(n)

    analyzers = {
        "StandardAnalyzer": StandardAnalyzer(),
        "folded_analyzer": folded_analyzer(),
        "accented_analyzer": accented_analyzer(),
    }
    best = dict.fromkeys(analyzers, float("inf"))
    tokens = {}
    gc.disable()  # interleaved rounds, best CPU time of each: fair on a busy machine
    try:
        for analyzer in analyzers.values():
            run_once(analyzer, records[:200])
        for _ in range(rounds):
            for name, analyzer in analyzers.items():
                seconds, tokens[name] = run_once(analyzer, records)
                best[name] = min(best[name], seconds)
    finally:
        gc.enable()
    results = {}
    for name, seconds in best.items():
        results[name] = tokens[name] / seconds
        print(
            f"{name:18s} {tokens[name]:8d} tokens {seconds:7.3f} s "
            f"{results[name]:12,.0f} tokens/s {n / seconds:10,.0f} records/s"
        )

    both = 1 / (1 / results["folded_analyzer"] + 1 / results["accented_analyzer"])
    print(f"{'both fields':18s} {both:30,.0f} tokens/s (one record text through both analyzers)")
    ours = min(results["folded_analyzer"], results["accented_analyzer"])
    ratio = ours / results["StandardAnalyzer"]
    print(f"RESULT search_analyzer tokens_per_s={ours:.0f} ratio={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
