from __future__ import annotations

from pathlib import Path

import pytest

from assistant.casework.service import Casework
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.e2e import servers as real

RINA, DEDI, TRAINER, OFFICIAL = "628111", "628222", "628555", "628333"


def seed(db: Path) -> None:
    """Two facilitators with their households, a village without a known UMK, a trainer."""
    work = Casework(Store(db))
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    work.add_village(admin, Village(id="mekarsari", name="Mekarsari"))
    for user in (
        User(id=RINA, name="Bu Rina", role="pendamping"),
        User(id=DEDI, name="Pak Dedi", role="pendamping"),
        User(id=TRAINER, name="Bu Pelatih", role="pelatih"),
        User(id=OFFICIAL, name="Pak Kades", role="pejabat_desa", village_id="sukamaju"),
    ):
        work.add_user(admin, user)
    rina, dedi = work.user(RINA), work.user(DEDI)
    work.register(
        rina,
        name="Siti Aminah",
        village_id="sukamaju",
        gender="P",
        nik="3201234567890001",
        program="pena",
    )
    work.register(rina, name="Budi Santoso", village_id="mekarsari", gender="L", program="pena")
    work.register(dedi, name="Joko Wibowo", village_id="sukamaju", gender="L", program="pena")
    work.store.close()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    running = real.start(tmp_path_factory.mktemp("e2e"), seed=seed)
    yield running
    running.stop()
