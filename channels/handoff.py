"""Staff messages reach the firm on its own channel (issue 16), and the bot stays quiet while staff hold it.

The staff helper writes every message to the outbox (handoff/store.py) first, so nothing is lost; then:
- `StaffRelay` (credentials.yml, POST /webhooks/staff_relay/deliver, the Rasa API token as a Bearer token) sends
  a conversation's pending messages at once: to the widget's socket.io room when the page is open, by LINE's push
  API to a LINE user. `watch_outbox` (every process with the socket.io channel) sends them to a page open on
  this process within a second, whichever process the relay call reached (two or more behind nginx: make
  scale-up). A widget that is closed gets them when it reconnects (`deliver_on_reconnect`); a LINE push
  that fails (the monthly quota: HTTP 429) leaves them pending, and they go with the reply to the firm's next
  message (a reply costs no quota).
- `staff_first` (every public channel, channels/guard.py): before a turn, the pending messages go out through
  the turn's own output channel: REST gets them in its answer (or from POST /webhooks/rest/poll).
- `held`: while a staff member holds the conversation Rasa is paused (ConversationPaused, set by the helper
  through Rasa's HTTP API) and a turn sends nothing, which is no failure: guard.py sends no apology.

Logs carry counts and channel names, never the text or the sender id.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import os
from pathlib import Path

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response

from handoff.store import HandoffStore
from knowledge.kb import default_kb

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
LINE_PUSH_BATCH = 5  # LINE accepts at most 5 messages per push
WATCH_SECONDS = 1.0  # how often a process looks for staff messages to the pages open on it


@functools.lru_cache(maxsize=1)
def store() -> HandoffStore:
    return HandoffStore()


def render(row: dict) -> str:
    from actions.handoff import render as render_row

    return render_row(default_kb(), row)


def held(sender_id: str) -> bool:
    try:
        return store().held(sender_id)
    except Exception as e:  # noqa: BLE001 -- the store unreadable: behave as before the handoff existed
        logger.error("handoff store unreadable: %s", type(e).__name__)
        return False


def _pending(sender_id: str) -> list:
    try:
        return store().pending(sender_id)
    except Exception as e:  # noqa: BLE001
        logger.error("handoff store unreadable: %s", type(e).__name__)
        return []


def staff_first(on_new_message):
    """Before the turn, the staff messages this conversation has not had, through the turn's output channel."""

    async def handler(message: UserMessage) -> None:
        rows = _pending(message.sender_id)
        sent = []
        for row in rows:
            await message.output_channel.send_response(message.sender_id, {"text": render(row)})
            sent.append(row["id"])
        if sent:
            store().delivered(sent)
            logger.info("handoff: %d staff message(s) delivered with a turn", len(sent))
        await on_new_message(message)

    return handler


def _occupied(sio, namespace: str, room: str) -> bool:
    try:  # python-socketio drops a namespace's rooms when its last client leaves: KeyError then
        return any(True for _ in sio.manager.get_participants(namespace, room))
    except KeyError:
        return False


_delivering: set = set()  # conversations whose messages this process is emitting now (relay and watcher alike)


async def deliver_socketio(sio, room: str, event: str, sender_id: str, namespace: str = "/") -> int:
    """Emit the pending messages to the widget's room if a page is in it; 0 when none is (kept for later), or
    when this process is emitting that conversation's messages already (they go with that delivery or the next
    look of the watcher)."""
    if not _occupied(sio, namespace, room) or sender_id in _delivering:
        return 0
    _delivering.add(sender_id)
    try:
        rows = _pending(sender_id)
        for row in rows:
            await sio.emit(event, {"text": render(row)}, room=room, namespace=namespace)
        store().delivered([r["id"] for r in rows])
        return len(rows)
    finally:
        _delivering.discard(sender_id)


def open_rooms(sio, namespace: str = "/") -> list:
    """The rooms with a page in them on this process: with session persistence, one per conversation (the
    widget's session id); without it, each socket's own room, whose name is the sender id then."""
    rooms = getattr(sio.manager, "rooms", {}).get(namespace, {})
    return [room for room, members in rooms.items() if room is not None and members]


async def watch_outbox(sio, event: str, namespace: str = "/", interval: float = WATCH_SECONDS) -> None:
    """Behind nginx several Rasa processes serve the widget and a page's socket lives in one of them, while the
    staff helper's relay call (RASA_URL) reaches one process, maybe another. So every process looks in the
    shared outbox every `interval` seconds for the conversations whose page is open here, and emits what waits:
    a staff reply reaches the page within about a second whichever process holds its socket. One indexed query
    a look, none while no page is open; the outbox stays the one record of what was delivered.
    Rather than Redis pub/sub: `make run` has no Redis, and a message published while no process holds the page
    would be gone, where the outbox keeps it. Rather than routing the relay call to the right process: nginx's
    ip_hash keeps a page on one process, but the helper calls a process directly and cannot know which."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        rooms = open_rooms(sio, namespace)
        if not rooms:
            continue
        try:
            waiting = await loop.run_in_executor(None, store().waiting, rooms, "socketio")
        except Exception as e:  # noqa: BLE001 -- the store unreachable for a moment: look again next time
            logger.error("handoff store unreadable: %s", type(e).__name__)
            continue
        for sender in waiting:
            sent = await deliver_socketio(sio, sender, event, sender, namespace)
            if sent:
                logger.info("handoff: %d staff message(s) delivered to an open page", sent)


async def deliver_line(api, sender_id: str) -> tuple[int, str | None]:
    """Push the pending messages; on an error (quota: 429) they stay pending with the error noted."""
    rows = _pending(sender_id)
    done = 0
    for i in range(0, len(rows), LINE_PUSH_BATCH):
        batch = rows[i : i + LINE_PUSH_BATCH]
        result = await api.push(sender_id, [{"type": "text", "text": render(r)[:5000]} for r in batch])
        ids = [r["id"] for r in batch]
        if not result.ok:
            error = "quota" if result.status == 429 else f"http {result.status}"
            store().failed([r["id"] for r in rows[i:]], error)
            logger.warning("handoff: LINE push failed (%s); %d message(s) wait for the next turn", error, len(rows) - i)
            return done, error
        store().delivered(ids)
        done += len(ids)
    return done, None


def api_token() -> str | None:
    path = Path(os.environ.get("RASA_API_TOKEN_FILE") or ROOT / "var" / "rasa-api-token")
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


async def _taken_elsewhere(sender_id: str, wait: float = 2 * WATCH_SECONDS + 0.5) -> int:
    """How many are still pending after `wait` seconds (0 when another process's watcher delivered them), so
    the helper tells staff the firm is away only when it is."""
    deadline = asyncio.get_running_loop().time() + wait
    while (left := len(_pending(sender_id))) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.25)
    return left


class StaffRelay(InputChannel):
    """POST /webhooks/staff_relay/deliver {"sender": …}: send that conversation's pending staff messages now."""

    @classmethod
    def name(cls) -> str:
        return "staff_relay"

    def blueprint(self, on_new_message):
        bp = Blueprint("staff_relay", __name__)

        @bp.route("/deliver", methods=["POST"])
        async def deliver(request):
            token = api_token()
            given = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            if not token or not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender or len(sender) > 255:
                return response.json({"error": '"sender" is missing'}, status=400)
            channels = {c.name(): c for c in getattr(request.app.ctx, "input_channels", [])}
            channel = body.get("channel")
            result = {"delivered": 0, "pending": 0, "error": None}
            if channel == "socketio" and getattr(channels.get("socketio"), "sio", None) is not None:
                sio = channels["socketio"]
                result["delivered"] = await deliver_socketio(
                    sio.sio, sender, sio.bot_message_evt, sender, sio.namespace or "/"
                )
            elif channel == "line" and "line" in channels:
                result["delivered"], result["error"] = await deliver_line(channels["line"].api, sender)
            result["pending"] = len(_pending(sender))
            if channel == "socketio" and result["pending"]:  # the page may be open on another process: its
                result["pending"] = await _taken_elsewhere(sender)  # watcher takes them within a second
            return response.json(result)

        return bp
