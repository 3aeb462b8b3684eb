"""`make shell`: talk to the bot in the terminal, over its REST channel.

Rasa's own `rasa shell` turns every message with buttons into an arrow-key menu that swallows the next typed
question, and prints the buttons' raw JSON. Here free text is always possible: buttons are numbered options
(typing a number taps one, anything else is sent as typed), and tap-to-call buttons show their number.

By default it starts a bot of its own (action server and Rasa on free ports, never 5005/5055, so it runs beside
`make run`; conversations in var/shell-tracker.db, logs in var/shell/). `--url http://localhost:5005` talks to a
running bot instead. Ctrl-D, Ctrl-C or /stop ends it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP = "/stop"


def post(url: str, sender: str, text: str, timeout: float = 60) -> list:
    """The bot's messages for one user message (Rasa's REST channel)."""
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(
        url.rstrip("/") + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def render(messages: list) -> tuple[list, list]:
    """(lines to print, options): payload buttons become numbered options, tel: links show their number."""
    lines, options = [], []
    for message in messages:
        if message.get("text"):
            lines.append(message["text"])
        if message.get("image"):
            lines.append(f"[image] {message['image']}")
        for button in message.get("buttons") or []:
            title = str(button.get("title") or "")
            url = button.get("url") or ""
            if url.startswith("tel:"):
                number = url[len("tel:") :]
                shown = title if _digits(number) in _digits(title) else f"{title} {number}".strip()
                lines.append(f"  {shown}")
            elif url:
                lines.append(f"  {title}: {url}")
            elif button.get("payload"):
                options.append((title, button["payload"]))
                lines.append(f"  [{len(options)}] {title}")
        if message.get("custom") is not None:
            lines.append(json.dumps(message["custom"], ensure_ascii=False))
    return lines, options


def message_for(typed: str, options: list) -> str:
    """A number among the last options taps that button; anything else is sent as typed."""
    choice = typed.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(options):
        return options[int(choice) - 1][1]
    return typed


def converse(url: str, sender: str | None = None, read=input, write=print) -> None:
    sender = sender or f"shell-{uuid.uuid4().hex[:12]}"
    options: list = []
    write("Type a question (a number taps a listed option; Ctrl-D or /stop ends).")
    while True:
        try:
            typed = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if typed.strip() == STOP:
            return
        if not typed.strip():
            continue
        message = message_for(typed, options)
        try:
            reply = post(url, sender, message)
        except (OSError, ValueError) as error:  # the typed line stays in the history (arrow up) to resend
            write(f"(no answer from {url}: {error})")
            continue
        lines, options = render(reply)
        for line in lines or ["(no answer)"]:
            write(line)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running bot, e.g. http://localhost:5005 (default: start one)")
    parser.add_argument("--tracker-db", type=Path, default=ROOT / "var" / "shell-tracker.db")
    args = parser.parse_args(argv)
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    if args.url:
        converse(args.url)
        return 0
    sys.path.insert(0, str(ROOT / "scripts"))
    from soak import local_bot

    workdir = ROOT / "var" / "shell"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"starting a bot of its own (about 30 s; logs in {workdir.relative_to(ROOT)}/) …", flush=True)
    try:
        with local_bot(workdir, timeout=1800, tracker_db=args.tracker_db.resolve()) as (url, _):  # slow when busy
            print(f"ready: {url}", flush=True)
            converse(url)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
