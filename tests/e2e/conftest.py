"""Fixtures for the web widget tests: headless Chromium and the folder for screenshots and logs.

Chromium is Debian's (/usr/bin/chromium, installed by scripts/setup_browser.sh), driven by the PyPI package
playwright; `playwright install` is never needed (nor possible here). Screenshots and server logs go to
test-artifacts/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.servers import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, ROOT, Process, free_port, get

WIDGET_BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser(artifacts):
    """Headless Debian Chromium through Playwright; skips (saying why) when either is missing.

    Module-scoped on purpose: Playwright's sync API keeps an event loop running in the main thread while it
    is open, and later tests that call asyncio.run() must not find it."""
    if not CHROMIUM.exists():
        why = (
            "as root, run scripts/setup_browser.sh"
            if os.geteuid() == 0
            else "this is not root, so it cannot be installed here: ask for scripts/setup_browser.sh to be run as root"
        )
        message = f"{CHROMIUM} is missing ({why}); the browser test needs Debian's chromium"
        if os.environ.get("CI") and os.geteuid() == 0:  # CI runs as root: `make browser` must have installed it
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not in .venv: run scripts/setup_browser.sh")
    if not WIDGET_BUNDLE.exists():
        pytest.skip("node_modules/rasa-webchat is missing: run `npm ci`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def stub_bot(artifacts):
    """The configured socket.io channel with a scripted bot (tests/e2e/stub_bot.py), in its own process on a free
    port, shared by the browser tests (starting it loads Rasa: tens of seconds). List `browser` before it in a
    test's arguments, so that a test without a browser skips before starting it."""
    port = free_port()
    proc = Process(
        "stub_bot",
        [sys.executable, "-m", "tests.e2e.stub_bot", "--port", str(port)],
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        proc.wait_until(lambda: get(url + "/status")[0] == 200, 120, "HTTP on /status")
        yield url
    finally:
        proc.stop()
