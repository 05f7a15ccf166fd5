"""Export producers for `tests/test_report_jobs.py`. They live in a module of their own so that
an RQ worker, another process, can register them too: `run_in_worker` imports the modules
named in `KHIEN_EXTRA_PRODUCERS` after building the app."""

from __future__ import annotations

import threading
from pathlib import Path

from training.errors import KhienError
from training.reports.jobs import Progress, register
from training.reports.models import ExportJob

FILE_NAME = "danh-sách-nhân-sự.csv"

# The blocking producer: it sets `reached` once half done, then waits for `release`.
reached = threading.Event()
release = threading.Event()


def csv_bytes(rows: int) -> bytes:
    lines = ["stt,họ tên"] + [f"{n},Người thứ {n}" for n in range(1, rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def small_csv(job: ExportJob, path: Path, progress: Progress) -> str:
    rows = int(job.params["rows"])
    progress(0, rows)
    path.write_bytes(csv_bytes(rows))
    progress(rows, rows)
    return FILE_NAME


def blocking_csv(job: ExportJob, path: Path, progress: Progress) -> str:
    rows = int(job.params["rows"])
    progress(0, rows)
    path.write_bytes(csv_bytes(rows)[: rows // 2])  # half a file, as a slow export has
    progress(rows // 2, rows)
    reached.set()
    if not release.wait(timeout=30):
        raise KhienError("the test never released the export")
    path.write_bytes(csv_bytes(rows))
    progress(rows, rows)
    return FILE_NAME


def refused(job: ExportJob, path: Path, progress: Progress) -> str:
    path.write_bytes(b"stt,h")  # half written when the rule refuses
    progress(1, 10)
    raise KhienError("Đơn vị SNV không còn tồn tại vào ngày báo cáo.")


def buggy(job: ExportJob, path: Path, progress: Progress) -> str:
    path.write_bytes(b"stt,h")
    progress(3, None)
    return str(1 / int(job.params.get("divisor", 0)))


register("test_csv", small_csv, label="Danh sách thử")
register("test_blocking", blocking_csv, label="Danh sách chậm")
register("test_refused", refused)
register("test_buggy", buggy)
