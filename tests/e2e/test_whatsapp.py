"""The WhatsApp channel through the real Rasa and action servers, with a fake Graph API:
a real HTTP server in a thread that records what the bot sends and can fail or be slow on
request. The channel's logic is tested in tests/unit/test_whatsapp_channel.py; here what
needs the real server: Sanic's streaming of the body, the start and stop listeners."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from assistant.channels.whatsapp_payloads import Inbound, signature_for
from assistant.channels.whatsapp_state import ChannelState
from assistant.common.graph_api import GRAPH_API_VERSION
from tests.e2e import servers as real
from tests.e2e.conftest import RINA, seed

pytestmark = pytest.mark.e2e

VERIFY_TOKEN, APP_SECRET, ACCESS_TOKEN = "uji-verify", "uji-app-secret", "uji-access-token-xyz"
PHONE_NUMBER_ID = "109876543210"
OPTED_OUT = "Anda tidak akan menerima pesan lagi. Ketik MULAI untuk kembali."
PLEASE_TYPE = "Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda."
WAIT = 60.0  # seconds to wait for the bot on a slow machine
QUEUE = 10  # messages of one sender in hand at most (assistant.channels.whatsapp.MAX_WAITING)


# --- fake Graph API ---------------------------------------------------------------------


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int
    at: float


@dataclass
class FakeGraph:
    """Records every POST; ``fail_next`` makes the next requests answer an error; ``delay``
    makes every answer wait that many seconds (after the POST was recorded)."""

    posts: list[Post] = field(default_factory=list)
    failures: list[tuple[int, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    delay: float = 0.0

    def start(self) -> str:
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, retry_after = graph.answer(self.path, dict(self.headers), raw)
                time.sleep(graph.delay)
                body = (
                    {"messaging_product": "whatsapp", "messages": [{"id": "wamid.fake"}]}
                    if status == 200
                    else {"error": {"message": "gagal buatan", "code": status}}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, str | None]:
        with self.lock:
            status, retry_after = self.failures.pop(0) if self.failures else (200, None)
            self.posts.append(Post(path, headers, json.loads(raw), status, time.monotonic()))
        return status, retry_after

    def fail_next(self, count: int, status: int = 500, retry_after: str | None = None) -> None:
        with self.lock:
            self.failures = [(status, retry_after)] * count

    def attempts(self, number: str) -> list[Post]:
        with self.lock:
            return [post for post in self.posts if post.body.get("to") == number]

    def sent(self, number: str) -> list[dict[str, Any]]:
        """The messages WhatsApp accepted for this number, in order."""
        return [post.body for post in self.attempts(number) if post.status == 200]

    def wait_for(self, number: str, count: int, seconds: float = WAIT) -> list[dict[str, Any]]:
        until(lambda: len(self.sent(number)) >= count, seconds, f"{count} message(s) to {number}")
        return self.sent(number)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds}s for {what}")


def shown(message: dict[str, Any]) -> str:
    """Everything a person sees of one outgoing message."""
    if message["type"] == "text":
        return message["text"]["body"]
    interactive = message["interactive"]
    parts = [interactive["body"]["text"]]
    for section in interactive["action"].get("sections", []):
        parts += [f"{row['title']} {row.get('description', '')}" for row in section["rows"]]
    parts += [button["reply"]["title"] for button in interactive["action"].get("buttons", [])]
    return "\n".join(parts)


# --- inbound webhook payloads -----------------------------------------------------------


def new_number() -> str:
    return "6289" + str(uuid.uuid4().int)[:9]


def message(sender: str, kind: str, part: dict[str, Any], message_id: str = "") -> dict:
    return {
        "from": sender,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: part,
    }


def text(sender: str, body: str, message_id: str = "") -> dict:
    return message(sender, "text", {"body": body}, message_id)


def list_reply(sender: str, row_id: str, title: str) -> dict:
    return message(
        sender, "interactive", {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
    )


def button_reply(sender: str, button_id: str, title: str) -> dict:
    return message(
        sender,
        "interactive",
        {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    )


def image(sender: str) -> dict:
    return message(sender, "image", {"id": "media-1", "mime_type": "image/jpeg"})


def webhook(*messages: dict, phone_number_id: str = PHONE_NUMBER_ID) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Warga"}, "wa_id": m["from"]} for m in messages],
        "messages": list(messages),
    }
    entry = {"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


# --- the servers ------------------------------------------------------------------------


@dataclass
class WhatsApp:
    servers: real.Servers
    graph: FakeGraph
    workdir: Path

    @property
    def url(self) -> str:
        return f"{self.servers.rasa_url}/webhooks/whatsapp/webhook"

    def post(self, body: bytes, signature: str | None = "valid") -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-Hub-Signature-256"] = signature_for(body, APP_SECRET)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return requests.post(self.url, data=body, headers=headers, timeout=30)

    def send(self, *messages: dict) -> None:
        answer = self.post(webhook(*messages))
        assert answer.status_code == 200, answer.text

    def user_events(self, sender: str) -> list[dict]:
        tracker = self.servers.tracker(sender)
        return [event for event in tracker["events"] if event["event"] == "user"]

    def wait_handled(self, sender: str, message_id: str) -> None:
        """Until Rasa saved the turn of this message and the channel finished it: its
        replies are sent (or given up) after the turn, then the message is marked done."""
        until(
            lambda: any(e.get("message_id") == message_id for e in self.user_events(sender)),
            WAIT,
            f"Rasa to handle {message_id}",
        )
        until(
            lambda: self.status(message_id) == "done", WAIT, f"the channel to finish {message_id}"
        )

    def status(self, message_id: str) -> str | None:
        """The channel's own record of a message (its state file, read-only)."""
        connection = sqlite3.connect(f"file:{self.workdir / 'whatsapp.db'}?mode=ro", uri=True)
        try:
            row = connection.execute("select status from handled where id = ?", [message_id])
            found = row.fetchone()
            return found[0] if found else None
        finally:
            connection.close()

    def say(self, sender: str, inbound: dict) -> list[dict[str, Any]]:
        """Send one message that reaches Rasa; the messages the bot sent back."""
        before = len(self.graph.sent(sender))
        self.send(inbound)
        self.wait_handled(sender, inbound["id"])
        return self.graph.sent(sender)[before:]

    def log(self) -> str:
        return (self.workdir / "rasa.log").read_text(errors="replace")


def channel_env(api_base: str, workdir: Path) -> dict[str, str]:
    return {
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE": api_base,
        "WHATSAPP_STATE_DB": str(workdir / "whatsapp.db"),
        "WHATSAPP_DRAIN_SECONDS": "15",  # within the 20 s the test servers get to stop
    }


@pytest.fixture(scope="module")
def wa(tmp_path_factory) -> Iterator[WhatsApp]:
    graph = FakeGraph()
    api_base = graph.start()
    workdir = tmp_path_factory.mktemp("whatsapp")
    running = real.start(workdir, seed=seed, extra_env=channel_env(api_base, workdir))
    try:
        yield WhatsApp(running, graph, workdir)
    finally:
        running.stop()
        graph.stop()


def state_rows(wa: WhatsApp, sql: str, *args: Any) -> list[tuple]:
    return rows_of(wa.workdir / "whatsapp.db", sql, *args)


def rows_of(state_db: Path, sql: str, *args: Any) -> list[tuple]:
    connection = sqlite3.connect(state_db)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


# --- without configuration --------------------------------------------------------------


def test_without_configuration_the_webhook_answers_503_and_rest_works(servers):
    url = f"{servers.rasa_url}/webhooks/whatsapp/webhook"
    verify = requests.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}
    )
    assert verify.status_code == 503
    assert requests.post(url, data=b"{}", timeout=30).status_code == 503
    assert servers.say(f"warga-{uuid.uuid4().hex[:8]}", "halo")
    log = (servers.db_path.parent / "rasa.log").read_text(errors="replace")
    assert "WHATSAPP_APP_SECRET" in log and "WHATSAPP_ACCESS_TOKEN" in log


# --- handshake and signatures -----------------------------------------------------------


def test_the_verification_handshake(wa):
    def verify(mode: str, token: str) -> requests.Response:
        params = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"}
        return requests.get(wa.url, params=params, timeout=30)

    right = verify("subscribe", VERIFY_TOKEN)
    assert right.status_code == 200 and right.text == "1158201444"
    assert verify("subscribe", "salah").status_code == 403
    assert verify("unsubscribe", VERIFY_TOKEN).status_code == 403


def test_unsigned_forged_and_foreign_posts_reach_nobody(wa):
    sender = new_number()
    body = webhook(text(sender, "halo"))
    assert wa.post(body, signature=None).status_code == 401
    assert wa.post(body, signature="sha256=" + "0" * 64).status_code == 403
    assert wa.post(body, signature=signature_for(body, "rahasia-lain")).status_code == 403
    tampered = webhook(text(sender, "halo"))
    assert wa.post(tampered, signature=signature_for(body, APP_SECRET)).status_code == 403
    foreign = wa.post(webhook(text(sender, "halo"), phone_number_id="999"))
    assert foreign.status_code == 200  # signed, but for another business number: ignored
    replies = wa.say(sender, text(sender, "halo"))
    assert len(replies) == 1
    assert len(wa.graph.sent(sender)) == 1 and len(wa.user_events(sender)) == 1


# --- conversations ----------------------------------------------------------------------


def test_a_signed_text_is_answered_through_the_graph_api(wa):
    sender = new_number()
    inbound = text(sender, "halo")
    started = time.monotonic()
    wa.send(inbound)
    assert time.monotonic() - started < 5  # WhatsApp does not wait on the bot
    [greeting] = wa.graph.wait_for(sender, 1)
    wa.wait_handled(sender, inbound["id"])
    assert len(wa.graph.sent(sender)) == 1  # the greeting is one message
    [post] = wa.graph.attempts(sender)
    assert post.path == f"/{GRAPH_API_VERSION}/{PHONE_NUMBER_ID}/messages"
    assert post.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert greeting["messaging_product"] == "whatsapp" and greeting["to"] == sender
    assert "Halo" in shown(greeting)
    [event] = wa.user_events(sender)
    assert event["text"] == "halo" and event["input_channel"] == "whatsapp"


def test_numbered_options_come_as_a_list_and_ya_tidak_as_buttons(wa):
    sender = new_number()
    first = wa.say(sender, text(sender, "ada warga protes dana bantuan dibagi gak merata"))
    question = first[-1]
    assert question["type"] == "interactive", json.dumps(first)
    listed = question["interactive"]
    assert listed["type"] == "list" and listed["action"]["button"] == "Pilih"
    assert "Seberapa luas" in listed["body"]["text"]
    rows = listed["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert all(len(row["title"]) <= 24 and len(row.get("description", "")) <= 72 for row in rows)
    assert not any(line[:2] in {"1.", "2.", "3."} for line in listed["body"]["text"].splitlines())

    threatens = wa.say(sender, list_reply(sender, "2", rows[1]["title"]))
    assert "menghentikan" in shown(threatens[-1])
    buttons = threatens[-1]["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("ya", "Ya"),
        ("tidak", "Tidak"),
    ]
    harm = wa.say(sender, button_reply(sender, "tidak", "Tidak"))
    assert "kekerasan" in shown(harm[-1]) and harm[-1]["type"] == "interactive"
    result = "\n".join(shown(m) for m in wa.say(sender, button_reply(sender, "tidak", "Tidak")))
    assert "sedang" in result and "3.3.5" in result
    said = [event["text"] for event in wa.user_events(sender)]
    assert said[1:] == ["2", "tidak", "tidak"]


def test_a_retried_message_is_handled_once(wa):
    sender = new_number()
    inbound = text(sender, "halo")
    wa.send(inbound)
    wa.send(inbound)  # WhatsApp retries with the same id
    wa.say(sender, text(sender, "halo"))  # handled after the first, in order
    assert len(wa.graph.sent(sender)) == 2
    assert [e["message_id"] for e in wa.user_events(sender)][0] == inbound["id"]
    assert len(wa.user_events(sender)) == 2
    assert state_rows(wa, "select count(*) from handled where id = ?", inbound["id"]) == [(1,)]


def test_a_burst_of_200_messages_from_20_senders_is_answered_once_each(wa):
    senders = [new_number() for _ in range(20)]
    inbound = [text(sender, "halo") for sender in senders for _ in range(10)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda m: wa.post(webhook(m)).status_code, inbound))
    assert answers == [200] * 200
    for sender in senders:
        until(lambda s=sender: len(wa.user_events(s)) >= 10, 300, f"10 turns of {sender}")
    for sender in senders:
        sent = [shown(m) for m in wa.graph.sent(sender)]
        assert len(sent) == 10, (sender, [m[:40] for m in sent])
        assert "Halo" in sent[0] and set(sent) == {sent[0]}  # ten greetings
        assert len(wa.user_events(sender)) == 10


def test_an_image_is_answered_without_reaching_rasa(wa):
    sender = new_number()
    location = message(sender, "location", {"latitude": -6.2, "longitude": 106.8})
    audio = message(sender, "audio", {"id": "media-2", "mime_type": "audio/ogg"})
    wa.send(image(sender), audio, location)
    sent = wa.graph.wait_for(sender, 3)
    assert [shown(m) for m in sent] == [PLEASE_TYPE] * 3
    assert wa.user_events(sender) == []


def test_a_flood_from_one_number_is_cut_with_one_notice(wa):
    sender = new_number()
    wa.send(*[image(sender) for _ in range(25)])  # 10 fit in the queue, 20 in the minute
    wa.graph.wait_for(sender, QUEUE + 1)
    time.sleep(3.5)  # the bucket refills one message every 3 seconds
    wa.send(image(sender))
    sent = [shown(m) for m in wa.graph.wait_for(sender, QUEUE + 2)]
    assert sent[:QUEUE] == [PLEASE_TYPE] * QUEUE
    assert "terlalu banyak pesan" in sent[QUEUE].lower() and "tunggu" in sent[QUEUE].lower()
    assert sent[QUEUE + 1 :] == [PLEASE_TYPE]


def wait_done(wa: WhatsApp, message_id: str) -> None:
    """Until the channel marked this message handled."""
    sql = "select status from handled where id = ?"
    until(lambda: state_rows(wa, sql, message_id) == [("done",)], WAIT, f"{message_id} done")


def test_stop_opts_out_and_mulai_opts_back_in(wa):
    sender = new_number()
    wa.send(text(sender, " stop "))
    assert [shown(m) for m in wa.graph.wait_for(sender, 1)] == [OPTED_OUT]
    assert wa.user_events(sender) == []
    assert state_rows(wa, "select opted_out from consent where number = ?", sender) == [(1,)]
    ignored = text(sender, "cek graduasi siti aminah")
    wa.send(ignored)
    wait_done(wa, ignored["id"])
    assert wa.user_events(sender) == []  # it never reached the assistant
    wa.send(text(sender, "BERHENTI"), image(sender), text(sender, "Mulai"))
    sent = [shown(m) for m in wa.graph.wait_for(sender, 2)]
    assert sent[0] == OPTED_OUT and "menerima pesan lagi" in sent[1] and len(sent) == 2
    [(opted_out, changed_at)] = state_rows(
        wa, "select opted_out, changed_at from consent where number = ?", sender
    )
    assert opted_out == 0 and changed_at > time.time() - 600
    assert len(wa.say(sender, text(sender, "halo"))) == 1
    assert ignored["id"] not in [event.get("message_id") for event in wa.user_events(sender)]


# --- the Graph API failing --------------------------------------------------------------


def test_server_errors_are_retried(wa):
    sender = new_number()
    wa.graph.fail_next(2, 500)
    assert len(wa.say(sender, text(sender, "halo"))) == 1
    assert [post.status for post in wa.graph.attempts(sender)] == [500, 500, 200]


def test_a_429_waits_for_retry_after(wa):
    sender = new_number()
    wa.graph.fail_next(1, 429, retry_after="2")
    assert len(wa.say(sender, text(sender, "halo"))) == 1
    first, second = wa.graph.attempts(sender)
    assert (first.status, second.status) == (429, 200) and second.at - first.at >= 1.9


def test_a_send_that_keeps_failing_is_logged_and_the_next_message_works(wa):
    sender = new_number()
    wa.graph.fail_next(3, 503)
    assert wa.say(sender, text(sender, "halo")) == []
    assert [post.status for post in wa.graph.attempts(sender)] == [503, 503, 503]
    assert "failed after 3 attempt(s): status 503" in wa.log()
    assert len(wa.say(sender, text(sender, "halo"))) == 1


# --- privacy ----------------------------------------------------------------------------


def test_a_stranger_gets_no_household_data_and_a_facilitator_gets_theirs(wa):
    stranger = new_number()
    wa.say(stranger, text(stranger, "cek graduasi siti aminah"))
    everything = json.dumps(wa.graph.sent(stranger))
    assert "pendamping yang terdaftar" in everything
    assert "Siti" not in everything and "Budi" not in everything
    reply = "\n".join(shown(m) for m in wa.say(RINA, text(RINA, "cek graduasi siti aminah")))
    assert "Siti Aminah" in reply and "pendapatan" in reply.lower()
    wa.say(RINA, text(RINA, "batal"))


def test_the_log_holds_neither_bodies_nor_the_access_token(wa):
    sender = new_number()
    wa.say(sender, text(sender, "halo kak zebra-ungu-7"))
    log = wa.log()
    assert "zebra-ungu-7" not in log and ACCESS_TOKEN not in log and APP_SECRET not in log


# --- hardening (security review) --------------------------------------------------------


def test_a_body_over_1_mb_gets_413_streamed_or_not(wa):
    big = webhook(text(new_number(), "halo " + "x" * 1_100_000))
    assert wa.post(big).status_code == 413  # refused by its Content-Length
    chunks = (big[at : at + 65536] for at in range(0, len(big), 65536))
    headers = {"X-Hub-Signature-256": signature_for(big, APP_SECRET)}
    chunked = requests.post(wa.url, data=chunks, headers=headers, timeout=30)
    assert chunked.status_code == 413  # no Content-Length: refused once 1 MB was read
    sender = new_number()
    assert len(wa.say(sender, text(sender, "halo"))) == 1  # and the server carries on


def test_pathological_json_in_a_signed_body_gets_400(wa):
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"entry": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"entry": ' + b"9" * 5000 + b"}",
        b"[]",
        b'{"entry": "\xff"}',
    ):
        assert wa.post(body).status_code == 400, body[:20]


def test_reactions_and_statuses_get_no_answer(wa):
    sender = new_number()
    reaction = message(sender, "reaction", {"message_id": "wamid.x", "emoji": "\U0001f44d"})
    body = json.loads(webhook(reaction, image(sender)))
    value = body["entry"][0]["changes"][0]["value"]
    value["statuses"] = [{"id": "wamid.out", "status": "read", "recipient_id": sender}]
    assert wa.post(json.dumps(body).encode()).status_code == 200
    # one answer (to the image, handled after the reaction), nothing for the rest
    assert [shown(m) for m in wa.graph.wait_for(sender, 1)] == [PLEASE_TYPE]
    wa.say(sender, text(sender, "halo"))
    assert len(wa.graph.sent(sender)) == 2 and len(wa.user_events(sender)) == 1


def test_the_state_file_is_readable_by_its_owner_only(wa):
    state_db = wa.workdir / "whatsapp.db"
    files = [state_db] + [Path(f"{state_db}{end}") for end in ("-wal", "-shm")]
    assert all(file.exists() for file in files)
    assert [os.stat(file).st_mode & 0o777 for file in files] == [0o600] * 3


def test_a_start_handles_what_was_left_and_a_stop_finishes_what_is_in_hand(tmp_path):
    """Real start and stop listeners: pending messages of a killed server are handled at
    start (the recent one) or only logged (the stale one); at stop the messages in hand
    are finished while new POSTs get 503."""
    graph = FakeGraph()
    api_base = graph.start()
    state_db, left, stale = tmp_path / "whatsapp.db", new_number(), new_number()
    for sender, age in ((left, 60), (stale, 7200)):
        state = ChannelState(state_db, clock=lambda age=age: time.time() - age)
        state.claim(Inbound(f"wamid.{sender}", sender, "text", "halo"))
        state.close()
    running = real.start(tmp_path, seed=seed, extra_env=channel_env(api_base, tmp_path))
    stopper: threading.Thread | None = None
    try:
        wa = WhatsApp(running, graph, tmp_path)
        wa.wait_handled(left, f"wamid.{left}")
        assert wa.user_events(stale) == [] and graph.sent(stale) == []
        sql = "select status from handled where id in (?, ?)"
        until(
            lambda: rows_of(state_db, sql, f"wamid.{left}", f"wamid.{stale}") == [("done",)] * 2,
            WAIT,
            "both left messages done",
        )

        sender = new_number()
        graph.delay = 1.5  # each answer takes a while: three are in hand at the stop
        photos = [image(sender) for _ in range(3)]
        wa.send(*photos)
        graph.wait_for(sender, 1)
        stopper = threading.Thread(target=running.stop)
        stopper.start()
        time.sleep(1.0)
        late = text(new_number(), "halo")
        assert wa.post(webhook(late)).status_code == 503  # WhatsApp delivers it again later
        stopper.join(60)
        assert [shown(m) for m in graph.sent(sender)] == [PLEASE_TYPE] * 3
        ids = [photo["id"] for photo in photos]
        statuses = rows_of(state_db, "select status from handled where id in (?, ?, ?)", *ids)
        assert statuses == [("done",)] * 3
        assert rows_of(state_db, "select count(*) from handled where id = ?", late["id"]) == [(0,)]
    finally:
        if stopper is None:
            running.stop()
        else:
            stopper.join(60)
        graph.stop()
