"""The web widget's session persistence, at the socket.io level, with Rasa's real channel.

The widget keeps a session id in the browser and, on every (re)connection, sends ``session_request`` with it;
with ``session_persistence: true`` (credentials.yml) Rasa puts the new socket in the room named after the
session, uses the session id as the conversation's sender_id and sends the bot's answers to that room. If the
socket does not join the room, the bot's answers after a reconnection (a page reload, a phone waking up) go
nowhere: that is what python-socketio >= 5.10 does with rasa 3.6.21, whose ``session_request`` handler does not
await ``enter_room`` (RasaHQ/rasa#13027), hence the pin python-socketio==5.9.0.

No model is needed: the channel is the one credentials.yml configures, wired into a small Sanic app the way
``rasa run`` wires it, and only the agent behind it is scripted (tests/e2e/stub_bot.py). Everything runs on
127.0.0.1 in one event loop and takes about a second.
"""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from bench.procs import free_port

socketio = pytest.importorskip("socketio")

from tests.e2e.stub_bot import (  # noqa: E402
    GREETING,
    HOTLINE_BUTTON,
    HOTLINE_TEXT,
    KNOWN_BUTTON_BUG,
    StubAgent,
    build_app,
    is_known_button_bug,
    socketio_channel,
)

TIMEOUT = 10  # seconds for any single socket.io exchange on the loopback


class Server:
    """The configured socket.io channel on a free port, served by an event loop in a background thread.

    One server for the module, each test with a fresh agent, its clients in the server's loop. Sanic 21.12 starts
    a second app in a process only in test_mode (the other tests' Sanic apps, e.g. tests/channels/)."""

    def __init__(self) -> None:
        self.agent = StubAgent()
        self.app, self.channel = build_app(_AgentProxy(self))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="socketio-test-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.server = self.run(self._start())

    async def _start(self):
        server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )  # already listening
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    async def _stop(self) -> None:
        await self.server.before_stop()
        await self.server.close()
        await self.server.after_stop()

    def stop(self) -> None:
        try:
            self.run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT)

    def run(self, coro, timeout: float = 60):
        """Runs a coroutine in the server's loop and returns its result (bounded in time)."""
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop).result(timeout + 5)


class _AgentProxy:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def handle_message(self, message) -> None:
        await self.server.agent.handle_message(message)


@pytest.fixture(scope="module")
def server():
    from sanic import Sanic

    test_mode, Sanic.test_mode = Sanic.test_mode, True
    srv = Server()
    try:
        srv.start()
        yield srv
        srv.stop()
    finally:
        Sanic.test_mode = test_mode


@pytest.fixture
def agent(server):
    server.agent = StubAgent(hotline=False)
    return server.agent


class Client:
    """A socket.io client that behaves as rasa-webchat does (session_request on connect).

    It polls over HTTP: python-engineio 4.15's websocket client needs aiohttp >= 3.10 (ClientWSTimeout) and
    rasa 3.6 pins aiohttp 3.9.5. The browser test (test_widget.py) covers the widget's websocket upgrade."""

    def __init__(self, url: str, events) -> None:
        self.url = url
        self.events = events
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot_messages: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.sio.on(events.bot, self.bot_messages.put)
        self.sio.on("session_confirm", self.confirmed.put)

    async def connect(self, session_id: str) -> str:
        await asyncio.wait_for(self.sio.connect(self.url, transports=["polling"], socketio_path="/socket.io"), TIMEOUT)
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), TIMEOUT)

    async def say(self, text: str, session_id: str) -> None:
        await self.sio.emit(
            self.events.user, {"message": text, "session_id": session_id, "customData": {"language": "zh-Hant"}}
        )

    async def next_bot_message(self, timeout: float = TIMEOUT) -> dict:
        return await asyncio.wait_for(self.bot_messages.get(), timeout)

    async def nothing_more(self, wait: float = 0.5) -> bool:
        try:
            await asyncio.wait_for(self.bot_messages.get(), wait)
        except asyncio.TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.sio.disconnect()


class Events:
    def __init__(self, channel) -> None:
        self.user = channel.user_message_evt
        self.bot = channel.bot_message_evt


def test_credentials_enable_persistence_with_the_widgets_event_names():
    channel = socketio_channel()
    assert channel.session_persistence is True, "credentials.yml: socketio needs session_persistence: true"
    assert (channel.user_message_evt, channel.bot_message_evt) == ("user_uttered", "bot_uttered")
    assert channel.socketio_path == "/socket.io"


def test_a_reconnected_client_with_the_same_session_id_gets_the_answers(server, agent):
    session_id = uuid.uuid4().hex
    events = Events(server.channel)

    async def scenario():
        first = Client(server.url, events)
        assert await first.connect(session_id) == session_id
        await first.say("/greet", session_id)
        assert (await first.next_bot_message())["text"] == GREETING
        first_sid = first.sio.sid
        await first.close()

        # a reload: a new socket (new sid), the same session id from the browser's storage
        second = Client(server.url, events)
        assert await second.connect(session_id) == session_id
        assert second.sio.sid != first_sid
        await second.say("我營業額掉了15%能貸多少", session_id)
        answer = await second.next_bot_message()
        assert "我營業額掉了15%能貸多少" in answer["text"] and session_id in answer["text"]

        # the room, not the socket, is the address: what the bot sends to the conversation later (an external
        # event, a reminder) reaches the reconnected socket too
        await server.channel.get_output_channel().send_text_message(session_id, "稍後的提醒")
        assert (await second.next_bot_message())["text"] == "稍後的提醒"

        # and another conversation is not mixed in
        stranger = Client(server.url, events)
        other = uuid.uuid4().hex
        assert await stranger.connect(other) == other
        await stranger.say("你好", other)
        assert session_id not in (await stranger.next_bot_message())["text"]
        assert await second.nothing_more()
        await stranger.close()
        await second.close()
        return other

    other = server.run(scenario())
    # one conversation (tracker) for the session, before and after the reconnection
    assert [m["sender_id"] for m in agent.received] == [session_id, session_id, other]
    assert {m["input_channel"] for m in agent.received} == {"socketio"}


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
def test_without_the_room_the_widget_gets_no_answer(server, agent):
    """Why python-socketio stays at 5.9.0: from 5.10 on, AsyncServer.enter_room is a coroutine, which rasa
    3.6.21 calls without await, so the socket never joins the session's room (RasaHQ/rasa#13027). Simulated
    here, the test above would see no answer after the reconnection."""
    sio = server.channel.sio
    enter_room = sio.enter_room

    async def enter_room_as_in_5_10(sid, room, namespace=None):
        return enter_room(sid, room, namespace=namespace)

    session_id = uuid.uuid4().hex

    async def scenario():
        client = Client(server.url, Events(server.channel))
        assert await client.connect(session_id) == session_id  # session_confirm still goes to the socket
        await client.say("有人在嗎", session_id)
        got_nothing = await client.nothing_more(wait=1.0)
        await client.close()
        return got_nothing

    sio.enter_room = enter_room_as_in_5_10
    try:
        assert server.run(scenario()), "the answer reached a socket that never joined the session's room"
    finally:
        del sio.enter_room  # back to the class's method
    assert [m["sender_id"] for m in agent.received] == [session_id]  # the bot did answer, into an empty room


def test_a_session_request_without_id_gets_a_new_session(server, agent):
    async def scenario():
        client = Client(server.url, Events(server.channel))
        await asyncio.wait_for(client.sio.connect(server.url, transports=["polling"]), TIMEOUT)
        await client.sio.emit("session_request", {"session_id": None})
        new_id = await asyncio.wait_for(client.confirmed.get(), TIMEOUT)
        await client.close()
        return new_id

    assert len(server.run(scenario())) == 32  # uuid4().hex


def test_tap_to_call_buttons_reach_the_widget_as_links(server):
    """The bot's answers end with tap-to-call buttons; the widget must get them as web_url links."""
    server.agent = agent = StubAgent(hotline=True)
    session_id = uuid.uuid4().hex

    async def scenario():
        client = Client(server.url, Events(server.channel))
        await client.connect(session_id)
        await client.say("我營業額掉了15%能貸多少", session_id)
        messages = []
        try:
            while not any(HOTLINE_TEXT in (m.get("text") or "") for m in messages):
                messages.append(await client.next_bot_message(timeout=3))
        except asyncio.TimeoutError:
            pass
        await client.close()
        return messages

    messages = server.run(scenario())
    hotline = [m for m in messages if HOTLINE_TEXT in (m.get("text") or "")]
    if not hotline and any(is_known_button_bug(e) for e in agent.errors):
        pytest.fail(KNOWN_BUTTON_BUG)
    assert not agent.errors, agent.errors
    assert hotline, f"no hotline message among {messages}"
    buttons = hotline[0].get("buttons") or hotline[0].get("quick_replies")
    assert buttons, hotline[0]
    assert buttons[0].get("type") == "web_url" and buttons[0].get("url") == "tel:0800280280", buttons
    assert buttons[0]["title"] == HOTLINE_BUTTON["title"]
