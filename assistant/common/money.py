"""Reading amounts of money the way people type them: "2,5 jt", "Rp 2.500.000",
"2500000", "2.5 juta", "750rb", "Rp2.500.000,00".

Every amount comes out as whole rupiah (an ``int``) between 0 and ``MAX_RUPIAH``; anything
else is refused with a sentence saying how to write it. Nothing larger, smaller, fractional
or non-finite goes further (the rules engine crashes on such numbers)."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assistant.common.errors import InputError
from assistant.common.limits import MAX_RUPIAH
from assistant.common.texts import text

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
# Longer than this, a typed amount is not an amount (Rp 1 trillion is 17 characters).
_MAX_TYPED = 40
_AMOUNT = re.compile(r"^(?P<number>[0-9][0-9.,]*)\s*(?P<unit>[a-z]*)$", re.ASCII)
_THOUSANDS_DOT = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$", re.ASCII)
_THOUSANDS_COMMA = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$", re.ASCII)
_DECIMAL = re.compile(r"^[0-9]+([.,][0-9]+)?$", re.ASCII)


def bounded_rupiah(value: Decimal | int | float, field: str) -> int:
    """``value`` as whole rupiah, or ``InputError`` when negative, non-finite or too large."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(text("money.too_large", field=field), field)
    amount = Decimal(value) if not isinstance(value, Decimal) else value
    if not amount.is_finite():
        raise InputError(text("money.too_large", field=field), field)
    if amount < 0:
        raise InputError(text("money.negative"), field)
    if amount > MAX_RUPIAH:
        raise InputError(text("money.too_large", field=field), field)
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_rupiah(raw: str | int | float, field: str = "income_monthly") -> int:
    """The amount in whole rupiah, or ``InputError`` with a sentence saying how to write it."""
    if isinstance(raw, bool):
        raise InputError(text("money.invalid", value=raw), field)
    if isinstance(raw, int | float):
        return bounded_rupiah(raw, field)
    if not isinstance(raw, str):
        raise InputError(text("money.invalid", value=str(raw)[:_MAX_TYPED]), field)
    cleaned = raw.strip().lower().replace("rp.", "").replace("rp", "").replace(" ", "")
    cleaned = cleaned.removesuffix(",-").removesuffix(".-")
    if len(cleaned) > _MAX_TYPED:
        raise InputError(text("money.too_large", field=field), field)
    if cleaned.startswith("-"):
        raise InputError(text("money.negative"), field)
    match = _AMOUNT.match(cleaned)
    if not match or (match["unit"] and match["unit"] not in _MULTIPLIERS):
        raise InputError(text("money.invalid", value=raw.strip()[:_MAX_TYPED]), field)
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
            raise InputError(text("money.invalid", value=raw.strip()[:_MAX_TYPED]), field)
    except InvalidOperation as error:
        raise InputError(text("money.invalid", value=raw.strip()[:_MAX_TYPED]), field) from error
    return bounded_rupiah(value, field)


def format_rupiah(amount: float | None) -> str:
    """An amount as people write it: "Rp 2.800.000" ("-" when unknown)."""
    if amount is None:
        return "-"
    return "Rp " + f"{amount:,.0f}".replace(",", ".")
