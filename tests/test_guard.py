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
