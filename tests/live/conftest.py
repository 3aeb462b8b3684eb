"""One whole bot (tests/live/bot.py) for every test in tests/live/: starting Rasa takes about half a minute."""

from __future__ import annotations

import pytest

from tests.e2e.servers import ARTIFACTS
from tests.live.bot import LiveBot, require_model

# ACTION_TIMEOUT: short, so the slow-action-server test waits seconds, not the default 10 s.
# RATE_LIMIT_PER_MINUTE=0: the soak measures capacity; the limit is tested per channel in tests/channels/.
LIVE_ENV = {"ACTION_TIMEOUT": "4", "RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture(scope="session")
def live_bot(tmp_path_factory, kb_path):
    require_model()
    logs = ARTIFACTS / "live"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("live-*.log"):
        old.unlink()
    bot = LiveBot(tmp_path_factory.mktemp("live"), kb_path, logs, LIVE_ENV)
    try:
        bot.start()
        yield bot
    finally:
        bot.close()
