"""Reading the shipped curriculum: the first read of a process against every read after it.

    python bench/content_reading.py [--rounds 10]

The content page, `content check` and every `content sync` read the whole curriculum (`courses/`
and `quizzes/` of the repository: every lesson file, every question bank, the clause map, the
terms file) and check it: file rules, links, the `{{province.…}}` fields, terminology, the
banks' surface cues. The first read of a process parses all of it; later reads find the parsed
YAML, the terms and the terminology warnings of unchanged texts in the process caches
(`training/sources/`). This prints the first read's time and the best and median of the later
ones, with their ratio to the first, measured in the same run. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.content.catalog import read_catalog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="later reads to time")
    args = parser.parse_args()
    courses, quizzes = ROOT / "courses", ROOT / "quizzes"

    started = time.perf_counter()
    first = read_catalog(courses, quizzes)
    cold = time.perf_counter() - started
    later = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        again = read_catalog(courses, quizzes)
        later.append(time.perf_counter() - started)
        if [str(p) for p in again.all_problems()] != [str(p) for p in first.all_problems()]:
            sys.exit("a later read found something else than the first: the caches are wrong")

    best, median = min(later), statistics.median(later)
    print(f"{len(first.courses)} courses, {len(first.quizzes)} question banks")
    print(f"  first read   {1000 * cold:7.1f} ms")
    print(f"  later reads  {1000 * best:7.1f} ms best, {1000 * median:7.1f} ms median")
    print(f"  ratio        {best / cold:7.2f} (best later read / first read)")


if __name__ == "__main__":
    main()
