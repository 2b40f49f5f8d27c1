"""Scale-out mode (scripts/cluster.sh): two real Rasa servers behind nginx, the
conversations in PostgreSQL, the per-conversation lock and the WhatsApp channel's state
in Redis, a fake Graph API. Each test talks to the two servers directly where it matters
which one answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests

from assistant.casework.service import Casework
from assistant.channels.turns import EMPTY_TURN
from assistant.channels.whatsapp_payloads import signature_for
from assistant.store.db import Store
from assistant.store.records import User
from tests.e2e import cluster as scale
from tests.e2e.conftest import RINA, seed
from tests.e2e.test_whatsapp import (
    ACCESS_TOKEN,
    APP_SECRET,
    OPTED_OUT,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    WAIT,
    FakeGraph,
    new_number,
    shown,
    text,
    until,
    webhook,
)

pytestmark = pytest.mark.e2e

RATE_PER_MINUTE = 6
TOO_MANY = "Terlalu banyak pesan"
OPTED_IN = "Selamat datang kembali"


@dataclass
class Running:
    cluster: scale.Cluster
    graph: FakeGraph
    graph_base: str  # the fake Graph API's address

    @property
    def first(self) -> str:
        return self.cluster.rasa_urls[0]

    @property
    def second(self) -> str:
        return self.cluster.rasa_urls[1]

    def post(self, url: str, body: bytes) -> requests.Response:
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature_for(body, APP_SECRET),
        }
        return requests.post(
            f"{url}/webhooks/whatsapp/webhook", data=body, headers=headers, timeout=60
        )

    def whatsapp_texts(self, number: str) -> list[str]:
        """What the person saw, in order."""
        return [shown(message) for message in self.graph.sent(number)]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    graph = FakeGraph()
    base = graph.start()
    try:
        cluster = scale.start(
            tmp_path_factory.mktemp("cluster"),
            rasa_servers=2,
            seed=seed,
            extra_env={
                "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
                "WHATSAPP_APP_SECRET": APP_SECRET,
                "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                "WHATSAPP_API_BASE": base,
                "WHATSAPP_RATE_PER_MINUTE": str(RATE_PER_MINUTE),
            },
        )
        try:
            yield Running(cluster, graph, base)
        finally:
            cluster.stop()
    finally:
        graph.stop()


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


def test_a_form_whose_turns_alternate_between_the_servers_completes(running):
    cluster = running.cluster
    first = joined(cluster.say(RINA, "cek graduasi bu siti", url=running.first))
    assert "Siti Aminah" in first and "pendapatan" in first.lower()
    assert "pola pikir" in joined(cluster.say(RINA, "2,6 jt", url=running.second)).lower()
    reply = joined(cluster.say(RINA, "iya udah berubah", url=running.first))
    assert "LULUS" in reply and "Tersimpan" in reply

    official = f"desa-{uuid.uuid4().hex[:8]}"
    turns = [
        ("ada warga protes dana bantuan dibagi gak merata", "Seberapa luas"),
        ("2", "Apakah konflik ini bisa menghentikan"),
        ("gak", "kekerasan"),
        ("tidak ada", "sedang"),
    ]
    for number, (message, expected) in enumerate(turns):
        url = cluster.rasa_urls[number % 2]
        assert expected in joined(cluster.say(official, message, url=url))
    # Both servers see the same conversation, in order; so does the proxy.
    for url in [*cluster.rasa_urls, cluster.proxy_url]:
        events = cluster.tracker(official, url=url)["events"]
        assert [e["text"] for e in events if e["event"] == "user"] == [m for m, _ in turns]


def test_one_persons_simultaneous_messages_are_handled_one_at_a_time(running):
    """Six messages at once, three to each server: with the Redis lock every turn runs on
    the conversation as the one before left it, so each user message is stored once,
    followed by the bot's answer to it and a wait for the next message. Issue 15: with
    Rasa's own RedisLockStore two servers could take the same ticket, run two turns on the
    same stored conversation, and the turn saved second lost its first events - the person
    got an answer, but the message was not in the conversation any more."""
    cluster = running.cluster
    sender = f"warga-{uuid.uuid4().hex[:8]}"
    messages = ["halo", "apa itu PENA?", "menu", "resep rendang dong", "apa itu KUR?", "makasih"]
    with ThreadPoolExecutor(len(messages)) as pool:
        answers = list(
            pool.map(
                lambda pair: cluster.say(sender, pair[1], url=cluster.rasa_urls[pair[0] % 2]),
                enumerate(messages),
            )
        )
    # Every message got a real answer, not the turn guard's "could not answer" (what a
    # message that failed to get the lock is answered with).
    assert all(answers) and not any(EMPTY_TURN["id"] in a for a in answers), answers
    # The tracker endpoint returns every stored event of every session.
    events = cluster.tracker(sender)["events"]
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    stored = [events[i]["text"] for i in users]
    assert sorted(stored) == sorted(messages), stored  # each stored exactly once
    for index in users:
        before = [e for e in events[:index] if e["event"] in ("action", "user")]
        assert before and before[-1]["event"] == "action", events[index]
        assert before[-1]["name"] == "action_listen", (events[index]["text"], before[-1])
    for number, index in enumerate(users):
        end = users[number + 1] if number + 1 < len(users) else len(events)
        turn = events[index + 1 : end]
        actions = [e for e in turn if e["event"] == "action"]
        assert actions and actions[-1]["name"] == "action_listen", events[index]["text"]
        assert any(e["name"] != "action_listen" for e in actions), "a turn without an answer"
        # What was stored after the message is what its sender was answered.
        said = "\n\n".join(e["text"] for e in turn if e["event"] == "bot" and e.get("text"))
        asked = messages.index(events[index]["text"])
        assert said == "\n\n".join(answers[asked]), (events[index]["text"], said, answers[asked])


def test_the_lock_holds_across_processes(running):
    """The cluster's lock store (deploy/endpoints.cluster.yml) from three processes at once,
    90 turns of one conversation, each a read, a pause and a write of a counter: none gets
    a LockError and none overlaps another (Rasa's own RedisLockStore loses tickets here:
    the counter ends far below 90, and waiters whose ticket was lost never get the lock)."""
    cluster = running.cluster
    conversation = f"contention-{uuid.uuid4().hex[:8]}"
    env = {
        **cluster.env,
        "REDIS_PASSWORD": cluster.redis_password,
        "POSTGRES_PASSWORD": cluster.postgres_password,
        "POSTGRES_DB": "rasa",
        "POSTGRES_USER": "rasa",
        "ACTION_SERVER_TOKEN": "unused",
    }
    python = scale.ROOT / ".venv-rasa" / "bin" / "python"
    script = scale.ROOT / "tests" / "e2e" / "lock_contention.py"
    processes = [
        subprocess.Popen(
            [str(python), str(script), conversation, "30"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        results = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [p.returncode for p in processes] == [0, 0, 0], [err[-2000:] for _, err in results]
    assert [out.split()[-1] for out, _ in results] == ["0", "0", "0"]  # no LockError
    assert cluster.redis_cli("get", f"test:counter:{conversation}") == "90"
    assert cluster.redis_cli("exists", f"lock:{conversation}") == "0"  # nothing left behind


def test_the_same_whatsapp_message_delivered_to_both_servers_is_handled_once(running):
    cluster, number = running.cluster, new_number()
    body = webhook(text(number, "apa itu PENA?"))
    with ThreadPoolExecutor(2) as pool:
        statuses = list(
            pool.map(lambda url: running.post(url, body).status_code, cluster.rasa_urls)
        )
    assert statuses == [200, 200]
    running.graph.wait_for(number, 1)
    # Two more messages, each after the answer to the one before, and a late retry of the
    # first to each server: every turn is there once.
    for url, message in ((cluster.rasa_urls[1], "menu"), (cluster.rasa_urls[0], "makasih")):
        for retry_to in cluster.rasa_urls:
            assert running.post(retry_to, body).status_code == 200
        handled = len(cluster.user_texts(number))
        assert running.post(url, webhook(text(number, message))).status_code == 200
        until(
            lambda count=handled: len(cluster.user_texts(number)) > count,
            WAIT,
            f"the turn of {message}",
        )
    assert cluster.user_texts(number) == ["apa itu PENA?", "menu", "makasih"]


def test_an_opt_out_on_one_server_holds_on_the_other(running):
    number = new_number()
    assert running.post(running.first, webhook(text(number, "STOP"))).status_code == 200
    running.graph.wait_for(number, 1)
    assert running.whatsapp_texts(number) == [OPTED_OUT]
    assert running.post(running.second, webhook(text(number, "apa itu PENA?"))).status_code == 200
    assert running.post(running.second, webhook(text(number, "MULAI"))).status_code == 200
    running.graph.wait_for(number, 2)
    sent = running.whatsapp_texts(number)
    # Nothing answered the message sent while opted out; MULAI was answered by the other server.
    assert len(sent) == 2 and OPTED_IN in sent[1], sent
    assert "apa itu PENA?" not in running.cluster.user_texts(number)


def test_the_rate_limit_counts_messages_on_both_servers(running):
    """Six a minute per number: the seventh and eighth, whichever server gets them, are
    dropped with one notice. Two servers each counting alone would let all eight through."""
    number = new_number()
    messages = [f"apa itu PENA? ({n})" for n in range(8)]
    for n, body in enumerate(messages):
        url = running.cluster.rasa_urls[n % 2]
        assert running.post(url, webhook(text(number, body))).status_code == 200
    until(lambda: any(TOO_MANY in t for t in running.whatsapp_texts(number)), WAIT, "the notice")
    until(lambda: len(running.cluster.user_texts(number)) >= RATE_PER_MINUTE, WAIT, "six turns")
    handled = running.cluster.user_texts(number)
    # the bucket refills one message every ten seconds: at most one more got through
    assert RATE_PER_MINUTE <= len(handled) <= RATE_PER_MINUTE + 1 < len(messages), handled
    assert sum(TOO_MANY in t for t in running.whatsapp_texts(number)) == 1


def test_while_redis_does_not_answer_the_webhook_asks_for_a_retry_and_nothing_is_lost(running):
    cluster = running.cluster
    number = new_number()
    body = webhook(text(number, "apa itu PENA?"))
    redis = cluster.pid_of("redis-server")
    os.kill(redis, signal.SIGSTOP)
    try:
        refused = running.post(running.first, body)
    finally:
        os.kill(redis, signal.SIGCONT)
    # 503: WhatsApp delivers the message again later; no traceback reaches the person.
    assert refused.status_code == 503
    assert running.graph.sent(number) == []
    # WhatsApp's retry, once Redis answers again, is handled.
    assert running.post(running.second, body).status_code == 200
    running.graph.wait_for(number, 1)
    assert "Kementerian Sosial" in joined(running.whatsapp_texts(number))
    assert cluster.user_texts(number) == ["apa itu PENA?"]


def test_reminders_read_the_opt_outs_from_the_clusters_redis(running):
    """`assistant reminders run` with REDIS_URL, as the cron job of scale-out mode runs it:
    a number that sent STOP to one of the Rasa servers gets no reminder, another number
    with the same kind of overdue work gets one (issue 21: redis was missing from the core
    environment, and the command ended in a traceback)."""
    cluster = running.cluster
    db = cluster.workdir / "e2e.db"
    opted, other = new_number(), new_number()
    work = Casework(Store(db))
    admin = work.user("admin")
    for number in (opted, other):
        work.add_user(admin, User(id=number, name=f"Pendamping {number[-4:]}", role="pendamping"))
        facilitator = work.user(number)
        household = work.register(facilitator, name=f"Ibu {number[-3:]}", village_id="sukamaju",
                                  gender="P", program="pena")
        work.assess(facilitator, household.id, income="1,5 jt", mindset_changed=False,
                    significant_change=False, assessed_on=date.today() - timedelta(days=40))
    work.store.close()
    assert running.post(running.first, webhook(text(opted, "STOP"))).status_code == 200
    running.graph.wait_for(opted, 1)

    redis_url = f"redis://:{cluster.redis_password}@127.0.0.1:{cluster.redis_port}/1"
    ran = subprocess.run(
        [str(scale.ROOT / ".venv" / "bin" / "assistant"), "--db", str(db), "reminders", "run",
         "--json"],
        capture_output=True, text=True, timeout=120, cwd=scale.ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(cluster.var_dir),
            "ASSISTANT_VAR_DIR": str(cluster.var_dir),
            "REDIS_URL": redis_url,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": running.graph_base,
            "WHATSAPP_REMINDER_TEMPLATE": "pengingat_tugas",
            "ASSISTANT_REMINDER_QUIET_HOURS": "23:59-00:00",
        },
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    report = json.loads(ran.stdout)
    assert report["opted_out"] >= 1, report
    assert running.whatsapp_texts(opted) == [OPTED_OUT]
    running.graph.wait_for(other, 1)
    assert len(running.graph.sent(other)) == 1
