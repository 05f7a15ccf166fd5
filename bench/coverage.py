"""Coverage reports at province scale, against the plain SQL over the same rows.

    python bench/coverage.py [--staff 60000] [--units 400] [--courses 10] [--rounds 3]
    python bench/coverage.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/khien_bench_cov   # created, then dropped
    python bench/coverage.py --staff 500000 --rounds 1 --database-url …   # the large run

It builds its own province in a fresh database (a SQLite file in a temporary folder, or the
PostgreSQL database named, created and dropped; one that exists is refused unless
--replace-database) with `flask --app app bench-data`'s generator: a deep unit tree with a
merger and moves in its history, 5–10 % priority staff, completions over two years (some
expired), overdue requirements — about staff × courses requirements. PostgreSQL gets a VACUUM
ANALYZE after loading, as autovacuum would.

Then, as of the generator's today, best of `--rounds`:

- the by-unit report (`coverage.by_unit`: SQL per unit, the roll-up over the tree of that day
  in pandas) and the by-course report, each against the floor: one plain GROUP BY counting the
  same day's requirement rows per unit, joined to the day's memberships (`plain_group_by`).
  Aim: at most 3×, and at most 5 statements each (counted here too);
- the summary workbook (summary, by unit, by course) in XLSX, and the by-unit CSV, each end to
  end (reports computed, then written). Aims: XLSX under 2 s, CSV under 1 s;
- the people export of every requirement: CSV streamed to a file (aim: under 10 s) and XLSX in
  XlsxWriter's constant-memory mode (aim: under 120 s), each at most 100 MB above the memory
  the process held before it began (resident set size sampled every 20 ms by a thread).

Wall-clock seconds, CPU seconds (this process plus the PostgreSQL backend), ratios and memory
are printed and written to `bench/results/coverage-<database>-<staff>.json`.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from assignments import (  # noqa: E402
    analyze,
    backend_cpu,
    create_database,
    drop_database,
    make_app,
)
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from training.clock import today_vn  # noqa: E402
from training.extensions import db  # noqa: E402
from training.reports.bench_data import generate  # noqa: E402
from training.reports.columns import Table  # noqa: E402
from training.reports.coverage import (  # noqa: E402
    Filters,
    by_course,
    by_unit,
    people_rows,
    plain_group_by,
)
from training.reports.exports import (  # noqa: E402
    csv_bytes,
    csv_chunks,
    people_workbook,
    summary_workbook,
)

RESULTS = ROOT / "bench" / "results"


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    statements: int = 0
    peak_mb: float | None = None

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def best_cpu(self) -> float | None:
        return min(self.cpu) if self.cpu else None


@contextmanager
def timed(timing: Timing) -> Iterator[None]:
    gc.collect()
    server = backend_cpu()
    server_start = server() if server else 0.0
    cpu_start = time.process_time()
    statements: list[str] = []

    def count(*_args: Any) -> None:
        statements.append("")

    event.listen(db.engine, "before_cursor_execute", count)
    start = time.perf_counter()
    try:
        yield
    finally:
        timing.wall.append(time.perf_counter() - start)
        event.remove(db.engine, "before_cursor_execute", count)
        cpu = time.process_time() - cpu_start + (server() - server_start if server else 0.0)
        timing.cpu.append(cpu)
        timing.statements = len(statements)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def peak_memory(timing: Timing) -> Iterator[None]:
    """The highest resident set size above the one at the start, sampled every 20 ms."""
    gc.collect()
    idle = rss_mb()
    peak = idle
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()
        peak = max(peak, rss_mb())
        timing.peak_mb = round(peak - idle, 1)


def best_of(rounds: int, work: Callable[[], object]) -> Timing:
    timing = Timing()
    for _ in range(rounds):
        with timed(timing):
            work()
        db.session.rollback()
    return timing


def floor(day: date) -> Callable[[], object]:
    return lambda: db.session.execute(plain_group_by(day)).all()


def summary_xlsx(filters: Filters) -> bytes:
    report = by_unit(filters)
    out = io.BytesIO()
    summary_workbook(
        out, report.overview, {Table.UNIT: report.table, Table.COURSE: by_course(filters)}
    )
    return out.getvalue()


def people_csv(filters: Filters, path: Path) -> int:
    rows = 0
    with path.open("wb") as file:
        for chunk in csv_chunks(people_rows(filters), Table.PEOPLE):
            file.write(chunk)
            rows += chunk.count(b"\n")
    return rows - 1


def people_xlsx(filters: Filters, path: Path) -> None:
    overview = by_unit(filters).overview
    with path.open("wb") as file:
        people_workbook(file, people_rows(filters), overview)


def line(name: str, timing: Timing, base: Timing | None = None, aim: str = "") -> dict[str, Any]:
    figures: dict[str, Any] = {
        "seconds": round(timing.best, 3),
        "cpu_seconds": round(timing.best_cpu, 3) if timing.best_cpu is not None else None,
        "statements": timing.statements,
    }
    text = f"  {name:<34} {timing.best:8.3f} s"
    if base is not None:
        figures["ratio"] = round(timing.best / base.best, 2)
        text += f"  {figures['ratio']:5.2f}× the floor"
        if timing.best_cpu and base.best_cpu:
            figures["cpu_ratio"] = round(timing.best_cpu / base.best_cpu, 2)
            text += f" ({figures['cpu_ratio']:.2f}× by CPU)"
    if timing.peak_mb is not None:
        figures["peak_mb_above_idle"] = timing.peak_mb
        text += f"  +{timing.peak_mb:.0f} MB"
    text += f"  {timing.statements} statements"
    if aim:
        text += f"   [aim: {aim}]"
    print(text, flush=True)
    return figures


def run(label: str, url: str, args: argparse.Namespace) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        made = generate(args.staff, args.units, args.courses, args.seed, today=today_vn())
        db.session.commit()
        analyze()
        print(f"{label}: {made} built in {time.perf_counter() - started:.0f} s", flush=True)
        filters = Filters(today_vn())
        results: dict[str, Any] = {
            "database": label,
            "staff": args.staff,
            "units": args.units,
            "courses": args.courses,
            "made": asdict(made) if hasattr(made, "__dataclass_fields__") else str(made),
            "date": today_vn().isoformat(),
        }
        plain = best_of(args.rounds, floor(filters.as_of))
        results["floor"] = line("floor: plain GROUP BY per unit", plain)
        units = best_of(args.rounds, lambda: by_unit(filters))
        results["by_unit"] = line("report by unit", units, plain, "≤ 3×, ≤ 5 statements")
        courses = best_of(args.rounds, lambda: by_course(filters))
        results["by_course"] = line("report by course", courses, plain, "≤ 3×, ≤ 5 statements")
        xlsx = best_of(args.rounds, lambda: summary_xlsx(filters))
        results["summary_xlsx"] = line("summary workbook XLSX (end to end)", xlsx, aim="< 2 s")
        csv_timing = best_of(args.rounds, lambda: csv_bytes(by_unit(filters).table, Table.UNIT))
        results["unit_csv"] = line("by-unit CSV (end to end)", csv_timing, aim="< 1 s")
        with tempfile.TemporaryDirectory() as tmp:
            people = Timing()
            with peak_memory(people), timed(people):
                rows = people_csv(filters, Path(tmp) / "people.csv")
            results["people_rows"] = rows
            results["people_csv"] = line(
                f"people CSV, {rows:,} rows", people, aim="< 10 s, +100 MB"
            )
            if not args.skip_people_xlsx:
                book = Timing()
                with peak_memory(book), timed(book):
                    people_xlsx(filters, Path(tmp) / "people.xlsx")
                results["people_xlsx"] = line(
                    "people XLSX, constant memory", book, aim="< 120 s, +100 MB"
                )
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"coverage-{label.lower()}-{args.staff}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Written: {out.relative_to(ROOT)}")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=60_000)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-people-xlsx", action="store_true")
    parser.add_argument("--database-url", help="a PostgreSQL database to create, use and drop")
    parser.add_argument("--replace-database", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        create_database(args.database_url, args.replace_database)
        try:
            run("PostgreSQL", args.database_url, args)
        finally:
            drop_database(args.database_url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)


if __name__ == "__main__":
    main()
