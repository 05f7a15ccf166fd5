"""Lesson page versus /healthz, under gunicorn on loopback, with one client in one run.

    python bench/lesson_throughput.py [--seconds 10] [--connections 20] [--workers 4] [--threads 1]

It builds its own data (a fresh SQLite database with the demo province and the shipped
courses, in a temporary folder), starts gunicorn on a free loopback port, signs a demo learner
in, then drives /healthz and a lesson page in turn with the same pool of client threads for the
same time. It prints both throughputs, their ratio and the lesson's latency percentiles. The
aim: a lesson page reaches at least a third of /healthz's throughput, because a lesson request
never renders Markdown and costs a fixed handful of queries.

Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
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
LESSON = "/courses/official-channels/lessons/03-public-email"
USERNAME, PASSWORD = "khang.le", "khien-demo-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    port: int, workers: int, env: dict[str, str], threads: int = 1
) -> subprocess.Popen[bytes]:
    """The site as the README's production command runs it (`gunicorn -w 4`: one request at a
    time per worker), on loopback only. The threaded worker class with one thread serves
    requests exactly as a sync worker does, but keeps the client's connections open, so the
    benchmark measures pages rather than TCP handshakes. `threads` > 1 is the set-up for a
    site without a buffering proxy (README, "Running in production")."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread"]
    command += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["app:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def sign_in(port: int) -> str:
    """Returns the session cookie of a signed-in demo learner."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    body = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrf_token": token[1] if token else ""}
    )
    conn.request(
        "POST",
        "/auth/login",
        body=body,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed: HTTP {response.status}")
    cookie = _kept(response, cookie)
    # A browser follows the redirect to the home page and keeps the cookie that page sets (the
    # session gains its CSRF token there). A client that went on sending the sign-in cookie
    # would have every page issue a new one, and measure that instead of the page.
    conn.request("GET", response.getheader("Location", "/"), headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return _kept(response, cookie)


def _kept(response: http.client.HTTPResponse, cookie: str) -> str:
    """The session cookie a browser holds after `response`: the one it sets, if any."""
    issued = response.getheader("Set-Cookie")
    return issued.split(";")[0] if issued else cookie


def drive(
    port: int, path: str, cookie: str, seconds: float, connections: int, expect: bytes
) -> tuple[int, list[float]]:
    """`connections` threads, each on its own keep-alive connection, for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                errors.append(str(err))
                continue
            if response.status != 200 or expect not in body:
                errors.append(f"HTTP {response.status}")
                continue
            if cookie and response.getheader("Set-Cookie"):
                headers["Cookie"] = _kept(response, cookie)  # as a browser would
            latencies[index].append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} failed requests on {path}, first: {errors[0]}", file=sys.stderr)
    return sum(len(x) for x in latencies), [x for per in latencies for x in per]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternate the two endpoints this many times; medians are kept",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "KHIEN_ENV": "development",
        }
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "seed-demo"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = start_gunicorn(port, args.workers, env, args.threads)
        try:
            wait_until_up(port)
            cookie = sign_in(port)
            drive(port, LESSON, cookie, 1.0, args.connections, b"lesson-body")  # warm-up
            rounds = []
            latencies: list[float] = []
            for _ in range(args.rounds):  # alternate, so drift on the machine hits both
                health, _ = drive(port, "/healthz", "", args.seconds, args.connections, b'"ok"')
                lessons, times = drive(
                    port, LESSON, cookie, args.seconds, args.connections, b"lesson-body"
                )
                latencies.extend(times)
                rounds.append((health / args.seconds, lessons / args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads; client: {args.connections} "
        f"keep-alive connections; {args.rounds} rounds of {args.seconds:.0f} s per endpoint"
    )
    for index, (health_rate, lesson_rate) in enumerate(rounds, start=1):
        print(
            f"  round {index}: /healthz {health_rate:7.1f} req/s, lesson {lesson_rate:7.1f} "
            f"req/s, ratio {lesson_rate / health_rate:.2f}"
        )
    health_rate = statistics.median(r[0] for r in rounds)
    lesson_rate = statistics.median(r[1] for r in rounds)
    ratio = statistics.median(r[1] / r[0] for r in rounds)
    print(f"/healthz       {health_rate:8.1f} req/s (median)")
    print(
        f"lesson page    {lesson_rate:8.1f} req/s (median)   "
        f"p50 {1000 * statistics.median(latencies):6.1f} ms   "
        f"p95 {1000 * percentile(latencies, 0.95):6.1f} ms"
    )
    print(
        f"ratio lesson / healthz: {ratio:.2f} (median of rounds; aim: at least 0.33) -> "
        f"{'met' if ratio >= 1 / 3 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
