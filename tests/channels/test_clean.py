"""channels/clean.py: the text the bot gets from any channel."""

from advisor import MAX_TEXT
from channels.clean import MAX_INPUT_CHARS, clean_text


def test_the_prefix_is_longer_than_what_the_answer_reads():
    # otherwise the answer would not know the message was cut, and could not say so
    assert MAX_INPUT_CHARS > MAX_TEXT
    assert clean_text("字" * 1_000_000) == "字" * MAX_INPUT_CHARS


def test_control_and_invisible_characters_go_line_breaks_stay():
    assert clean_text("\x00貸\x07款\x1b[0m\x7f\x85") == "貸款[0m"
    assert clean_text("a\u200bb\u202ec\u2066d\ufeff") == "abcd"
    assert clean_text("第一行\n第二行\t完") == "第一行\n第二行\t完"
    assert clean_text("\ud800貸款\udfff") == "貸款"
    assert clean_text("中小企業　營業額") == "中小企業　營業額"  # full-width space is text


def test_emoji_html_and_sql_are_left_as_text():
    for text in ("😀👨\u200d👩\u200d👧🙏🏻", "<script>alert(1)</script>", "'; DROP TABLE events; --", "/greet"):
        assert clean_text(text) == text


def test_what_is_not_a_string_is_empty():
    assert [clean_text(v) for v in (None, 5, ["a"], {"a": 1})] == ["", "", "", ""]


def test_dropped_characters_do_not_count_towards_the_prefix():
    assert clean_text("\x00" * 100 + "字" * MAX_INPUT_CHARS) == "字" * MAX_INPUT_CHARS
