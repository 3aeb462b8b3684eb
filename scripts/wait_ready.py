"""Waits until every URL answers HTTP 200, or one of the given processes has ended.

scripts/run.sh prints its "ready" line only when this returns 0: Rasa's port opens only once the model is loaded
(about 25 s after start), so this is when the bot really answers.
    python scripts/wait_ready.py [--pid PID ...] [--timeout S] URL ...   -> exit 0 ready, 1 a process ended or timeout
"""

import argparse
import sys
import time
import urllib.request
from pathlib import Path


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_ready(urls, pids=(), timeout: float = 0, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout if timeout else None
    pending = list(urls)
    while True:
        pending = [url for url in pending if not answers(url)]
        if not pending:
            return True
        if not all(alive(pid) for pid in pids) or (deadline and time.monotonic() > deadline):
            return False
        time.sleep(interval)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--pid", type=int, action="append", default=[], help="give up when this process ends")
    parser.add_argument("--timeout", type=float, default=0, help="seconds (default: no limit)")
    args = parser.parse_args(argv)
    try:
        return 0 if wait_ready(args.urls, args.pid, args.timeout) else 1
    except KeyboardInterrupt:  # Ctrl-C in make run: run.sh's trap stops the servers
        return 1


if __name__ == "__main__":
    sys.exit(main())
