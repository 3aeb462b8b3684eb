"""Every SQL statement the bot and its tools run is fixed text with `?` (or SQLAlchemy's `:name`) placeholders: what
a firm types can only ever be a parameter, never part of the SQL. Checked on the source (the SQL argument of every
execute() and _rows() call must be built from string literals only), and by typing SQL at the knowledge base."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SQL_MODULES = [
    "knowledge/kb.py",
    "staff/review.py",
    "staff/dashboard.py",
    "scripts/purge.py",
    "kbedit/publish.py",
    "kbedit/preview.py",
]
EXECUTE = {"execute", "executemany", "executescript"}
WRAPPERS = {"_rows"}  # knowledge/kb.py: _rows(con, sql, *args) runs con.execute(sql, args)


def _function_of(tree: ast.AST, node: ast.AST) -> ast.AST:
    best = tree
    for candidate in ast.walk(tree):
        if (
            isinstance(candidate, (ast.FunctionDef, ast.AsyncFunctionDef))
            and candidate.lineno <= node.lineno <= candidate.end_lineno
        ):
            best = candidate  # walk() goes outside in: the last match is the innermost function
    return best


def _static(expr: ast.AST, scope: ast.AST, seen: frozenset = frozenset()) -> bool:
    """Whether expr is built from string literals only (names followed to their assignments in scope)."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _static(expr.left, scope, seen) and _static(expr.right, scope, seen)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return all(_static(e, scope, seen) for e in expr.elts)
    if isinstance(expr, ast.Call) and getattr(expr.func, "attr", None) == "text" and len(expr.args) == 1:
        return _static(expr.args[0], scope, seen)  # SQLAlchemy's sa.text(…): bound parameters, as `?`
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "join":
        return _static(expr.func.value, scope, seen) and all(_static(a, scope, seen) for a in expr.args)
    if isinstance(expr, ast.Name) and expr.id not in seen:
        seen = seen | {expr.id}
        values = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
                values.append(node.value)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Tuple) and any(isinstance(e, ast.Name) and e.id == expr.id for e in t.elts)
                for t in node.targets
            ):
                if not isinstance(node.value, ast.Tuple):
                    return False
                for target in node.targets:
                    for e, v in zip(target.elts, node.value.elts):
                        if isinstance(e, ast.Name) and e.id == expr.id:
                            values.append(v)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == expr.id:
                values.append(node.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "extend")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == expr.id
            ):
                values.extend(node.args)
        return bool(values) and all(_static(v, scope, seen) for v in values)
    return False  # f-strings, %, .format(), calls, attributes: anything that could carry input


def sql_calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE and node.args:
            yield tree, node, node.args[0]
        elif isinstance(node.func, ast.Name) and node.func.id == "_rows" and len(node.args) >= 2:
            yield tree, node, node.args[1]


@pytest.mark.parametrize("module", SQL_MODULES)
def test_sql_is_literal_text(module):
    path = ROOT / module
    calls = list(sql_calls(path))
    assert calls, f"{module} runs no SQL any more: update SQL_MODULES"
    for tree, call, sql in calls:
        scope = _function_of(tree, call)
        if (
            getattr(scope, "name", None) in WRAPPERS
            and isinstance(sql, ast.Name)
            and sql.id in [a.arg for a in scope.args.args]
        ):
            continue  # the wrapper passes its caller's SQL on: the calls of the wrapper are checked
        assert _static(sql, scope), (
            f"{module}:{call.lineno}: the SQL is not built from literals only: {ast.unparse(sql)}"
        )


def test_the_check_catches_formatted_sql():
    source = """
def bad(con, name):
    con.execute(f"select * from measures where name = '{name}'")
def bad2(con, name):
    sql = "select * from measures where name = '%s'" % name
    con.execute(sql)
def bad3(con, name):
    where = []
    where.append("name = " + name)
    con.execute("select * from t where " + " and ".join(where))
def good(con, name):
    sql = "select * from measures"
    sql += " where name = ?"
    con.execute(sql, (name,))
"""
    tree = ast.parse(source)
    verdicts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "execute":
            verdicts[_function_of(tree, node).name] = _static(node.args[0], _function_of(tree, node))
    assert verdicts == {"bad": False, "bad2": False, "bad3": False, "good": True}


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE measures; --",
        '" OR 1=1 --',
        "%' OR '1'='1",
        "_%\\",
        "貸款' --",
        "measures MATCH *",
        "NEAR(a b)",
        "\x00",
    ],
)
def test_sql_looking_text_is_just_text_to_the_knowledge_base(kb, text):
    before = len(kb.measures())
    assert isinstance(kb.search(text), list)
    assert len(kb.measures()) == before and kb.general_hotline()["number"] == "0800-000-257"
