"""One Rasa process and the action server on temporary ports, with a temporary SQLite tracker store and a
temporary endpoints file (the project's endpoints.yml points at the fixed port 5055). Measures the time from
starting both to the first real answer."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.load import CONVERSATION, is_answer
from bench.procs import BIN, ROOT, SERVING, Proc, free_port


def post(url: str, sender: str, text: str, timeout: float = 30.0):
    """The bot's reply (a list of messages), or None when nothing answers yet."""
    data = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.HTTPError):
        return None


def write_endpoints(path: Path, actions_url: str, tracker_db: Path) -> Path:
    path.write_text(
        f'action_endpoint:\n  url: "{actions_url}"\n'
        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{tracker_db}"\n',
        encoding="utf-8",
    )
    return path


@dataclass
class Single:
    rasa: Proc
    actions: Proc
    url: str
    first_answer_s: float | None = None

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()


def wait_first_answer(url: str, procs, t0: float, not_answers: frozenset, timeout: float) -> float | None:
    """Seconds from t0 until the first question gets a real answer (the action server included)."""
    n = 0
    while time.monotonic() - t0 < timeout:
        if not all(p.alive() for p in procs):
            return None
        n += 1
        if is_answer(post(url, f"bench-first-{n}", CONVERSATION[0], timeout=10), not_answers):
            return time.monotonic() - t0
        time.sleep(0.2)
    return None


RASA_STOCK = [BIN / "rasa"]  # Rasa's own command
RASA_OURS = SERVING  # the same, with our fixes to Rasa (serving/)


def start(
    model: Path, workdir: Path, name: str, not_answers: frozenset, rasa_cmd=RASA_OURS, timeout: float = 300
) -> Single:
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(
        workdir / f"endpoints-{name}.yml", f"http://127.0.0.1:{actions_port}/webhook", workdir / f"tracker-{name}.db"
    )
    t0 = time.monotonic()
    actions = Proc(
        f"actions-{name}", [BIN / "rasa", "run", "actions", "--actions", "actions", "--port", actions_port], workdir
    )
    rasa = Proc(
        f"rasa-{name}",
        [
            *rasa_cmd,
            "run",
            "--model",
            model,
            "--enable-api",
            "-i",
            "127.0.0.1",
            "--port",
            rasa_port,
            "--credentials",
            ROOT / "credentials.yml",
            "--endpoints",
            endpoints,
        ],
        workdir,
    )
    single = Single(rasa, actions, f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook")
    single.first_answer_s = wait_first_answer(single.url, (rasa, actions), t0, not_answers, timeout)
    if single.first_answer_s is None:
        logs = f"--- {rasa.log}\n{rasa.tail()}\n--- {actions.log}\n{actions.tail()}"
        single.stop()
        raise RuntimeError(f"{name}: no answer within {timeout:.0f} s\n{logs}")
    return single
