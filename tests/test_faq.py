"""FAQ checks (tests/faq.yml) through the trained NLU model and the answer composer: the path a message takes
in the live bot, minus the HTTP hops. Needs the model that `make test` trains first."""

import asyncio
import os
import re

import pytest
import yaml

from advisor import State, UserMessage, compose
from tests.conftest import ROOT

MODEL = ROOT / "models" / "current-config.tar.gz"
CASES = yaml.safe_load((ROOT / "tests" / "faq.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def agent():
    if not MODEL.exists():
        if os.environ.get("CI"):
            pytest.fail("models/current-config.tar.gz is missing: `make test` trains it before pytest")
        pytest.skip("no trained model: run `make train` first")
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def parse(agent, text):
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("case", CASES, ids=[" / ".join(c["turns"]) for c in CASES])
def test_faq(agent, kb, case):
    state = State()
    for text in case["turns"]:
        msg = parse(agent, text)
        turn = UserMessage(
            text=text,
            intent=msg["intent"]["name"],
            confidence=msg["intent"]["confidence"],
            entities=msg.get("entities", []),
            ranking=msg.get("intent_ranking", []),
        )
        reply = compose(kb, turn, state)
        assert len(reply.messages) <= 3, [m["text"] for m in reply.messages]  # issue 13: at most three a turn
        assert not [m for m in reply.messages if "\n\n" in m["text"]]  # Rasa's channels split at a blank line
        state = reply.state
    body = "\n".join(m["text"] for m in reply.messages)
    for fact in case.get("contains", []):
        assert fact in body, f"{fact!r} missing (intent {turn.intent}):\n{body}"
    for number in case.get("hotlines", []):
        assert number in body, f"{number} missing (intent {turn.intent}):\n{body}"
    assert len(set(re.findall(r"0800-\d{3}-\d{3}|0\d-\d{8}", body))) <= 3


def test_parse_keeps_number_entities(agent):
    msg = parse(agent, "營業額掉了一成五，想借一千萬")
    found = {(e["entity"], e["value"]) for e in msg["entities"] if e.get("extractor") == "NumberExtractor"}
    assert ("revenue_change", -15) in found and ("amount", 1000) in found
