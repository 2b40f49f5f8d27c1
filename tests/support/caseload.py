"""Generated caseloads for tests and benchmarks: a CSV of households and their
assessments, with the villages and facilitators it refers to."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from assistant.casework.importer import COLUMNS

FIRST = [
    "Siti",
    "Ani",
    "Budi",
    "Dewi",
    "Eko",
    "Fitri",
    "Gita",
    "Hadi",
    "Ina",
    "Joko",
    "Sri",
    "Tini",
]
LAST = ["Aminah", "Rahayu", "Santoso", "Lestari", "Wibowo", "Hartati", "Saputra", "Nurhayati"]
VILLAGES = {"sukamaju": 2_400_000, "mekarsari": 2_700_000, "tanjung": 3_100_000}


def write_caseload(
    path: Path,
    households: int,
    facilitators: list[str],
    seed: int = 1,
    nik_start: int = 0,
    assessments_per_household: int = 1,
) -> Path:
    """One row per assessment; NIKs are 16 digits from ``nik_start`` upward."""
    rng = random.Random(seed)
    programs = ["pena", "pena", "pkh", "kelapa_muda", "yess", ""]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(households):
            village = rng.choice(list(VILLAGES))
            umk = VILLAGES[village]
            base = {
                "nama": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "nik": f"{3200000000000000 + nik_start + n:016d}",
                "desa": village,
                "pendamping": facilitators[n % len(facilitators)],
                "jenis_kelamin": rng.choice("LP"),
                "disabilitas": "ya" if rng.random() < 0.1 else "tidak",
                "kepala_keluarga": "ya" if rng.random() < 0.7 else "tidak",
                "program": rng.choice(programs),
                "tanggal_daftar": "2026-01-15",
            }
            day = date(2026, 6, 1)
            for visit in range(assessments_per_household):
                income = int(umk * rng.uniform(0.4, 1.5) / 1000) * 1000
                writer.writerow(
                    {
                        **base,
                        "tanggal_asesmen": (day + timedelta(days=90 * visit)).isoformat(),
                        "pendapatan": rng.choice(
                            [
                                f"{income}",
                                f"Rp {income:,}".replace(",", "."),
                                f"{income / 1e6:.2f} jt".replace(".", ","),
                            ]
                        ),
                        "pola_pikir_berubah": "ya" if rng.random() < 0.6 else "tidak",
                        "status_usaha": rng.choice(["belum_ada", "pemula", "berjalan", ""]),
                        "perubahan_berarti": rng.choice(["ya", "tidak"]) if visit else "",
                        "catatan": "",
                    }
                )
    return path
