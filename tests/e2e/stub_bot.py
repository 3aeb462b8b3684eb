"""A stand-in for the trained bot behind Rasa's real socket.io channel.

The input channel is the one credentials.yml configures for socket.io (E2E_CREDENTIALS names another file),
built and wired with Rasa's own functions as ``rasa run --cors "*"`` does, so session persistence, rooms and
the way bot messages (text, quick replies, tel: buttons) are emitted are those of the real server.
Only the agent is scripted: it answers every message at once, through the message's output channel, with the
kind of messages the real bot sends (BotUttered events, as Rasa's processor sends them).

    python -m tests.e2e.stub_bot --port 5999     # a server for the browser test (tests/e2e/test_widget.py)
"""

from __future__ import annotations

import argparse
import itertools
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = Path(os.environ.get("E2E_CREDENTIALS", ROOT / "credentials.yml"))

GREETING = "您好！我是關稅支持措施小幫手（測試替身）。"
# as many topic buttons as the real greeting (knowledge/messages.yml topic.*)
TOPICS = [
    {"title": title, "payload": f'/ask_topic{{"topic": "{topic}"}}'}
    for topic, title in [
        ("loan", "貸款與保證"),
        ("rd", "研發轉型補助"),
        ("coaching", "AI診斷與人才培訓"),
        ("export", "拓銷與海外訂單"),
        ("energy", "ESCO節能"),
        ("directory", "所有專線"),
    ]
]
ANSWER_LINE = "急需協助請洽馬上辦服務中心（0800-280-280）。"
# A turn is at most three bubbles, as the real bot's: the answer; the hotlines with their call buttons; one
# question with buttons for its answers. The second call button has the longest title the bot ever sent (it ran
# past a phone's right edge): the page must wrap it.
HOTLINE_TEXT = "📞 馬上辦服務中心：0800-280-280\n📞 研發轉型補助 個案補助 聯絡窗口（產發署）：02-27089055"
HOTLINE_BUTTON = {"title": "📞 撥打 馬上辦服務中心 0800-280-280", "type": "web_url", "url": "tel:0800280280"}
LONG_CALL_BUTTON = {
    "title": "📞 撥打 研發轉型補助 個案補助 聯絡窗口（產發署） 02-27089055",
    "type": "web_url",
    "url": "tel:0227089055",
}
QUESTION = "請問貴公司是中小微企業、非中小微企業，還是稅籍登記業者？"
SIZE_BUTTONS = [{"title": t, "payload": t} for t in ("中小微企業", "非中小微企業", "稅籍登記業者")]

_names = itertools.count()

KNOWN_BUTTON_BUG = (
    "tap-to-call buttons break the socket.io channel: rasa 3.6's SocketIOOutput turns every "
    "button into a quick reply with button['payload'], a {type: web_url, url: tel:...} button has "
    "none, so the hotline message fails (KeyError 'payload') and never reaches the widget. Fix in "
    "channels/socketio.py: send buttons that have a url as rasa-webchat link buttons "
    "({'type': 'web_url', 'title', 'url'} under 'buttons') and keep the others as quick replies"
)


def is_known_button_bug(error: BaseException) -> bool:
    """Whether an error is rasa 3.6's SocketIOOutput choking on a button without payload."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return (
        isinstance(error, KeyError)
        and error.args == ("payload",)
        and bool(frames)
        and frames[-1].filename.replace("\\", "/").endswith("rasa/core/channels/socketio.py")
    )


def socketio_channel(credentials: Path = CREDENTIALS):
    """The socket.io input channel that `rasa run --credentials <credentials>` would start (the other
    channels of the file are not built)."""
    import rasa.shared.utils.common
    import rasa.shared.utils.io
    from rasa.core.channels import BUILTIN_CHANNELS
    from rasa.core.run import _create_single_channel

    for key, settings in (rasa.shared.utils.io.read_config_file(str(credentials)) or {}).items():
        cls = BUILTIN_CHANNELS.get(key) or rasa.shared.utils.common.class_from_module_path(key)
        if cls.name() == "socketio":
            return _create_single_channel(key, settings)
    raise RuntimeError(f"{credentials} configures no socket.io channel")


class StubAgent:
    """What ``app.ctx.agent`` is for Rasa's channel handler: records the messages and answers each one."""

    def __init__(self, hotline: bool = True) -> None:
        self.received: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []  # raised while replying (logged by Rasa; the widget sees nothing)
        self.hotline = hotline

    async def handle_message(self, message) -> None:
        from rasa.shared.core.events import BotUttered

        self.received.append(
            {"text": message.text, "sender_id": message.sender_id, "input_channel": message.input_channel}
        )
        if (message.text or "").startswith("/greet"):
            replies = [BotUttered(GREETING, data={"buttons": TOPICS})]
        else:
            replies = [
                BotUttered(
                    f"收到：{message.text}（第 {len(self.received)} 則，對話 {message.sender_id}）\n{ANSWER_LINE}"
                )
            ]
            if self.hotline:
                replies.append(BotUttered(HOTLINE_TEXT, data={"buttons": [HOTLINE_BUTTON, LONG_CALL_BUTTON]}))
                replies.append(BotUttered(QUESTION, data={"buttons": SIZE_BUTTONS}))
        try:
            for reply in replies:  # as rasa.core.processor.MessageProcessor._send_bot_messages does
                await message.output_channel.send_response(message.sender_id, reply.message())
        except Exception as error:
            self.errors.append(error)
            raise


def build_app(agent: StubAgent | None = None, credentials: Path = CREDENTIALS, cors: str = "*"):
    """A Sanic app with the configured socket.io channel, registered as `rasa run --cors "*"` registers it."""
    from rasa.core.channels.channel import register
    from rasa.server import configure_cors
    from sanic import Sanic, response

    app = Sanic(f"stub_bot_{os.getpid()}_{next(_names)}")
    app.config.ACCESS_LOG = False
    configure_cors(app, cors)
    app.ctx.agent = agent or StubAgent()
    channel = socketio_channel(credentials)
    register([channel], app, route="/webhooks/")

    @app.get("/status")
    async def status(_):
        return response.json({"stub": True})

    @app.get("/stub/errors")
    async def errors(_):
        return response.json(
            [{"error": repr(e), "known_button_bug": is_known_button_bug(e)} for e in app.ctx.agent.errors]
        )

    return app, channel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app, _ = build_app()
    app.run(host=args.host, port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
