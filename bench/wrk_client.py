"""The same measurement as `lesson_throughput.drive`, made by wrk (a client written in C).

The Python client's threads share the machine's two cores with the server, and cost about as
much per request as /healthz itself; wrk costs a fraction of that, which is how the request
rates this benchmark answers were first measured (issue 9: "wrk on loopback"). Debian packages
it: `apt-get install wrk`.

A response counts only if it is a 200 whose body holds the page's marker, as in the Python
client; wrk's Lua hooks check that in each of its threads. wrk gives latency as a distribution,
not as samples: the run's 99 percentiles are returned in their place, so a median or a 95th
percentile over several runs weighs each run alike.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) marker = args[1] or ""; good = 0; bad = 0 end
function response(status, headers, body)
  if status == 200 and body:find(marker, 1, true) then good = good + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("good")
    bad = bad + thread:get("bad")
  end
  local errors = summary.errors
  io.write(string.format("khien %d %d %d\\n", good, bad,
    errors.connect + errors.read + errors.write + errors.timeout))
  for p = 1, 99 do io.write(string.format("latency %d\\n", latency:percentile(p))) end
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def drive(
    port: int, path: str, cookie: str, seconds: float, connections: int, expect: bytes
) -> tuple[int, list[float]]:
    """Two wrk threads over `connections` keep-alive connections for `seconds` (whole
    seconds, at least one): the 200s with the marker, and latency percentiles in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "count.lua"
        script.write_text(SCRIPT)
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        command += ["-s", str(script), f"http://127.0.0.1:{port}{path}", "--", expect.decode()]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    good = bad = failed = 0
    latencies: list[float] = []
    for line in output.splitlines():
        if line.startswith("khien "):
            good, bad, failed = (int(word) for word in line.split()[1:])
        elif line.startswith("latency "):
            latencies.append(int(line.split()[1]) / 1_000_000)
    if bad or failed:
        print(f"  {bad + failed} failed requests on {path} (wrong answer or socket error)")
    return good, latencies
