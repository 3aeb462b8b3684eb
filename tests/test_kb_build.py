"""The knowledge-base build: tables, validation messages, and the atomic swap."""

import sqlite3

import pytest
import yaml

from knowledge.build import build
from knowledge.schema import KBError
from tests.conftest import ROOT


def test_tables_and_counts(kb_path):
    con = sqlite3.connect(kb_path)
    count = lambda t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: E731
    assert count("hotlines") == 12
    assert count("measures") >= 25
    assert count("package_pillars") == 6
    assert count("package_measures") == 14
    assert con.execute("select count(*) from measures where source is null or source = ''").fetchone()[0] == 0
    assert con.execute("select count(*) from figures where source is null or source = ''").fetchone()[0] == 0
    assert con.execute("select count(*) from criteria where source is null or source = ''").fetchone()[0] == 0


# Public sources besides the deck that a record may cite (the size thresholds come from the regulation itself).
OTHER_SOURCES = ("中小企業認定標準 第2條",)


def test_every_record_cites_the_deck(kb_path):
    con = sqlite3.connect(kb_path)
    for table in ("measures", "hotlines", "figures", "criteria", "dates"):
        sources = [s for (s,) in con.execute(f"select source from {table}")]
        bad = [s for s in sources if not s.startswith("deck › ") and not s.startswith(OTHER_SOURCES)]
        assert not bad, f"{table} has records without a deck or public-source reference: {bad}"


def test_research_subsidy_three_faces_are_linked(kb):
    links = {(a, b) for m in kb.measures() for (b, _) in kb.links(m["id"]) for a in [m["id"]]}
    assert ("coaching_stage3", "rd_transform") in links
    assert ("rd_transform", "rd_transform_managed") in links
    assert ("rd_transform_managed", "rd_transform") in links
    assert [h["number"] for h in kb.hotlines_for("coaching_stage3")] == ["0800-023-800"]
    assert [h["number"] for h in kb.hotlines_for("rd_transform")] == ["02-27089055", "02-27044844"]
    assert [h["number"] for h in kb.hotlines_for("rd_transform_managed")] == ["0800-288-019", "0800-550-010"]


def test_hours_and_general_line(kb):
    general = kb.general_hotline()
    assert (general["number"], general["hours_open"], general["hours_close"]) == ("0800-000-257", "08:30", "18:00")


def test_dates_in_roc_and_ad(kb):
    d = kb.dates("rd_transform")[0]
    assert (d["roc"], d["ad"]) == ("114年8月7日", "2025-08-07")


def test_full_text_search_in_chinese(kb):
    titles = [r["title"] for r in kb.search("保證手續費")]
    assert any("外銷貸款優惠保證加碼" in t for t in titles)
    assert any("0800-089-921" in r["title"] for r in kb.search("信保"))  # 2 characters: LIKE path
    assert kb.search("'; drop table measures; --") == []  # parameterised, no error
    assert kb.search("") == []


def _break(src, filename, mutate):
    path = src / filename
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "filename, mutate, expected",
    [
        (
            "measures.yml",
            lambda d: d["measures"][0]["figures"][0].update(unit="萬"),
            "knowledge/measures.yml: measures[coaching_stage1].figures[gov_share].unit",
        ),
        (
            "measures.yml",
            lambda d: d["measures"][0]["figures"][0].pop("source"),
            "measures[coaching_stage1].figures[gov_share].source: missing",
        ),
        (
            "measures.yml",
            lambda d: d["measures"][1].update(hotlines=["nope"]),
            "measures[coaching_stage2].hotlines: unknown hotline 'nope'",
        ),
        (
            "hotlines.yml",
            lambda d: d["hotlines"][1].update(number="0800-28-280"),
            "knowledge/hotlines.yml: hotlines[mbd].number",
        ),
        (
            "measures.yml",
            lambda d: [m for m in d["measures"] if m["id"] == "sme_loan"][0]["criteria"][0].update(fact="sizes"),
            "measures[sme_loan].criteria[0].fact: unknown fact 'sizes'",
        ),
        (
            "measures.yml",
            lambda d: [m for m in d["measures"] if m["id"] == "rd_transform"][0]["dates"][0].update(ad="2025-08-08"),
            "measures[rd_transform].dates[0].ad",
        ),
        (
            "programs.yml",
            lambda d: d["programs"][0]["pillars"][0]["measures"].append(99),
            "knowledge/programs.yml: programs[package_700].pillars",
        ),
        # behaviour carried by flags, not ids in code: the flags are checked too
        (
            "measures.yml",
            lambda d: [m for m in d["measures"] if m["id"] == "sme_loan"][0]["implied_by"]["facts"].update(sizes="any"),
            "measures[sme_loan].implied_by.sizes: unknown fact",
        ),
        ("programs.yml", lambda d: d["programs"][1].pop("role"), "exactly one program must have role: stages"),
        ("lexicon.yml", lambda d: d["cues"].pop("days_off"), "knowledge/lexicon.yml: cues.days_off: missing"),
    ],
)
def test_malformed_source_names_the_field_and_keeps_the_old_kb(kb_src, tmp_path, filename, mutate, expected):
    db = tmp_path / "kb.sqlite"
    build(kb_src, db, tmp_path / "dict")
    before = db.read_bytes()
    _break(kb_src, filename, mutate)
    with pytest.raises(KBError) as err:
        build(kb_src, db, tmp_path / "dict")
    assert expected in str(err.value)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".kb-*")), "the temporary file is cleaned up"


def test_invalid_yaml_is_reported_with_the_file(kb_src, tmp_path):
    (kb_src / "hotlines.yml").write_text("hotlines: [unclosed", encoding="utf-8")
    with pytest.raises(KBError, match="knowledge/hotlines.yml: not valid YAML"):
        build(kb_src, tmp_path / "kb.sqlite", tmp_path / "dict")


def test_dictionary_holds_names_and_lexicon(kb_path):
    words = {
        line.split()[0] for line in (kb_path.parent / "dict" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    }
    for w in ("中小微企業", "輸美實績", "出進口廠商登記", "納管工廠", "特定工廠", "稅籍登記", "營業額", "研發轉型補助"):
        assert w in words
    # phrases the reader matches but jieba must not cut sentences by (lexicon not_in_dictionary)
    lexicon = yaml.safe_load((ROOT / "knowledge" / "lexicon.yml").read_text(encoding="utf-8"))
    kept_out = set(lexicon["not_in_dictionary"])
    assert {"保證跟", "好一點"} <= kept_out and not kept_out & words
    assert "保證成數" in words  # the rest of the aspect words stay whole tokens
