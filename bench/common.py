"""Shared plumbing for the benchmark stages: figures, workers in subprocesses, the simulator.

Every timed job runs in its own Python subprocess (a *worker*) so that its peak RSS can be
read exactly with ``os.wait4`` and one tool's imports or caches never help another's timing.
A worker prints one JSON object on its last stdout line; the parent adds ``peak_rss_mb``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CALLREP = str(Path(PYTHON).with_name("callrep"))


@dataclass
class Figure:
    """One reported figure: the median of ``runs``, compared with a bound or a peer."""

    stage: str
    name: str
    value: float
    unit: str
    runs: list[float] = field(default_factory=list)
    versus: str | None = None  # what the ratio compares with ("bound: ...", "peer: dlt ...")
    versus_value: float | None = None
    ratio: float | None = None  # value / versus_value (for times: >1 means slower than bound)
    target: str | None = None  # the target, in words
    met: bool | None = None
    note: str | None = None
    origin: str | None = None  # the stage module that produced it (for --only merges)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["bound_or_peer"] = out.pop("versus")
        out["bound_or_peer_value"] = out.pop("versus_value")
        return out


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


# --------------------------------------------------------------------------- workers


def run_worker(module: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m module args`` and return its JSON result plus ``peak_rss_mb``.

    ``os.wait4`` gives the rusage of that one child (and any grandchildren it waited for),
    so the peak RSS is the worker's own, not the harness's.
    """
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [PYTHON, "-m", module, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    out, err = "", ""
    try:
        out, err = _read_all(proc, deadline)
    finally:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(
            f"worker {module} {' '.join(args)} exited {proc.returncode}:\n{err[-3000:]}"
        )
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"worker {module} printed no JSON:\n{out[-2000:]}\n{err[-2000:]}")
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024.0  # Linux: kilobytes
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # the worker's own user + sys
    return result


def _read_all(proc: subprocess.Popen[str], deadline: float) -> tuple[str, str]:
    import threading

    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def pump(stream: Any, key: str) -> None:
        for line in stream:
            chunks[key].append(line)

    threads = [
        threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            proc.kill()
            raise TimeoutError(f"worker {proc.args} timed out")
    return "".join(chunks["out"]), "".join(chunks["err"])


def process_cpu(pid: int) -> float:
    """User + sys CPU seconds a live process has used so far (Linux /proc), 0 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def emit(result: dict[str, Any]) -> None:
    """A worker's last act: its result as one JSON line on stdout."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def self_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --------------------------------------------------------------------------- simulator


class SimProcess:
    """``callrep simulator serve`` (or, with ``command``, another server printing the same
    lines, e.g. ``bench.pageserver``) in its own process, on a free loopback port."""

    def __init__(
        self, *args: str, start_timeout: float = 300, command: Sequence[str] | None = None
    ) -> None:
        self.command = list(command) if command else [CALLREP, "simulator", "serve"]
        self.args = ["--port", "0", *args]
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.telnyx_url = self.plivo_url = ""
        self.telnyx_key = self.plivo_id = self.plivo_token = ""
        self.peak_rss_mb: float | None = None
        self.startup_seconds = 0.0

    def __enter__(self) -> SimProcess:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [*self.command, *self.args],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("simulator exited early:\n" + "".join(seen))
            seen.append(line)
            if m := re.search(r"Telnyx base URL (\S+)\s+Authorization: Bearer (\S+)", line):
                self.telnyx_url, self.telnyx_key = m.group(1), m.group(2)
            if m := re.search(r"Plivo base URL\s+(\S+)\s+auth id (\S+)\s+auth token (\S+)", line):
                self.plivo_url, self.plivo_id, self.plivo_token = m.groups()
            if line.startswith("Ctrl-C"):
                break
        else:
            raise RuntimeError("simulator did not start in time")
        self.startup_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
        self.proc = None


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, load, and the versions that matter."""
    import importlib.metadata as md
    import platform

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return "not installed"

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            d: version(d)
            for d in ("callrep", "duckdb", "polars", "pyarrow", "httpx", "dlt", "pyinstrument")
        },
    }


def load1() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(threshold: float = 1.5, max_wait: float = 600, poll: float = 15) -> float:
    """Poll the 1-minute load average until it is under ``threshold`` (or time runs out)."""
    waited = 0.0
    while load1() >= threshold and waited < max_wait:
        print(
            f"  load {load1():.2f} >= {threshold}; waiting ({waited:.0f}/{max_wait:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(poll)
        waited += poll
    return load1()


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def copy_database(source: Path, target: Path) -> None:
    """Copy a database file for a stage to work on, written out to disk before any timing.

    A fresh copy sits in the page cache as dirty pages, and the first commit's fsync of the
    timed step would then pay for writing them all (1.2 to 2.5 s for a 1-2 GB file here,
    charged to whichever model commits first); a store that callrep itself wrote never carries
    that debt into a build.
    """
    shutil.copyfile(source, target)
    with open(target, "rb+") as written:
        os.fsync(written.fileno())
