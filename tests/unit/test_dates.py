from datetime import date

from assistant.common.dates import day_month


def test_the_current_year_is_left_out():
    assert day_month(date(2026, 12, 7), today=date(2026, 12, 8)) == "07/12"


def test_another_year_is_shown():
    assert day_month(date(2025, 12, 7), today=date(2026, 12, 8)) == "07/12/2025"
    assert day_month(date(2027, 1, 3), today=date(2026, 12, 8)) == "03/01/2027"
