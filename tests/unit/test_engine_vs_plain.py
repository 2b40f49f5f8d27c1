"""A second opinion: on a thousand generated inputs, the rules engine agrees with a plain
Python reading of the same tables (tests/support/plain.py) for needs and graduation."""

from __future__ import annotations

import itertools

import pytest

from assistant.decisions.sampling import stream
from tests.support import plain


@pytest.mark.parametrize("kind", ["needs", "graduation"])
def test_engine_agrees_with_plain_python(service, knowledge, kind):
    for payload in itertools.islice(stream(kind, knowledge, seed=3), 1000):
        data = service.validate(kind, payload)
        outcome = service.engine.run(kind, data)
        assert plain.engine_view(kind, outcome.conclusions) == getattr(plain, kind)(
            payload, knowledge
        ), payload
