"""Processes the benchmark starts: temporary ports, their own process group, output in a log file, peak RSS."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESERVED_PORTS = {5005, 5055, 8080, 8090}  # make run and make staff may be using them
# How scripts/run.sh starts Rasa: `python -m serving` is the rasa command with the project's fixes (serving/)
SERVING = [str(BIN / "python"), "-m", "serving"]
STOCK_FAST_LOAD = [str(BIN / "python"), "-m", "serving.stock"]  # stock Rasa, weights built eagerly at load


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def _bindable(port: int) -> bool:
    for host in ("127.0.0.1", "0.0.0.0"):  # Rasa in `make run` listens on every interface
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                return False
    return True


def free_port() -> int:
    """A port free now, outside the kernel's ephemeral range. A port from bind(("127.0.0.1", 0)) is one of the
    ephemeral ports the kernel also gives to outgoing connections, and Rasa binds its port only once the model is
    loaded (minutes on a busy machine): meanwhile any client's connection could take it ("address already in use";
    this broke the live tests' Rasa on the shared machine). Random, so parallel test workers rarely draw the same."""
    low = _ephemeral_range()[0]
    first = 20000 if low > 21000 else 1024
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(first, low)
        if port not in RESERVED_PORTS and _bindable(port):
            return port
    raise RuntimeError(f"no free port between {first} and {low}")


def child_env(**extra) -> dict:
    """The environment for Rasa and the action server: no telemetry (its reports time out on a closed
    network), loopback only, the project on the path."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SANIC_HOST="127.0.0.1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children so far: unlike wall time, hardly changed by
    what else runs on the machine."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident set (VmHWM) of a process plus its children's peaks (an upper bound if it has any)."""
    return sum(_status_kb(p, "VmHWM") for p in [pid, *descendants(pid)]) / 1024


class Proc:
    """A server started by the benchmark, in its own process group, its output in log_dir/<name>.log."""

    def __init__(self, name: str, cmd: list, log_dir: Path, env: dict | None = None) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._out = self.log.open("wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=ROOT,
            env=env or child_env(),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        self._out.close()
