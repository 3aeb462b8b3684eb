"""Rasa's socket.io channel for the web widget (/socket.io), made never silent (see guard.py), with
tap-to-call buttons.
Session persistence relies on python-socketio 5.9.0 (pinned): 5.10+ breaks it in rasa 3.6.21 (RasaHQ/rasa#13027).

Rasa 3.6's SocketIOOutput turns every button into a quick reply built from button["payload"]: a link button
({"type": "web_url", "url": "tel:0800280280"}) has no payload, so the whole message failed (KeyError) and the
widget never got the hotline. Here buttons with a url go to rasa-webchat as links ("buttons", kept on screen,
<a href="tel:...">), the others stay quick replies.
"""
from rasa.core.channels import socketio

from channels.guard import never_silent


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
        guarded = never_silent(on_new_message)

        async def handler(message):
            message.output_channel = SocketIOOutput(self.sio, self.bot_message_evt)
            await guarded(message)

        return super().blueprint(handler)
