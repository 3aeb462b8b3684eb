"""Search groups its hits by measure: one card each, the figures that matched, the hotline once, no alias prose."""

from __future__ import annotations

from staff import lookup


def _cards(kb, q):
    return {(c["kind"], c["ref"]): c for c in lookup.search(kb, q)}


def test_guarantee_gives_one_card_per_measure(kb):
    cards = lookup.search(kb, "保證")
    refs = [c["ref"] for c in cards if c["kind"] == "measure"]
    assert refs[:2] == ["export_loan_guarantee", "sme_loan"] and len(refs) == len(set(refs))
    by_ref = {c["ref"]: c for c in cards}
    export = by_ref["export_loan_guarantee"]
    texts = [x["text"] for x in export["lines"]]
    assert "保證成數：中小微企業 9.5成" in texts and "保證額度：中小微企業 每家6,000萬元" in texts
    # a figure matched only through the measure's name in its title is not a match of its own
    assert not any("輸美實績期間" in t or "營業額減少門檻" in t for t in texts)
    assert all(x["source"].startswith("deck") for x in export["lines"])
    assert [h["number"] for h in export["hotlines"]] == ["0800-280-280", "0800-089-921"]
    sme = by_ref["sme_loan"]
    assert [x["text"] for x in sme["lines"]] == [
        "保證成數：貸款額度100萬元以內 一律10成",
        "保證成數：貸款額度逾100萬元 最低9成",
    ]


def test_aliases_are_tags_of_what_matched_never_prose(kb):
    export = _cards(kb, "保證")[("measure", "export_loan_guarantee")]
    assert export["summary"] == kb.measure("export_loan_guarantee")["summary"]
    assert "外銷保證" in export["aliases"] and "export loan" not in export["aliases"]
    assert all("保證" in a for a in export["aliases"])
    assert _cards(kb, "export")[("measure", "export_loan_guarantee")]["aliases"] == [
        "export loan guarantee",
        "export loan",
    ]


def test_hotline_hits_are_their_own_cards(kb):
    cards = _cards(kb, "信保")
    assert list(cards) == [("hotline", "smeg")] and cards[("hotline", "smeg")]["hotline"]["number"] == "0800-089-921"


def test_several_words_must_all_appear(kb):
    cards = lookup.search(kb, "納管 300萬")
    assert [c["ref"] for c in cards] == ["rd_transform_managed"]
    assert [x["text"] for x in cards[0]["lines"]] == ["個案補助：限中小企業 300萬元"]


def test_program_figures_group_under_the_program(kb):
    card = _cards(kb, "700億")[("program", "package_700")]
    assert card["kind"] == "program" and card["title"] == kb.program("package_700")["name"]
    assert [x["text"] for x in card["lines"]] == ["總額：700億元"]


def test_csv_one_row_per_card(kb):
    rows = lookup.csv_rows(lookup.search(kb, "保證"))
    assert len(rows) == len(lookup.search(kb, "保證"))
    assert rows[0]["title"] == "外銷貸款優惠保證加碼" and "9.5成" in rows[0]["lines"]
    assert "export loan" not in rows[0]["lines"]
