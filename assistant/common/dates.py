"""Dates as people read them in a chat: day and month, with the year whenever it is not
the current one, so that a task a year overdue does not read as last month's."""

from __future__ import annotations

from datetime import date


def day_month(day: date, today: date | None = None) -> str:
    """ "07/12" in the current year, "07/12/2025" in any other."""
    current = (today or date.today()).year
    return f"{day:%d/%m}" if day.year == current else f"{day:%d/%m/%Y}"
