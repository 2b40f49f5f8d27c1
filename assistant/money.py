"""Reading amounts of money the way people type them: "2,5 jt", "Rp 2.500.000",
"2500000", "2.5 juta", "750rb", "Rp2.500.000,00"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from assistant.errors import InputError
from assistant.texts import text

# written multiplier -> factor
_MULTIPLIERS = {
    "jt": 1_000_000,
    "juta": 1_000_000,
    "jeti": 1_000_000,
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "rbu": 1_000,
}
_AMOUNT = re.compile(r"^(?P<number>\d[\d.,]*)\s*(?P<unit>[a-z]*)$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL = re.compile(r"^\d+([.,]\d+)?$")


def parse_rupiah(raw: str | int | float, field: str = "income_monthly") -> float:
    """The amount in rupiah, or ``InputError`` with a sentence saying how to write it."""
    if isinstance(raw, bool):
        raise InputError(text("money.invalid", value=raw), field)
    if isinstance(raw, int | float):
        if raw < 0:
            raise InputError(text("money.negative"), field)
        return float(raw)
    cleaned = raw.strip().lower().replace("rp.", "").replace("rp", "").replace(" ", "")
    cleaned = cleaned.removesuffix(",-").removesuffix(".-")
    if cleaned.startswith("-"):
        raise InputError(text("money.negative"), field)
    match = _AMOUNT.match(cleaned)
    if not match or (match["unit"] and match["unit"] not in _MULTIPLIERS):
        raise InputError(text("money.invalid", value=raw), field)
    number, unit = match["number"], match["unit"]
    try:
        if unit:
            # "2,5 jt" and "2.5 juta": the separator is a decimal point
            value = Decimal(number.replace(",", ".")) * _MULTIPLIERS[unit]
        elif _THOUSANDS_DOT.match(number):
            value = Decimal(number.replace(".", "").replace(",", "."))
        elif _THOUSANDS_COMMA.match(number):
            value = Decimal(number.replace(",", ""))
        elif _DECIMAL.match(number):
            value = Decimal(number.replace(",", "."))
        else:
            raise InputError(text("money.invalid", value=raw), field)
    except InvalidOperation as error:
        raise InputError(text("money.invalid", value=raw), field) from error
    return float(value)
