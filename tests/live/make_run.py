"""`make run` itself, as a firm's server would start it, on free ports with its own tracker store, token file and
endpoints file: one for the session (tests/conftest.py's `make_run` fixture), shared by the tests of what `make run`
exposes (tests/live/test_api_security.py) and the browser test against the whole bot (tests/e2e/test_widget.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.procs import free_port
from tests.e2e.servers import ARTIFACTS, ROOT, Process, get
from tests.live.bot import FakeLine, require_model

LINE_SECRET = "make-run-line-secret-" + uuid.uuid4().hex
LINE_TOKEN = "make-run-line-token-" + uuid.uuid4().hex


@contextmanager
def make_run(work: Path) -> Iterator[dict]:
    """Yields proc, rasa (URL), ports, token, token_file, line (the fake LINE API), page (the widget's URL)."""
    require_model()
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT")}
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml")
        .read_text(encoding="utf-8")
        .replace("localhost:5055", f"127.0.0.1:{ports['ACTIONS_PORT']}"),
        encoding="utf-8",
    )
    line = FakeLine()
    token_file = work / "var" / "rasa-api-token"
    env = {
        **{k: str(v) for k, v in ports.items()},
        "ENDPOINTS": str(endpoints),
        "RASA_API_TOKEN_FILE": str(token_file),
        "TRACKER_DB": str(work / "tracker.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": "INFO",
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE": line.base_url,
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    logs = ARTIFACTS / "live"
    logs.mkdir(parents=True, exist_ok=True)
    proc = Process("make-run", ["make", "-s", "run"], env=env, log_dir=logs)
    rasa = f"http://127.0.0.1:{ports['RASA_PORT']}"
    page = f"http://127.0.0.1:{ports['WEB_PORT']}/"
    try:
        proc.wait_until(lambda: token_file.exists(), 120, "token file")
        token = token_file.read_text().strip()
        proc.wait_until(lambda: b"model_file" in get(f"{rasa}/status?token={token}", 5)[1], 600, "model loaded")
        proc.wait_until(lambda: get(page)[0] == 200, 60, "widget page")
        yield {
            "proc": proc,
            "rasa": rasa,
            "ports": ports,
            "token": token,
            "token_file": token_file,
            "line": line,
            "page": page,
            "line_secret": LINE_SECRET,
            "line_token": LINE_TOKEN,
        }
    finally:
        proc.stop()
        line.close()
