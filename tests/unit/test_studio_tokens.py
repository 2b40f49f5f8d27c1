"""Studio links (assistant/studio/tokens.py): signed with HMAC under a secret file of mode
0600, refused when expired, forged, altered or missing."""

from __future__ import annotations

import stat

import pytest

from assistant.studio import tokens

NOW = 1_800_000_000.0


@pytest.fixture
def secret(tmp_path):
    return tokens.load_secret(tmp_path / "studio-secret")


def test_the_secret_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "studio-secret"
    first = tokens.load_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert tokens.load_secret(path) == first
    path.chmod(0o644)
    tokens.load_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_signed_token_carries_its_user_until_it_expires(secret):
    token = tokens.sign("628555", secret, hours=2, now=NOW)
    grant = tokens.verify(token, secret, now=NOW + 60)
    assert grant.user_id == "628555" and grant.expires == int(NOW + 7200)
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.verify(token, secret, now=NOW + 7200)
    assert refused.value.reason == "expired"


def test_a_user_id_with_the_separator_survives(secret):
    token = tokens.sign("a|b", secret, now=NOW)
    assert tokens.verify(token, secret, now=NOW).user_id == "a|b"


@pytest.mark.parametrize("bad", [None, "", "abc", "abc.def", "....", "é.é"])
def test_garbage_is_refused(secret, bad):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.verify(bad, secret, now=NOW)
    assert refused.value.reason in ("missing", "forged")


def test_another_secret_or_an_altered_payload_is_a_forgery(secret, tmp_path):
    token = tokens.sign("628555", secret, now=NOW)
    other = tokens.load_secret(tmp_path / "other-secret")
    with pytest.raises(tokens.TokenRefused, match="forged"):
        tokens.verify(token, other, now=NOW)
    # the same signature on another user (an admin's id) is refused
    forged_payload = tokens.sign("admin", other, now=NOW).split(".")[0]
    altered = forged_payload + "." + token.split(".")[1]
    with pytest.raises(tokens.TokenRefused, match="forged"):
        tokens.verify(altered, secret, now=NOW)


def test_lifetimes_are_bounded(secret):
    with pytest.raises(ValueError):
        tokens.sign("628555", secret, hours=0)
    with pytest.raises(ValueError):
        tokens.sign("628555", secret, hours=tokens.MAX_HOURS + 1)
