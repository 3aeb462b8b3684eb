"""Servers started by the browser tests: free ports, readiness polling, processes in their own process group
with their output in test-artifacts/*.log."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.procs import free_port  # noqa: F401 - one free_port for every test server (see bench/procs.py)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Debian's chromium, started as this machine needs it: no sandbox as root, no background calls to a closed network
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def get(url: str, timeout: float = 3.0) -> tuple[int, bytes]:
    """(status, body) of a GET on the loopback; (0, b"") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, ValueError):
        return 0, b""


def get_json(url: str, timeout: float = 3.0):
    status, body = get(url, timeout)
    if status != 200:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


class Process:
    """A server started by a test, in its own process group, with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict | None = None, log_dir: Path = ARTIFACTS) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_until(self, ready, timeout: float, what: str) -> None:
        """Polls ready() until it is true; fails with the log's tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if not self.alive():
                pytest.fail(f"{self.name} exited ({self.proc.returncode}) before {what}:\n{self.tail()}")
            time.sleep(0.5)
        pytest.fail(f"{self.name}: no {what} within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        self._log_file.close()


@contextmanager
def web_server(rasa_url: str, name: str = "serve_web"):
    """scripts/serve_web.py on a free port, pointing the page at rasa_url; yields the page's URL."""
    port = free_port()
    proc = Process(
        name, [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(port)], env={"RASA_URL": rasa_url}
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        proc.wait_until(lambda: get(url)[0] == 200, 20, "page")
        yield url
    finally:
        proc.stop()
