"""Rasa's REST channel (/webhooks/rest/webhook), protected like the other public channels (see guard.py).

Requests are checked before Rasa's handler reads them, and a bad one gets a 400 (413 when too large) with a JSON
body saying what is wrong: Rasa's own handler answers an HTML page for malformed JSON, a 500 for a JSON list,
an empty reply for a message that is a number and the apology for a missing one. "sender" is required: without
it every such client would share Rasa's single "default" conversation, facts and all.
"""

import json

from rasa.core.channels import rest
from sanic import response

from channels.guard import protected

MAX_BODY_BYTES = 1024 * 1024
USAGE = 'send a JSON object: {"sender": "<conversation id>", "message": "<text>"}'


def problem(request) -> tuple | None:
    """(status, error) for a request Rasa's handler must not see, None for a good one."""
    length = request.headers.get("content-length")
    if (length and length.isdigit() and int(length) > MAX_BODY_BYTES) or len(request.body or b"") > MAX_BODY_BYTES:
        return 413, f"request body over {MAX_BODY_BYTES} bytes"
    try:
        body = json.loads(request.body or b"")
    except (UnicodeDecodeError, ValueError):
        return 400, "malformed JSON"
    if not isinstance(body, dict):
        return 400, "the body is not a JSON object"
    sender = body.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)) or not str(sender).strip():
        return 400, '"sender" is missing or not a string'
    if len(str(sender)) > 255:
        return 400, '"sender" is longer than 255 characters'
    if not isinstance(body.get("message"), str):
        return 400, '"message" is missing or not a string'
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return 400, '"metadata" is not a JSON object'
    if body.get("input_channel") is not None and not isinstance(body["input_channel"], str):
        return 400, '"input_channel" is not a string'
    return None


class RestInput(rest.RestInput):
    def blueprint(self, on_new_message):
        bp = super().blueprint(protected(on_new_message))

        @bp.route("/poll", methods=["POST"])
        async def poll(request):
            """Staff messages not yet delivered to this REST conversation (issue 16), marked delivered."""
            from channels.handoff import _pending, render, store

            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > 255:
                return response.json({"status": 400, "error": '"sender" is missing or not a string'}, status=400)
            rows = _pending(sender)
            store().delivered([r["id"] for r in rows])
            return response.json([{"recipient_id": sender, "text": render(r)} for r in rows])

        @bp.middleware("request")
        async def reject_bad_requests(request):
            if request.method != "POST" or request.path.endswith("/poll"):
                return None
            found = problem(request)
            if found:
                status, error = found
                return response.json({"status": status, "error": error, "message": USAGE}, status=status)
            return None

        return bp
