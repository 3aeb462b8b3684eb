"""Validation parity: for each broken record, the editor reports exactly the lines `make kb` prints for the same
files (`file: record.field: problem`), the record's own beside its fields, and refuses the save."""

from __future__ import annotations

import contextlib
import copy
import io
import shutil
import subprocess
import sys

import pytest

from kbedit.draft import Draft, record_hash
from kbedit.editing import Editor
from kbedit.store import Store
from knowledge import build
from tests.conftest import ROOT
from tests.kbedit.conftest import meta

REPO = Draft.from_dir(ROOT / "knowledge")


def _fig(rec, key):
    return next(f for f in rec["figures"] if f["key"] == key)


def _m(fn):
    def mutate(rec):
        rec = copy.deepcopy(rec)
        fn(rec)
        return rec

    return mutate


M, H = "measures.yml", "hotlines.yml"
BROKEN = {
    "summary missing": (M, "sme_loan", _m(lambda r: r.pop("summary"))),
    "source empty": (M, "sme_loan", _m(lambda r: r.update(source=""))),
    "figure value not a number": (M, "sme_loan", _m(lambda r: _fig(r, "loan_cap").update(value="三千五百萬"))),
    "figure unit unknown": (M, "sme_loan", _m(lambda r: _fig(r, "loan_cap").update(unit="萬"))),
    "figure aspect unknown": (M, "sme_loan", _m(lambda r: _fig(r, "loan_cap").update(aspect="cap"))),
    "figure value_min above value": (M, "sme_loan", _m(lambda r: _fig(r, "loan_cap").update(value_min=5000))),
    "figure hotline unknown": (M, "sme_loan", _m(lambda r: _fig(r, "loan_cap").update(hotline="nobody"))),
    "figure when fact unknown": (M, "sme_loan", _m(lambda r: _fig(r, "rate_cut").update(when={"color": {"eq": 1}}))),
    "figure without source": (M, "sme_loan", _m(lambda r: _fig(r, "rate").pop("source"))),
    "figure key twice": (M, "sme_loan", _m(lambda r: _fig(r, "rate").update(key="loan_cap"))),
    "figure field typo": (M, "sme_loan", _m(lambda r: _fig(r, "rate").update(vaule=3))),
    "hotline id unknown": (M, "sme_loan", _m(lambda r: r.update(hotlines=["mbd", "nobody"]))),
    "family unknown": (M, "sme_loan", _m(lambda r: r.update(family="loans"))),
    "criterion operator": (M, "sme_loan", _m(lambda r: r["criteria"][0].update(op="between"))),
    "criterion value": (M, "sme_loan", _m(lambda r: r["criteria"][0].update(value=["huge"]))),
    "date roc": (M, "rd_transform", _m(lambda r: r["dates"][0].update(roc="2025/8/7"))),
    "date ad mismatch": (M, "rd_transform", _m(lambda r: r["dates"][0].update(ad="2025-08-08"))),
    "status state": (
        M,
        "sme_loan",
        _m(lambda r: r.update(status={"state": "paused", "ad": "2026-05-01", "source": "x"})),
    ),
    "superseded without by": (
        M,
        "sme_loan",
        _m(lambda r: r.update(status={"state": "superseded", "ad": "2026-05-01", "source": "x"})),
    ),
    "status without source": (M, "sme_loan", _m(lambda r: r.update(status={"state": "closed", "ad": "2026-5-1"}))),
    "review_by": (M, "sme_loan", _m(lambda r: r.update(review_by="明年"))),
    "link to unknown measure": (M, "rd_transform", _m(lambda r: r["links"][0].update(to="nothing"))),
    "unknown measure field": (M, "sme_loan", _m(lambda r: r.update(deadline="2026-01-01"))),
    "package number (programs.yml)": (M, "sme_loan", _m(lambda r: r.update(package_measure=99))),
    "hotline number": (H, "mbd", _m(lambda r: r.update(number="0800280280"))),
    "hotline number twice": (H, "mbd", _m(lambda r: r.update(number="0800-000-257"))),
    "hotline hours": (H, "center", _m(lambda r: r["hours"].update(open="8:30"))),
    "hotline without source": (H, "mbd", _m(lambda r: r.pop("source"))),
    "hotline review_by": (H, "mbd", _m(lambda r: r.update(review_by="2026-13-01x"))),
}


def make_kb_lines(draft: Draft, tmp_path) -> list:
    """What `python -m knowledge.build` (the recipe of `make kb`) prints for these files, one problem a line."""
    src = tmp_path / "src"
    draft.write_dir(src)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = build.main(["--src", str(src), "--db", str(tmp_path / "kb.sqlite"), "--dict-dir", str(tmp_path / "d")])
    assert code == 1
    return [line.strip() for line in err.getvalue().splitlines()[1:] if line.strip()]


@pytest.fixture(scope="module")
def editor(tmp_path_factory, kb_path):
    """One editor for every case: a refused save changes nothing, so the cases cannot disturb each other."""
    live = tmp_path_factory.mktemp("parity")
    shutil.copy(kb_path, live / "kb.sqlite")
    store = Store(f"sqlite:///{live / 'kb-versions.db'}")
    return Editor(store, live / "kb.sqlite", live / "dict", ROOT / "knowledge")


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_editor_reports_what_make_kb_reports(name, tmp_path, editor):
    file, rid, mutate = BROKEN[name]
    before = REPO.record(file, rid)
    broken = mutate(before)
    expected = make_kb_lines(REPO.put(file, rid, broken), tmp_path)
    assert expected, "the mutation must break make kb"

    result = editor.save(file, rid, broken, record_hash(before), meta(), "edit")
    assert not result.saved
    beside = [
        f"knowledge/{file}: {file.split('.')[0]}[{rid}]{'.' + w if w else ''}: {p}"
        for w, ps in result.field_problems.items()
        for p in ps
    ]
    assert sorted(beside + [str(p) for p in result.other_problems]) == sorted(expected)
    if name != "package number (programs.yml)":
        assert result.field_problems, "the record's own problem is shown beside its field"
    assert editor.draft().record(file, rid) == before, "nothing saved"


def test_make_kb_itself_agrees(tmp_path):
    """One case through the real command line, not only its main(): the same lines on stderr, exit 1."""
    file, rid, mutate = BROKEN["figure value not a number"]
    draft = REPO.put(file, rid, mutate(REPO.record(file, rid)))
    draft.write_dir(tmp_path / "src")
    out = subprocess.run(
        [sys.executable, "-m", "knowledge.build", "--src", str(tmp_path / "src"), "--db", str(tmp_path / "k.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    lines = [line.strip() for line in out.stderr.splitlines()[1:] if line.strip()]
    assert lines == [str(p) for p in draft.problems()]
    assert lines == [
        "knowledge/measures.yml: measures[sme_loan].figures[loan_cap].value: expected int or float, got '三千五百萬'"
    ]


def test_the_repository_sources_are_valid():
    assert REPO.problems() == []
