"""The firm's size from its headcount or capital, by the 中小企業認定標準 (programs.yml `sme_standard`, cited).

「員工45人」 or 「資本額3000萬」 settles the size without asking: a manufacturer is an SME when either its paid-in
capital is at most the standard's cap or its regular staff is below the standard's count. Only both figures over
their limits make it large; one figure over its limit says nothing (the other may still qualify it).
"""

from __future__ import annotations


def size_from_counts(kb, entities: list) -> tuple | None:
    """(size, message key, values) from NumberExtractor entities, or None when they do not settle it."""
    prog = kb.program_with_role("size_standard")
    limits = {f["key"]: f for f in kb.figures(prog["id"])}
    staff = next((e["value"] for e in entities or [] if e.get("entity") == "employees"), None)
    capital = next((e["value"] for e in entities or [] if e.get("entity") == "capital"), None)
    staff_ok = None if staff is None else staff < limits["staff_below"]["value"]
    capital_ok = None if capital is None else capital <= limits["capital_max"]["value"]
    if staff_ok or capital_ok:
        basis = limits["staff_below"] if staff_ok else limits["capital_max"]
        return "sme", "size_by_standard", {"standard": prog["name"], "rule": prog["summary"], "label": basis["label"]}
    if staff_ok is False and capital_ok is False:
        return "large", "size_by_standard_large", {"standard": prog["name"], "rule": prog["summary"]}
    return None
