"""``callrep callbacks serve`` as a real subprocess on 127.0.0.1, for fault and end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.receiver_helpers import PATH_TOKEN

# A liveness bound, not a speed check: a loaded CI machine imports the CLI slowly.
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """The receiver in its own process; ``url`` is the path-token callback URL."""

    def __init__(self, spool: Path, auth_id: str, *extra: str) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "PLIVO_AUTH_ID": auth_id,
            "CALLREP_CALLBACK_TOKEN": PATH_TOKEN,
        }
        env.pop("PLIVO_AUTH_TOKEN", None)
        command = [sys.executable, "-m", "analytics", "callbacks", "serve"]
        command += ["--port", str(self.port), "--spool", str(spool), *extra]
        self.log = spool.parent / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/plivo/caller-reputation/{PATH_TOKEN}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"serve did not answer /healthz in {STARTUP_SECONDS} s")

    def terminate(self) -> bool:
        """SIGTERM, then wait for the drain; whether it ended by that signal after a clean
        shutdown (uvicorn re-raises the signal once the app has shut down)."""
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(STARTUP_SECONDS)
        return status in (0, -signal.SIGTERM) and "shutdown complete" in self.log.read_text()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)
