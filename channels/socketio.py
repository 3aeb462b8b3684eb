"""Rasa's socket.io channel for the web widget (/socket.io), protected like the other public channels (never
silent, rate-limited, input cleaned: see guard.py), with tap-to-call buttons.
Session persistence relies on python-socketio 5.9.0 (pinned): 5.10+ breaks it in rasa 3.6.21 (RasaHQ/rasa#13027).

Rasa 3.6's SocketIOOutput turns every button into a quick reply built from button["payload"]: a link button
({"type": "web_url", "url": "tel:0800280280"}) has no payload, so the whole message failed (KeyError) and the
widget never got the hotline. Here buttons with a url go to rasa-webchat as links ("buttons", kept on screen,
<a href="tel:...">), the others stay quick replies.
"""

import asyncio
import json

from rasa.core.channels import socketio

from channels.guard import protected
from channels.handoff import deliver_socketio, watch_outbox


def webchat_button(button: dict) -> dict:
    if button.get("url"):
        return {"type": "web_url", "title": button["title"], "url": button["url"]}
    return {"type": "postback", "title": button["title"], "payload": button.get("payload", button["title"])}


class SocketIOOutput(socketio.SocketIOOutput):
    async def send_text_with_buttons(self, recipient_id, text, buttons, **kwargs):
        if not any(b.get("url") or "payload" not in b for b in buttons):
            return await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send_message(recipient_id, {"text": part})
        await self._send_message(recipient_id, {"text": parts[-1], "buttons": [webchat_button(b) for b in buttons]})


class SocketIOInput(socketio.SocketIOInput):
    def get_output_channel(self):
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else super().get_output_channel()

    def blueprint(self, on_new_message):
        guarded = protected(on_new_message)

        async def handler(message):
            message.output_channel = SocketIOOutput(self.sio, self.bot_message_evt)
            await guarded(message)

        bp = super().blueprint(handler)
        namespace = self.namespace or "/"
        self.sio.handlers[namespace][self.user_message_evt] = well_formed(
            self.sio.handlers[namespace][self.user_message_evt], self.metadata_key
        )
        self.sio.handlers[namespace]["session_request"] = self.deliver_on_reconnect(
            self.sio.handlers[namespace]["session_request"], namespace
        )
        sio, event = self.sio, self.bot_message_evt

        @bp.listener("after_server_start")
        async def start_watching(app, _loop):  # staff messages for the pages open on this process
            app.ctx.handoff_watch = asyncio.get_running_loop().create_task(watch_outbox(sio, event, namespace))

        @bp.listener("before_server_stop")
        async def stop_watching(app, _loop):
            task = getattr(app.ctx, "handoff_watch", None)
            if task is not None:
                task.cancel()

        return bp

    def deliver_on_reconnect(self, session_request, namespace: str):
        """A page that comes back (reload, phone waking up) gets the staff messages written while it was away."""

        async def handler(sid, data=None):
            await session_request(sid, data)
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if self.session_persistence and isinstance(session_id, str) and session_id:
                await deliver_socketio(self.sio, sid, self.bot_message_evt, session_id, namespace)

        return handler


def well_formed(handle_message, metadata_key: str):
    """Rasa's handler assumes an object with a string message and JSON metadata: anything else raised in it and
    the sender heard nothing. A message without a string session id is ignored by Rasa (with a warning): there
    is no conversation to answer in."""

    async def checked(sid, data=None):
        data = dict(data) if isinstance(data, dict) else {}
        if not isinstance(data.get("message"), str):
            data["message"] = ""  # answered as an empty message
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or len(session_id) > 255:  # the tracker store's sender_id column
            data.pop("session_id", None)
        metadata = data.get(metadata_key)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        data[metadata_key] = metadata if isinstance(metadata, dict) else {}
        return await handle_message(sid, data)

    return checked
