"""Batch benchmark (`make bench`): import and decide 10,000 generated households through
the same path as `assistant graduation import`, timing it and reporting peak memory.
Target on this machine: under 15 seconds."""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from assistant.casework.importer import read_rows, run_import_parallel
from assistant.casework.service import Casework
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.caseload import VILLAGES, write_caseload

HOUSEHOLDS = 10_000
TARGET_SECONDS = 15.0
FACILITATORS = ["628111", "628222", "628333", "628444"]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work_dir = Path(folder)
        csv_file = write_caseload(work_dir / "caseload.csv", HOUSEHOLDS, FACILITATORS)
        casework = Casework(Store(work_dir / "batch.db"))
        admin = User(id="admin", name="Admin", role="admin")
        casework.add_user(None, admin)
        for village, umk in VILLAGES.items():
            casework.add_village(admin, Village(id=village, name=village.title(), umk=umk))
        for facilitator in FACILITATORS:
            casework.add_user(admin, User(id=facilitator, name=facilitator, role="pendamping"))

        started = time.perf_counter()
        rows, problems = read_rows(csv_file, casework, admin)
        checked = time.perf_counter()
        jobs = os.cpu_count() or 1
        report = run_import_parallel(casework.store.path, admin, rows, jobs)
        finished = time.perf_counter()
        again = run_import_parallel(casework.store.path, admin, rows, jobs)
        rerun = time.perf_counter() - finished
        peak = (
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024
        )

        total = finished - started
        print(f"Impor {HOUSEHOLDS:,} rumah tangga (baris salah: {len(problems)}), {jobs} proses")
        print(f"- periksa semua baris: {checked - started:.1f} s")
        print(
            f"- daftar + putuskan + simpan: {finished - checked:.1f} s "
            f"({report.assessments / (finished - checked):.0f} rumah tangga/detik)"
        )
        print(
            f"- total: {total:.1f} s; memori puncak {peak:.0f} MB; "
            f"ukuran basis data {(work_dir / 'batch.db').stat().st_size / 2**20:.1f} MB"
        )
        print(
            f"- jalankan ulang berkas yang sama: {rerun:.1f} s, "
            f"{again.assessments} penilaian baru, {again.skipped} dilewati"
        )
        verdict = "TERCAPAI" if total < TARGET_SECONDS else "MELESET"
        print(f"Target < {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
