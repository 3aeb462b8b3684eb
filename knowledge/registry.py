"""The facts a firm can state: one table from which the rest is derived.

Each row: name, type, allowed values, label (a message key in messages.yml), order (as a form lists them), whether
the conversation keeps it in a slot (domain.yml must agree: tests/test_registry.py), whether it decides an answer
about eligibility (the composer shows eligibility once one of them is known), and whether criteria and figure
conditions in measures.yml may test it. The staff calculator's fields are the facts with a `form` order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # choice | bool | number
    values: tuple | None  # the choices (bool: True, False); None for a number
    order: int  # position in a form (the staff calculator); 0: not a form field
    slot: bool = True  # kept across turns in a Rasa slot of the same name
    decisive: bool = True  # stating it makes the answer say who is eligible
    criterion: bool = True  # measures.yml criteria and `when` conditions may test it
    registration: bool = False  # a registration the firm shows when it applies: a document it must have ready

    @property
    def label(self) -> str:
        return "fact." + self.name


FACTS_TABLE = (
    Fact("size", "choice", ("sme", "large", "tax_registered"), 1),
    Fact("revenue_change", "number", None, 2),
    Fact("us_export_3y", "bool", (True, False), 3),
    Fact("trade_registered", "bool", (True, False), 4, registration=True),
    Fact("factory_type", "choice", ("registered", "managed", "specific", "none"), 5, registration=True),
    Fact("amount", "number", None, 6),
    Fact("budget", "number", None, 7, decisive=False, criterion=False),
    Fact("purpose", "choice", ("working_capital", "equipment"), 8, decisive=False),
    Fact("applicants", "number", None, 9),
    # the revenue amounts a change was worked out from (advisor/amounts.py): kept so that a correction of one of
    # them (「1-2月平均是420萬才對」) recomputes the change
    Fact("revenue_base", "number", None, 0, decisive=False, criterion=False),
    Fact("revenue_now", "number", None, 0, decisive=False, criterion=False),
    # proved with documents at the bank: stated to the firm, never kept or asked
    Fact("tariff_affected", "bool", (True, False), 0, slot=False, decisive=False),
)
BY_NAME = {f.name: f for f in FACTS_TABLE}
# fact -> allowed values (None: a number), for the facts criteria may test
FACT_VALUES = {f.name: set(f.values) if f.values else None for f in FACTS_TABLE if f.criterion}
FACT_SLOTS = tuple(f.name for f in FACTS_TABLE if f.slot)
DECISIVE_FACTS = frozenset(f.name for f in FACTS_TABLE if f.decisive)
REGISTRATION_FACTS = frozenset(f.name for f in FACTS_TABLE if f.registration)
FORM_FIELDS = tuple(f.name for f in sorted(FACTS_TABLE, key=lambda f: f.order) if f.order)
