"""action_answer with Rasa's dispatcher and tracker (the style of RasaHQ's demo bots)."""

import asyncio

from actions.actions import ActionAnswer


def run(action, dispatcher, tracker, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def test_answers_and_sets_slots(dispatcher, tracker_for, domain, monkeypatch, kb):
    monkeypatch.setattr("actions.actions.default_kb", lambda: kb)
    tracker = tracker_for(
        "營業額掉了15%", "inform", entities=[{"entity": "revenue_change", "value": -15}], slots={"size": "sme"}
    )
    events = run(ActionAnswer(), dispatcher, tracker, domain)
    text = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "3,500萬元" in text and "0800-280-280" in text
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["revenue_change"] == -15 and slots["focus_measures"][0] == "sme_loan"
    # a slot that did not change is not set again (each event is stored and replayed at every later turn); the
    # turn's answer record is, every turn: the staff review reads one per turn
    assert "size" not in slots and "asked_questions" not in slots and "focus_hotlines" not in slots
    assert {"answer_kind", "answered_measures", "answered_hotlines"} <= set(slots)
    assert any(b.get("url") == "tel:0800280280" for m in dispatcher.messages for b in m["buttons"])


def test_the_first_message_says_what_the_answer_states(dispatcher, tracker_for, domain, monkeypatch, kb):
    """issue 18: the staff review ranks answers stating figures or eligibility from the bot event's metadata
    (Rasa keeps the extra key in the event's metadata; the channels do not send it)."""
    monkeypatch.setattr("actions.actions.default_kb", lambda: kb)
    tracker = tracker_for(
        "營業額掉了15%", "inform", entities=[{"entity": "revenue_change", "value": -15}], slots={"size": "sme"}
    )
    run(ActionAnswer(), dispatcher, tracker, domain)
    stated = dispatcher.messages[0]["reply_meta"]["stated"]
    assert {"figure", "status"} <= set(stated) and stated == sorted(stated)
    assert all("reply_meta" not in m for m in dispatcher.messages[1:])
    dispatcher.messages.clear()
    run(ActionAnswer(), dispatcher, tracker_for("你好", "greet"), domain)
    assert not {"figure", "status"} & set(dispatcher.messages[0]["reply_meta"]["stated"])


def test_follow_up_uses_focus_slot(dispatcher, tracker_for, domain, monkeypatch, kb):
    monkeypatch.setattr("actions.actions.default_kb", lambda: kb)
    tracker = tracker_for("電話呢", "ask_hotline", slots={"focus_measures": ["overseas_orders"]})
    run(ActionAnswer(), dispatcher, tracker, domain)
    assert "0800-235-855" in " ".join(m["text"] or "" for m in dispatcher.messages)


def test_a_follow_up_to_a_clarify_is_read_with_the_message_before(dispatcher, tracker_for, domain, monkeypatch, kb):
    """The composer gets the firm's previous message from the tracker's events (advisor State.previous_text)."""
    from actions.actions import state_from

    said = [{"event": "user", "text": t} for t in ("工廠的冷氣跟空壓機好耗電", "怎麼申請")]
    tracker = tracker_for("怎麼申請", "ask_application", slots={"fallback_stage": 1.0}, events=said)
    assert state_from(tracker).previous_text == "工廠的冷氣跟空壓機好耗電"
    assert state_from(tracker_for("怎麼申請", events=said[1:])).previous_text == ""


def test_missing_kb_gives_the_general_line(dispatcher, tracker_for, domain, monkeypatch, tmp_path, kb):
    from knowledge.kb import KB

    monkeypatch.setattr("actions.actions.default_kb", lambda: KB(tmp_path / "missing.sqlite"))
    run(ActionAnswer(), dispatcher, tracker_for("貸款"), domain)
    general = kb.general_hotline()
    text = dispatcher.messages[0]["text"]
    assert "資料庫暫時無法讀取" in text and general["number"] in text and general["hours_text"] in text


def test_domain_writes_no_text_by_hand(domain):
    assert not domain.get("responses")


def test_every_slot_the_action_sets_is_in_the_domain(domain):
    from knowledge.registry import FACT_SLOTS

    for slot in (
        *FACT_SLOTS,
        "focus_measures",
        "focus_aspects",
        "asked_questions",
        "fallback_stage",
        "answer_kind",
        "answered_measures",
        "answered_hotlines",
        "handoff_stage",
    ):
        assert slot in domain["slots"]
