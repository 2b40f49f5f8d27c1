"""Reminder benchmark (`make bench`): one `reminders run` over 10,000 households with 2,000
due tasks (200 facilitators in WIB, WITA and WIT villages), sent to a fake Graph API on a
free port over real HTTP, then a second run that must send nothing. Reports the time and
the messages sent; no target is asserted."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.casework.outbound import GraphSender, OutboundSettings, Template
from assistant.casework.reminders import Reminders, ReminderSettings
from assistant.casework.service import Casework
from assistant.store.db import Store
from assistant.store.records import Beneficiary, Task, User, Village

HOUSEHOLDS, DUE, FACILITATORS = 10_000, 2_000, 200
PROVINCES = {"sukamaju": "Jawa Barat", "ubud": "Bali", "sentani": "Papua"}


def fake_graph() -> tuple[ThreadingHTTPServer, list[int]]:
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                count[0] += 1
                number = count[0]
            body = json.dumps({"messages": [{"id": f"wamid.{number}"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, count


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        casework = Casework(store)
        admin = User(id="admin", name="Admin", role="admin")
        casework.add_user(None, admin)
        for village, province in PROVINCES.items():
            casework.add_village(
                admin, Village(id=village, name=village.title(), province=province, umk=2.5e6)
            )
        villages = list(PROVINCES)
        with store.transaction():
            for f in range(FACILITATORS):
                store.add_user(User(id=f"62800{f:05d}", name=f"Pendamping {f}", role="pendamping"))
            for h in range(HOUSEHOLDS):
                f = h % FACILITATORS
                store.add_beneficiary(
                    Beneficiary(
                        id=f"rt-{h:08d}",
                        name=f"Rumah Tangga {h}",
                        village_id=villages[f % 3],
                        facilitator_id=f"62800{f:05d}",
                        gender="P",
                        enrolled_on=date.today() - timedelta(days=60),
                        state="evaluasi",
                        state_since=datetime.now(),
                    )
                )
            store.add_tasks(
                [
                    Task(
                        beneficiary_id=f"rt-{h:08d}",
                        facilitator_id=f"62800{h % FACILITATORS:05d}",
                        step="evaluasi",
                        title=f"Evaluasi: Rumah Tangga {h}",
                        due_on=date.today() - timedelta(days=h % 5),
                    )
                    for h in range(DUE)
                ]
            )
        server, sent = fake_graph()
        outbound = OutboundSettings(
            access_token="bench",
            phone_number_id="1",
            api_base=f"http://127.0.0.1:{server.server_address[1]}",
            reminder=Template("pengingat_tugas", "id", ("nama", "jumlah", "terlambat")),
        )
        # 04:00 UTC: daytime in every zone; the cap raised so that the whole run is measured
        noon = datetime.combine(date.today(), datetime.min.time(), UTC) + timedelta(hours=4)
        settings = ReminderSettings(daily_cap=100_000)
        runs = []
        for _ in range(2):
            reminders = Reminders(
                casework, GraphSender(outbound), outbound, settings=settings, clock=lambda: noon
            )
            started = time.perf_counter()
            report = reminders.run()
            runs.append((time.perf_counter() - started, report.sent))
        server.shutdown()
        store.close()
    (first, messages), (second, again) = runs
    print(
        f"reminders: {HOUSEHOLDS} households, {DUE} due tasks, {FACILITATORS} facilitators: "
        f"first run {first:.2f} s, {messages} messages ({sent[0]} POSTs); "
        f"second run {second:.2f} s, {again} messages"
    )


if __name__ == "__main__":
    main()
