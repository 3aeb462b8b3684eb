"""One whole bot (tests/live/bot.py) for every test in tests/live/: starting Rasa takes about half a minute."""

from __future__ import annotations

import uuid

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
    base = tmp_path_factory.mktemp("live")
    token = base / "rasa-api-token"  # the staff relay's token (channels/handoff.py); the live Rasa API has none
    token.write_text(uuid.uuid4().hex)
    token.chmod(0o600)
    env = {**LIVE_ENV, "HANDOFF_DB": str(base / "handoff.db"), "RASA_API_TOKEN_FILE": str(token)}
    bot = LiveBot(base, kb_path, logs, env)
    try:
        bot.start()
        yield bot
    finally:
        bot.close()
