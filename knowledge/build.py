"""Build knowledge/kb.sqlite (and jieba's user dictionary) from the YAML sources.

    python -m knowledge.build [--db PATH] [--dict-dir DIR] [--src DIR]

The sources are validated first; any problem stops the build with a message naming file, record and field.
The database is written to a temporary file and moved over the old one only on success, so a bad edit never
breaks the knowledge base a running bot is reading.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import sqlite_utils
import yaml

from knowledge.render import figure_text
from knowledge.schema import KBError, validate

HERE = Path(__file__).resolve().parent
# libyaml's parser when PyYAML has it (it does in the pinned wheel): the same safe constructors and the same
# documents, 20x faster, which the staff editor needs as it validates the whole set on every save
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SOURCES = ("hotlines.yml", "measures.yml", "programs.yml", "lexicon.yml", "messages.yml")


def parse_sources(texts: dict) -> dict:
    """file name -> text (None: missing) to file name -> parsed YAML; the staff editor's drafts come this way."""
    out = {}
    for name in SOURCES:
        if texts.get(name) is None:
            raise KBError(f"knowledge/{name}: file missing")
        try:
            out[name] = yaml.load(texts[name], Loader=LOADER)
        except yaml.YAMLError as e:
            raise KBError(f"knowledge/{name}: not valid YAML: {e}") from None
    return out


def read_sources(src: Path) -> dict:
    return {n: (src / n).read_text(encoding="utf-8") if (src / n).exists() else None for n in SOURCES}


def load_sources(src: Path) -> dict:
    return parse_sources(read_sources(src))


def _figure_rows(owner: str, figures: list) -> list:
    rows = []
    for pos, f in enumerate(figures or []):
        rows.append(
            {
                "owner_id": owner,
                "key": f["key"],
                "position": pos,
                "aspect": f.get("aspect", "overview"),
                "label": f["label"],
                "value": float(f["value"]),
                "value_min": f.get("value_min"),
                "unit": f["unit"],
                "qualifier": f.get("qualifier"),
                "condition": f.get("condition"),
                "when_json": json.dumps(f["when"], ensure_ascii=False) if f.get("when") else None,
                "months": f.get("months"),
                "hotline_id": f.get("hotline"),
                "text": figure_text(f),
                "source": f["source"],
            }
        )
    return rows


def build_db(sources: dict, path: Path) -> None:
    db = sqlite_utils.Database(path)
    hot = sources["hotlines.yml"]["hotlines"]
    db["hotlines"].insert_all(
        (
            {
                "id": h["id"],
                "number": h["number"],
                "digits": h["number"].replace("-", ""),
                "name": h["name"],
                "handles": h["handles"],
                "hours_open": (h.get("hours") or {}).get("open"),
                "hours_close": (h.get("hours") or {}).get("close"),
                "hours_text": (h.get("hours") or {}).get("text"),
                "general": bool(h.get("general")),
                "review_by": h.get("review_by"),
                "button": h.get("button") or h["name"],
                "source": h["source"],
            }
            for h in hot
        ),
        pk="id",
    )

    measures = sources["measures.yml"]["measures"]
    db["measures"].insert_all(
        (
            {
                "id": m["id"],
                "name": m["name"],
                "short_name": m["short_name"],
                "agency": m["agency"],
                "family": m["family"],
                "program_id": m.get("program"),
                "stage": m.get("stage"),
                "package_measure": m.get("package_measure"),
                "summary": m["summary"],
                "application": m.get("application"),
                "source": m["source"],
                "implied_by_json": json.dumps(m["implied_by"]) if m.get("implied_by") else None,
                "status_json": json.dumps(m["status"], ensure_ascii=False) if m.get("status") else None,
                "review_by": m.get("review_by"),
            }
            for m in measures
        ),
        pk="id",
    )
    db["aliases"].insert_all(
        (
            {"measure_id": m["id"], "alias": a}
            for m in measures
            for a in dict.fromkeys([m["name"], m["short_name"], *m["aliases"]])
        ),
        foreign_keys=[("measure_id", "measures", "id")],
    )
    db["measure_hotlines"].insert_all(
        ({"measure_id": m["id"], "hotline_id": h, "rank": r} for m in measures for r, h in enumerate(m["hotlines"])),
        pk=("measure_id", "hotline_id"),
        foreign_keys=[("measure_id", "measures", "id"), ("hotline_id", "hotlines", "id")],
    )
    db["links"].insert_all(
        (
            {"from_id": m["id"], "to_id": ln["to"], "relation": ln["relation"]}
            for m in measures
            for ln in m.get("links") or []
        ),
        foreign_keys=[("from_id", "measures", "id"), ("to_id", "measures", "id")],
    )
    db["criteria"].insert_all(
        (
            {
                "measure_id": m["id"],
                "position": i,
                "fact": c["fact"],
                "op": c["op"],
                "value_json": json.dumps(c["value"], ensure_ascii=False),
                "kind": c.get("kind", "check"),
                "text": c["text"],
                "periods_id": c.get("periods"),
                "source": c["source"],
            }
            for m in measures
            for i, c in enumerate(m.get("criteria") or [])
        ),
        foreign_keys=[("measure_id", "measures", "id")],
    )
    db["dates"].insert_all(
        (
            {
                "measure_id": m["id"],
                **{k: d[k] for k in ("key", "roc", "ad", "text", "source")},
                "aspect": d.get("aspect", "application"),
            }
            for m in measures
            for d in m.get("dates") or []
        ),
        foreign_keys=[("measure_id", "measures", "id")],
    )
    db["items"].insert_all(
        (
            {"measure_id": m["id"], "kind": kind, "position": i, "text": t}
            for m in measures
            for kind in ("items", "services")
            for i, t in enumerate(m.get(kind) or [])
        ),
        foreign_keys=[("measure_id", "measures", "id")],
    )
    db["notes"].insert_all(
        (
            {"measure_id": m["id"], "aspect": n["aspect"], "text": n["text"]}
            for m in measures
            for n in m.get("notes") or []
        ),
        foreign_keys=[("measure_id", "measures", "id")],
    )
    fig_rows = [r for m in measures for r in _figure_rows(m["id"], m.get("figures"))]

    progs = sources["programs.yml"]
    db["programs"].insert_all(
        (
            {"id": p["id"], "name": p["name"], "summary": p["summary"], "role": p.get("role"), "source": p["source"]}
            for p in progs["programs"]
        ),
        pk="id",
    )
    db["program_hotlines"].insert_all(
        (
            {"program_id": p["id"], "hotline_id": h, "rank": r}
            for p in progs["programs"]
            for r, h in enumerate(p.get("hotlines") or [])
        )
    )
    for p in progs["programs"]:
        fig_rows += _figure_rows(p["id"], p.get("figures"))
    by_number = {m["package_measure"]: m["id"] for m in measures if m.get("package_measure")}
    db["package_pillars"].insert_all(
        (
            {"program_id": p["id"], "id": a["id"], "name": a["name"], "position": i}
            for p in progs["programs"]
            for i, a in enumerate(p.get("pillars") or [])
        ),
        pk="id",
    )
    db["package_measures"].insert_all(
        (
            {"pillar_id": a["id"], "number": n, "measure_id": by_number[n]}
            for p in progs["programs"]
            for a in p.get("pillars") or []
            for n in a["measures"]
        ),
        pk="number",
        foreign_keys=[("measure_id", "measures", "id")],
    )
    db["periods"].insert_all(
        (
            {"group_id": per["id"], "position": i, **item, "source": per["source"]}
            for per in progs.get("periods") or []
            for i, item in enumerate(per["items"])
        )
    )
    db["figures"].insert_all(fig_rows)

    lex = sources["lexicon.yml"]
    lex_rows = [
        {"kind": "aspect", "key": a, "value": None, "phrase": w} for a, words in lex["aspects"].items() for w in words
    ]
    lex_rows += [
        {"kind": "fact", "key": fact, "value": json.dumps(value), "phrase": w}
        for fact, values in lex["facts"].items()
        for value, words in values.items()
        for w in words
    ]
    lex_rows += [{"kind": "negation", "key": "negation", "value": None, "phrase": w} for w in lex["negations"]]
    lex_rows += [{"kind": "asked", "key": "asked", "value": None, "phrase": w} for w in lex.get("asked") or []]
    lex_rows += [
        {"kind": "revenue", "key": k, "value": None, "phrase": w}
        for k, words in lex["revenue"].items()
        if k != "flat"
        for w in words
    ]
    lex_rows += [
        {"kind": "revenue_flat", "key": "flat", "value": None, "phrase": w} for w in lex["revenue"].get("flat") or []
    ]
    lex_rows += [
        {"kind": "topic", "key": t, "value": json.dumps(spec["measures"]), "phrase": w}
        for t, spec in (lex.get("topics") or {}).items()
        for w in spec["words"]
    ]
    lex_rows += [{"kind": "hotline", "key": h["id"], "value": None, "phrase": w} for h in hot for w in h["aliases"]]
    lex_rows += [
        {"kind": "out_of_scope", "key": key, "value": None, "phrase": w}
        for key, words in (
            ("out_of_scope", lex.get("out_of_scope")),
            ("task", lex.get("bot_tasks")),
            ("act", lex.get("bot_acts")),
        )
        for w in words or []
    ]
    lex_rows += [{"kind": "budget", "key": "budget", "value": None, "phrase": w} for w in lex.get("budget") or []]
    lex_rows += [
        {"kind": "about_bot", "key": "about_bot", "value": None, "phrase": w} for w in lex.get("about_bot") or []
    ]
    lex_rows += [
        {"kind": "typo", "key": "typo", "value": right, "phrase": wrong}
        for wrong, right in (lex.get("typos") or {}).items()
    ]
    lex_rows += [
        {"kind": "third_party", "key": "third_party", "value": None, "phrase": w} for w in lex.get("third_party") or []
    ]
    lex_rows += [
        {"kind": kind, "key": mid, "value": None, "phrase": str(w)}
        for kind in ("described", "stage_words")
        for mid, words in (lex.get(kind) or {}).items()
        for w in words
    ]
    lex_rows += [
        {"kind": "cue", "key": cue, "value": None, "phrase": str(w)}
        for cue, words in (lex.get("cues") or {}).items()
        for w in words
    ]
    lex_rows += [
        {"kind": "sums", "key": key, "value": None, "phrase": str(w)}
        for key, words in (lex.get("sums") or {}).items()
        for w in words
    ]
    db["lexicon"].insert_all(lex_rows)
    db["messages"].insert_all(({"key": k, "text": v} for k, v in sources["messages.yml"]["messages"].items()), pk="key")

    # One searchable row per measure, figure and hotline. The trigram tokenizer indexes any 3-character
    # sequence, which suits Chinese without a word segmenter (shorter queries fall back to LIKE in the query module).
    search = [
        {
            "kind": "measure",
            "ref": m["id"],
            "title": m["name"],
            "body": " ".join([m["summary"], *m["aliases"], *(m.get("items") or []), *(m.get("services") or [])]),
            "source": m["source"],
        }
        for m in measures
    ]
    names = {m["id"]: m["short_name"] for m in measures} | {p["id"]: p["name"] for p in progs["programs"]}
    search += [
        {
            "kind": "figure",
            "ref": r["owner_id"],
            "title": f"{names[r['owner_id']]}｜{r['label']}",
            "body": r["text"],
            "source": r["source"],
        }
        for r in fig_rows
    ]
    search += [
        {
            "kind": "criterion",
            "ref": m["id"],
            "title": f"{m['short_name']}｜申請資格",
            "body": c["text"],
            "source": c["source"],
        }
        for m in measures
        for c in m.get("criteria") or []
    ]
    search += [
        {
            "kind": "hotline",
            "ref": h["id"],
            "title": f"{h['name']} {h['number']}",
            "body": " ".join(filter(None, [h["handles"], (h.get("hours") or {}).get("text")])),
            "source": h["source"],
        }
        for h in hot
    ]
    db["search"].insert_all(search)
    db["search"].enable_fts(["title", "body"], tokenize="trigram", create_triggers=False)
    deck = progs["deck"]
    db["deck"].insert(
        {"title": deck["title"], "date": deck["date"], "roc": deck.get("roc") or "", "source": deck["source"]}
    )
    db["build_info"].insert({"sources": json.dumps(list(SOURCES)), "measures": len(measures), "hotlines": len(hot)})
    db.close()


def write_dictionary(sources: dict, dict_dir: Path, extra: Path) -> Path:
    """jieba user dictionary: every name, alias and lexicon phrase, so they stay whole tokens."""
    words = set()
    for m in sources["measures.yml"]["measures"]:
        words.update([m["short_name"], m["agency"], *m["aliases"]])
    for h in sources["hotlines.yml"]["hotlines"]:
        words.update(h["aliases"])
    for spec in (sources["lexicon.yml"].get("topics") or {}).values():
        words.update(spec["words"])
    lex = sources["lexicon.yml"]
    for group in lex["aspects"].values():
        words.update(group)
    for values in lex["facts"].values():
        for group in values.values():
            words.update(group)
    for group in lex["revenue"].values():
        words.update(group)
    # phrases the reader matches but jieba must not take as words: they would split common sentences differently
    # from the training data's (「保證跟利率」, 「好一點」) and cost DIET held-out F1
    words -= set(lex.get("not_in_dictionary") or [])
    if extra.exists():
        words.update(
            w.strip() for w in extra.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")
        )
    # jieba splits user words on spaces; words with spaces (SME loan) are left to the tokenizer.
    words = sorted(w for w in words if " " not in w and len(w) > 1)
    dict_dir.mkdir(parents=True, exist_ok=True)
    out = dict_dir / "userdict.txt"
    out.write_text("".join(f"{w} 2000 n\n" for w in words), encoding="utf-8")
    return out


def build(src: Path = HERE, db_path: Path = HERE / "kb.sqlite", dict_dir: Path = HERE / "dict") -> Path:
    sources = load_sources(src)
    validate(sources)
    fd, tmp = tempfile.mkstemp(prefix=".kb-", suffix=".sqlite", dir=db_path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        build_db(sources, Path(tmp))
        os.replace(tmp, db_path)  # atomic on POSIX: readers see the old file or the new one, never half of one
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    write_dictionary(sources, dict_dir, src / "userdict_extra.txt")
    return db_path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=HERE)
    ap.add_argument("--db", type=Path, default=HERE / "kb.sqlite")
    ap.add_argument("--dict-dir", type=Path, default=HERE / "dict")
    args = ap.parse_args(argv)
    try:
        path = build(args.src, args.db, args.dict_dir)
    except KBError as e:
        print(e, file=sys.stderr)
        return 1
    db = sqlite_utils.Database(path)
    print(f"built {path}: " + ", ".join(f"{t} {db[t].count}" for t in ("measures", "hotlines", "figures", "criteria")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
