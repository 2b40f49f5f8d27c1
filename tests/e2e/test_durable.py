"""Conversations survive a crash of the Rasa server (DESIGN section 3: the tracker store
is a SQLite file in the var folder). Real servers through scripts/serve.sh: two people are
in the middle of a form, the Rasa process is killed with SIGKILL, the supervisor starts it
again, and both forms go on from where they stood, each decision stored once."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e import servers as real
from tests.e2e.conftest import RINA, seed

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real.Servers]:
    """Servers of this module only: the test kills one of them."""
    running = real.start(tmp_path_factory.mktemp("durable"), seed=seed)
    yield running
    running.stop()


def said(servers: real.Servers, sender: str, message: str) -> str:
    return "\n".join(servers.say(sender, message))


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def kill_rasa_and_wait_for_the_next(servers: real.Servers, seconds: float = 360.0) -> None:
    """SIGKILL (no clean shutdown, nothing flushed) and wait until the supervisor's new
    Rasa process answers."""
    old = servers.rasa_pid()
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            new = servers.rasa_pid()
        except LookupError:
            new = None
        if new is not None and new != old:
            try:
                if requests.get(f"{servers.rasa_url}/version", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
        time.sleep(0.5)
    raise AssertionError(
        f"Rasa not back within {seconds}s:\n{real.tail(servers.workdir / 'rasa.log')}"
    )


def test_a_killed_rasa_server_continues_the_forms_where_people_were(own_servers):
    servers = own_servers
    tracker_db = servers.workdir / "var" / "rasa-tracker.db"

    # A facilitator half way through the graduation check of a household ...
    first = said(servers, RINA, "cek graduasi bu siti")
    assert "pendapatan" in first.lower() and "Siti Aminah" in first
    assert "pola pikir" in said(servers, RINA, "2,6 jt").lower()
    # ... and a village official half way through a conflict report.
    official = f"desa-{uuid.uuid4().hex[:8]}"
    assert "Seberapa luas" in said(
        servers, official, "ada warga protes dana bantuan dibagi gak merata"
    )
    assert "Apakah konflik ini bisa menghentikan" in said(servers, official, "2")
    assert tracker_db.exists()
    (active,) = rows(tracker_db, "select count(*) from events where sender_id = ?", RINA)[0]
    assert active > 0

    kill_rasa_and_wait_for_the_next(servers)

    reply = said(servers, RINA, "iya udah berubah")
    assert "LULUS" in reply and "Tersimpan" in reply
    assert rows(
        servers.db_path,
        "select b.state, a.income_monthly from assessments a "
        "join beneficiaries b on b.id = a.beneficiary_id where b.name = ?",
        "Siti Aminah",
    ) == [("komunikasi_kelulusan", 2_600_000.0)]

    assert "kekerasan" in said(servers, official, "gak")
    assert "sedang" in said(servers, official, "tidak ada")
    conflicts = rows(
        servers.db_path,
        "select count(*) from decisions where actor = ? and kind = 'conflict'",
        official,
    )
    assert conflicts == [(1,)]
    # The tracker after the restart holds the whole conversation, in order.
    events = servers.tracker(official)["events"]
    texts = [event.get("text") for event in events if event["event"] == "user"]
    assert texts == [
        "ada warga protes dana bantuan dibagi gak merata",
        "2",
        "gak",
        "tidak ada",
    ]
