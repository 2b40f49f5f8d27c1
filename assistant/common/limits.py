"""Bounds on what may enter the system, in one place (engineering limits, not policy).

Every amount, text and file that reaches the service is held to these before anything
acts on it: the rules engine's C core crashes on numbers outside an exact JSON range, and
no person needs more than these (an income or UMK above Rp 1 trillion a month is a typo).
"""

from __future__ import annotations

# Money, in whole rupiah: 0 <= amount <= MAX_RUPIAH (Rp 1.000.000.000.000).
MAX_RUPIAH = 1_000_000_000_000

# Any number handed to the rules engine: an integer, or a finite float, within this range.
# (durable_rules mis-parses numbers whose JSON form uses an exponent: 1e16, 1e-07, inf.)
MAX_FACT_NUMBER = 10**15
MIN_FACT_FRACTION = 1e-4  # non-zero floats closer to 0 than this are refused
MAX_FACT_STRING = 500  # characters of one string in one fact
MAX_FACT_ITEMS = 100  # elements of a list, keys of a dict, facts in one decision

# Free text a person writes.
MAX_DESCRIPTION_FOR_RULES = 2000  # what a decision's input keeps of a description
MAX_REPORT_TEXT = 100_000  # what a stored report keeps (the whole message, in practice)
MAX_NAME = 200  # a person's or a village's name

# Structured input (assistant decide, JSON files, webhook bodies).
MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
MAX_INTEGER_DIGITS = 30  # longer integers in JSON are refused before Python parses them

# Chat text that fuzzy matching (names, programs) looks at.
MAX_MATCH_CHARS = 300
MAX_MATCH_TOKENS = 40

# Caseload CSV files (assistant graduation import).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_NOTES = 2_000  # characters of the "catatan" cell; every other cell: MAX_NAME
MAX_LINE_CHARS = 10_000  # one row, all its cells together (a note may span lines)
MAX_RECORD_LINES = 100  # lines one quoted cell may span before its quote counts as broken

# A reply message on a phone: longer answers are split at a paragraph, the rest after
# "lanjut" (issue 25: a "kenapa?" once came as one message of 1,778 characters).
MAX_MESSAGE_CHARS = 1000
