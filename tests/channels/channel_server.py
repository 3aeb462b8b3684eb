"""Input channels served the way `rasa run` mounts them (rasa's `register`), with a scripted agent instead of a
model, on a free loopback port inside the test's event loop."""

from __future__ import annotations

import contextlib
import socket
import uuid

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic


class EchoAgent:
    """Stands in for rasa's Agent: records each message and answers 「收到：<text>」."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"收到：{message.text}"})

    @property
    def texts(self) -> list:
        return [m.text for m in self.received]


@contextlib.asynccontextmanager
async def serving(channels, agent):
    """Yields the base URL. Sanic.test_mode must be on (several apps in one process)."""
    app = Sanic(f"channel_test_{uuid.uuid4().hex}")
    app.config.MOTD = False
    app.ctx.agent = agent
    register(channels, app, route="/webhooks/")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()
        sock.close()
