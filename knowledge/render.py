"""How a figure reads in an answer: 「貸款額度：每家最高3,500萬元」. Shared by the build and the actions."""

from __future__ import annotations


def number(value: float) -> str:
    """3500.0 -> '3,500'; 2.22 -> '2.22'; 9.5 -> '9.5'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def amount_wan(value: float) -> str:
    """An amount in 萬元 as a person writes it: 15000 -> '1.5億元', 800 -> '800萬元'."""
    if value >= 10000:
        return number(value / 10000) + "億元"
    if not float(value).is_integer() and abs(value * 100 - round(value * 100)) > 1e-6:
        # interest and shares to the 元 (0.0001萬): 7.125萬元, not a rounded 7.12
        return f"{value:,.4f}".rstrip("0").rstrip(".") + "萬元"
    return number(value) + "萬元"


def figure_value(fig: dict) -> str:
    unit = fig["unit"]
    value = number(fig["value"])
    if fig.get("value_min") is not None:
        value = f"{number(fig['value_min'])}~{value}"
    text = f"{fig.get('qualifier') or ''}{value}{unit}"
    if fig.get("months"):
        text += f"，最長{fig['months']}個月"
    return text


def figure_text(fig: dict) -> str:
    cond = f"{fig['condition']} " if fig.get("condition") else ""
    return f"{fig['label']}：{cond}{figure_value(fig)}"


def display_number(number: str) -> str:
    """A phone number grouped for reading on a button: 02-27089055 -> 02-2708-9055 (0800 numbers stay)."""
    area, _, rest = number.partition("-")
    if len(area) == 2 and len(rest) == 8 and rest.isdigit():
        return f"{area}-{rest[:4]}-{rest[4:]}"
    return number
