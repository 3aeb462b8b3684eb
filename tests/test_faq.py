"""FAQ checks (tests/faq.yml) through the trained NLU model and the answer composer: the parse of the
session's live bot (Rasa's /model/parse), the composer called here. Needs the model `make test` trains first."""

import json
import re

import pytest
import yaml

from advisor import State, UserMessage, compose
from tests.conftest import ROOT

CASES = yaml.safe_load((ROOT / "tests" / "faq.yml").read_text(encoding="utf-8"))


def parse(bot, text):
    """The trained model's parse, from the session's live bot (Rasa's /model/parse): one model load for the
    live tests and these."""
    status, _, body = bot.post(json.dumps({"text": text}).encode(), "/model/parse")
    assert status == 200, body
    return json.loads(body)


def say(bot, kb, state, text):
    """One turn as the bot takes it: the live model's parse, then the composer. (reply, the message read)"""
    msg = parse(bot, text)
    turn = UserMessage(
        text=text,
        intent=msg["intent"]["name"],
        confidence=msg["intent"]["confidence"],
        entities=msg.get("entities", []),
        ranking=msg.get("intent_ranking", []),
    )
    return compose(kb, turn, state), turn


@pytest.mark.parametrize("case", CASES, ids=[" / ".join(c["turns"]) for c in CASES])
def test_faq(live_bot, kb, case):
    state = State()
    for text in case["turns"]:
        reply, turn = say(live_bot, kb, state, text)
        assert len(reply.messages) <= 3, [m["text"] for m in reply.messages]  # issue 13: at most three a turn
        assert not [m for m in reply.messages if "\n\n" in m["text"]]  # Rasa's channels split at a blank line
        state = reply.state
    body = "\n".join(m["text"] for m in reply.messages)
    for fact in case.get("contains", []):
        assert fact in body, f"{fact!r} missing (intent {turn.intent}):\n{body}"
    for number in case.get("hotlines", []):
        assert number in body, f"{number} missing (intent {turn.intent}):\n{body}"
    assert len(set(re.findall(r"0800-\d{3}-\d{3}|0\d-\d{8}", body))) <= 3


def test_parse_keeps_number_entities(live_bot):
    msg = parse(live_bot, "營業額掉了一成五，想借一千萬")
    found = {(e["entity"], e["value"]) for e in msg["entities"] if e.get("extractor") == "NumberExtractor"}
    assert ("revenue_change", -15) in found and ("amount", 1000) in found
