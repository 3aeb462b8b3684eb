"""One Rasa-like process for tests/channels/test_handoff_processes.py: the configured socket.io channel
(credentials.yml, channels/socketio.py) and the staff relay (channels/handoff.py), registered as `rasa run`
registers them, with the scripted agent of tests/e2e/stub_bot.py instead of a model. Several of these on one
handoff store (HANDOFF_DB) stand for the Rasa processes of `make scale-up`.

    python -m tests.channels.relay_process --port 5998
"""

from __future__ import annotations

import argparse
import os

import yaml
from rasa.core.channels.channel import register
from sanic import Sanic, response

from channels.handoff import StaffRelay
from channels.socketio import SocketIOInput
from tests.e2e.stub_bot import CREDENTIALS, StubAgent


def socketio_channel() -> SocketIOInput:
    """credentials.yml's socket.io channel, built as Rasa builds it (from_credentials), without importing
    rasa.core.run (TensorFlow: half a minute on a busy machine)."""
    settings = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8"))["channels.socketio.SocketIOInput"]
    return SocketIOInput.from_credentials(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Sanic(f"relay_process_{os.getpid()}")
    app.config.ACCESS_LOG = False
    app.ctx.agent = StubAgent(hotline=False)
    register([socketio_channel(), StaffRelay()], app, route="/webhooks/")

    @app.get("/status")
    async def status(_):
        return response.json({"pid": os.getpid()})

    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
