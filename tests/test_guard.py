"""channels/guard.py: a turn that produced nothing (action server down) still answers with the general line."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import apology, never_silent


def run_turn(behaviour):
    out = CollectingOutputChannel()

    async def on_new_message(message):
        await behaviour(message)

    asyncio.run(never_silent(on_new_message)(UserMessage("貸款", out, "firm-1")))
    return out.messages


def test_silent_turn_gets_the_apology():
    async def nothing(message):
        return None

    messages = run_turn(nothing)
    assert [m["text"] for m in messages] == [apology()]
    assert "0800-000-257" in apology()


def test_a_crashing_turn_gets_the_apology():
    async def crash(message):
        raise RuntimeError("action server unreachable")

    assert [m["text"] for m in run_turn(crash)] == [apology()]


def test_answered_turn_is_left_alone():
    async def answer(message):
        await message.output_channel.send_response(message.sender_id, {"text": "3,500萬元"})

    assert [m["text"] for m in run_turn(answer)] == ["3,500萬元"]


def test_protected_sets_the_action_timeout(monkeypatch):
    import rasa.core.actions.action as rasa_action

    from channels.guard import DEFAULT_ACTION_TIMEOUT, protected

    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", rasa_action.DEFAULT_REQUEST_TIMEOUT)
    for value, seconds in (
        ("3.5", 3.5),
        (None, DEFAULT_ACTION_TIMEOUT),
        ("soon", DEFAULT_ACTION_TIMEOUT),
        ("0", DEFAULT_ACTION_TIMEOUT),
    ):
        if value is None:
            monkeypatch.delenv("ACTION_TIMEOUT", raising=False)
        else:
            monkeypatch.setenv("ACTION_TIMEOUT", value)
        protected(lambda message: None)
        assert seconds == rasa_action.DEFAULT_REQUEST_TIMEOUT  # what RemoteAction.run passes to the request
    assert DEFAULT_ACTION_TIMEOUT < 60


def test_protected_cleans_limits_and_never_stays_silent(monkeypatch):
    from channels.guard import protected
    from channels.limits import notice

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    seen = []

    async def silent(message):
        seen.append(message.text)

    handler = protected(silent)
    out = CollectingOutputChannel()
    for text in ("\x00貸款\u200b", "again"):
        asyncio.run(handler(UserMessage(text, out, "firm-1")))
    assert seen == ["貸款"]  # cleaned; the second was over the limit
    assert [m["text"] for m in out.messages] == [apology(), notice()]
