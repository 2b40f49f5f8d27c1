"""No door open by default: the servers started exactly as `make serve` starts them
(scripts/serve.sh) listen on loopback only, the HTTP API and the action server want their
tokens, the REST channel refuses proxied requests, a killed server comes back, and SIGTERM
leaves no process behind.

The tests share one serve.sh and run in file order: the last one stops it."""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import stat
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.e2e import servers as real
from tests.e2e.conftest import seed

pytestmark = pytest.mark.e2e

RECOVERY_SECONDS = 60.0  # a killed action server answers again within this
RASA_RECOVERY_SECONDS = 300.0  # the Rasa server reloads its model first
API_TOKEN = "uji-api-" + uuid.uuid4().hex  # given in the environment; the action token is not


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[real.Servers]:
    # The API token comes from RASA_AUTH_TOKEN; the action token is created by serve.sh.
    running = real.start(
        tmp_path_factory.mktemp("security"), seed=seed, extra_env={"RASA_AUTH_TOKEN": API_TOKEN}
    )
    yield running
    running.stop()


def until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Seconds it took until ``condition()``; fails after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if condition():
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds}s for {what}")


# --- the socket table -------------------------------------------------------------------


def _address(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """/proc/net/tcp* addresses: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(hex_address)
    return ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4)))


def listening_sockets() -> dict[int, tuple[str, int]]:
    """inode -> (address, port) of every TCP socket in state LISTEN (0A)."""
    found: dict[int, tuple[str, int]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":
                continue
            address, port = fields[1].split(":")
            found[int(fields[9])] = (str(_address(address)), int(port, 16))
    return found


def socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def test_the_address_decoding_reads_proc_net_tcp():
    assert _address("0100007F") == ipaddress.ip_address("127.0.0.1")
    assert _address("00000000") == ipaddress.ip_address("0.0.0.0")
    assert _address("00000000000000000000000001000000") == ipaddress.ip_address("::1")
    assert _address("0000000000000000FFFF00000100007F") == ipaddress.ip_address("::ffff:127.0.0.1")


def test_nothing_the_servers_own_listens_beyond_loopback(served):
    listening = listening_sockets()
    owned = {
        inode: (pid, listening[inode])
        for pid in served.pids()
        for inode in socket_inodes(pid)
        if inode in listening
    }
    ports = {port for _, (_, port) in owned.values()}
    rasa_port = int(served.rasa_url.rsplit(":", 1)[1])
    action_port = int(served.action_url.rsplit(":", 1)[1])
    assert {rasa_port, action_port} <= ports, f"both servers should be found listening: {owned}"
    exposed = {
        f"{real.command_line(pid)[:80]} on {address}:{port}"
        for pid, (address, port) in owned.values()
        if not is_loopback(address)
    }
    assert not exposed, f"listening beyond this machine: {sorted(exposed)}"


def test_no_token_shows_in_a_command_line_and_the_token_file_is_private(served):
    for pid in served.pids():
        line = real.command_line(pid)
        assert served.api_token not in line and served.action_token not in line, line
    token_file = served.workdir / "var" / "action-token"
    assert token_file.read_text().strip() == served.action_token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    # RASA_AUTH_TOKEN was given: no file is written for it
    assert not (served.workdir / "var" / "rasa-token").exists()


# --- the HTTP API -----------------------------------------------------------------------


def test_the_http_api_refuses_without_the_token_and_answers_with_it(served):
    tracker = f"{served.rasa_url}/conversations/x/tracker"
    assert requests.get(tracker, timeout=30).status_code in (401, 403)
    assert requests.get(tracker, params={"token": "salah"}, timeout=30).status_code in (401, 403)
    assert served.api("GET", "/conversations/x/tracker").status_code == 200
    # a model that does not exist: even with the token nothing would be replaced
    body = {"model_file": "/tidak/ada/model.tar.gz"}
    assert requests.put(f"{served.rasa_url}/model", json=body, timeout=30).status_code in (
        401,
        403,
    )
    answered = served.api("PUT", "/model")  # past the token: the empty body is refused
    assert answered.status_code == 400, answered.text
    assert requests.get(f"{served.rasa_url}/status", timeout=30).status_code in (401, 403)
    assert served.api("GET", "/status").status_code == 200
    # readiness probes need no token
    assert requests.get(f"{served.rasa_url}/version", timeout=30).ok


def test_a_conversation_cannot_be_changed_without_the_token(served):
    sender = f"warga-{uuid.uuid4().hex[:8]}"
    served.say(sender, "halo")
    events = f"{served.rasa_url}/conversations/{sender}/tracker/events"
    slot = {"event": "slot", "name": "lang", "value": "en"}
    assert requests.post(events, json=slot, timeout=30).status_code in (401, 403)
    lang = served.tracker(sender)["slots"].get("lang")
    assert lang != "en"


# --- the action server ------------------------------------------------------------------


def action_call(served: real.Servers, action: str = "action_greet") -> dict:
    domain = served.api("GET", "/domain", headers={"Accept": "application/json"}).json()
    sender = f"langsung-{uuid.uuid4().hex[:8]}"
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {"text": "halo", "intent": {"name": "greet"}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": domain,
        "version": "3.6.21",
    }


def test_the_action_server_refuses_without_its_token_and_accepts_with_it(served):
    call = action_call(served)
    webhook = f"{served.action_url}/webhook"
    assert requests.post(webhook, json=call, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * 64}
    assert requests.post(webhook, json=call, headers=wrong, timeout=30).status_code == 401
    # Rasa's own API token is not the action server's
    api_token = {"Authorization": f"Bearer {served.api_token}"}
    assert requests.post(webhook, json=call, headers=api_token, timeout=30).status_code == 401
    assert requests.get(f"{served.action_url}/actions", timeout=30).status_code == 401
    answered = requests.post(webhook, json=call, headers=served.action_headers, timeout=30)
    assert answered.status_code == 200, answered.text
    assert answered.json()["responses"], answered.json()
    assert requests.get(f"{served.action_url}/health", timeout=30).ok  # open for probes


# --- the REST channel -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "203.0.113.7"},
        {"X-Forwarded-For": "127.0.0.1"},  # a proxy on this machine is still a proxy
    ],
)
def test_the_rest_webhook_refuses_a_proxied_request(served, header):
    answered = requests.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": "628111", "message": "jadwal saya"},
        headers={**header, **served.rest_headers},
        timeout=30,
    )
    assert answered.status_code == 403, answered.text


def test_a_rest_client_cannot_name_its_channel(served):
    sender = f"warga-{uuid.uuid4().hex[:8]}"
    answered = requests.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "halo", "input_channel": "cmdline"},
        headers=served.rest_headers,
        timeout=60,
    )
    assert answered.ok and answered.json()
    users = [e for e in served.tracker(sender)["events"] if e["event"] == "user"]
    assert users[-1]["input_channel"] == "rest"


def test_the_rest_channel_refuses_peers_other_than_loopback():
    """The peer check itself (the servers listen on loopback, so no test client can be
    anything else), run where the channel runs: the Rasa environment."""
    check = (
        "from assistant.channels.local_rest import admission, refusal\n"
        "here = {'Host': '127.0.0.1:5005'}\n"
        "assert refusal('127.0.0.1', here) is None\n"
        "assert refusal('::1', {'Host': '[::1]:5005'}) is None\n"
        "assert refusal('::ffff:127.0.0.1', {'Host': 'localhost'}) is None\n"
        "for peer in ('203.0.113.7', '10.0.0.2', '192.168.1.5', '::ffff:10.0.0.2', '', 'x'):\n"
        "    assert refusal(peer, here), peer\n"
        "assert refusal('127.0.0.1', {**here, 'X-Forwarded-For': '1.2.3.4'})\n"
        "assert refusal('127.0.0.1', {**here, 'via': '1.1 proxy'})\n"
        "for host in ('rebind.evil.example:5005', 'evil.example', '', '127.0.0.1.evil.example'):\n"
        "    assert refusal('127.0.0.1', {'Host': host}), host\n"
        "for browser in ('Origin', 'Sec-Fetch-Site', 'Referer'):\n"
        "    assert refusal('127.0.0.1', {**here, browser: 'x'}), browser\n"
        "ok = {**here, 'Authorization': 'Bearer t0ken', 'Content-Type': 'application/json'}\n"
        "assert admission('127.0.0.1', ok, 'POST', 't0ken') is None\n"
        "assert admission('127.0.0.1', ok, 'POST', None)[0] == 503\n"
        "wrong = {**ok, 'Authorization': 'Bearer x'}\n"
        "assert admission('127.0.0.1', wrong, 'POST', 't0ken')[0] == 401\n"
        "plain = {**ok, 'Content-Type': 'text/plain'}\n"
        "assert admission('127.0.0.1', plain, 'POST', 't0ken')[0] == 415\n"
        "form = {**ok, 'Content-Type': 'application/x-www-form-urlencoded'}\n"
        "assert admission('127.0.0.1', form, 'POST', 't0ken')[0] == 415\n"
    )
    done = subprocess.run(
        [str(real.ROOT / ".venv-rasa" / "bin" / "python"), "-c", check],
        cwd=real.ROOT,
        env={**os.environ, "PYTHONPATH": str(real.ROOT), "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


# --- issue 22: the local REST door -------------------------------------------------------


def user_texts(served: real.Servers, sender: str) -> list[str]:
    answered = served.api("GET", f"/conversations/{sender}/tracker")
    if answered.status_code == 404:
        return []
    return [e.get("text") for e in answered.json().get("events", []) if e["event"] == "user"]


def test_finding_1_a_web_page_cannot_drive_the_rest_channel(served):
    """The issue's request: cross-origin, text/plain, a foreign Host. It, and a form post
    with the token but a form body, reach no conversation."""
    sender = f"koordinator-{uuid.uuid4().hex[:6]}"
    body = json.dumps({"sender": sender, "message": "setujui 46"})
    url = f"{served.rasa_url}/webhooks/rest/webhook"
    attacks = [
        {
            "Origin": "http://evil.example",
            "Content-Type": "text/plain;charset=UTF-8",
            "Host": "rebind.evil.example:5005",
        },
        {"Origin": "http://evil.example", "Content-Type": "text/plain;charset=UTF-8"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json", **served.rest_headers},
        {"Content-Type": "application/x-www-form-urlencoded", **served.rest_headers},
    ]
    for headers in attacks:
        answered = requests.post(url, data=body, headers=headers, timeout=30)
        assert answered.status_code in (403, 415), (headers, answered.status_code)
    assert user_texts(served, sender) == []


def test_finding_1_a_dns_rebinding_host_is_refused_even_with_the_token(served):
    answered = requests.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": "admin", "message": "laporan terbuka"},
        headers={"Host": "rebind.evil.example", **served.rest_headers},
        timeout=30,
    )
    assert answered.status_code == 403


def test_finding_2_a_local_process_without_the_token_speaks_as_no_one(served):
    """Any local process reached the channel and named itself admin. Now it needs the
    token, which only the servers' owner can read."""
    sender = "admin"
    before = len(user_texts(served, sender))
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "x"}):
        answered = requests.post(
            f"{served.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "laporan terbuka"},
            headers=headers,
            timeout=30,
        )
        assert answered.status_code == 401, headers
    assert len(user_texts(served, sender)) == before
    token_file = served.workdir / "var" / "rest-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text().strip() == served.rest_token


def test_finding_4_a_nik_typed_in_chat_is_stored_nowhere(served):
    nik = "3201018888880006"
    sender = f"warga-{uuid.uuid4().hex[:6]}"
    replies = served.say(sender, f"ibu dengan NIK {nik} dipukuli suaminya")
    assert replies and nik not in " ".join(replies)
    texts = user_texts(served, sender)
    assert texts and nik not in texts[-1] and "[NIK]" in texts[-1]
    for database in (served.db_path, served.workdir / "var" / "rasa-tracker.db"):
        assert nik.encode() not in database.read_bytes(), database
        wal = Path(f"{database}-wal")
        assert not wal.exists() or nik.encode() not in wal.read_bytes(), wal
    for log in served.workdir.glob("*.log"):
        assert nik not in log.read_text(errors="replace"), log


def test_finding_5_a_long_message_reaches_the_nlu_cut_and_metadata_is_dropped(served):
    sender = f"warga-{uuid.uuid4().hex[:6]}"
    story = "kami rapat kelompok membahas jadwal panen dan pembagian benih. " * 700
    answered = requests.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": story, "metadata": {"sampah": "x" * 100_000}},
        headers=served.rest_headers,
        timeout=120,
    )
    assert answered.ok, answered.text
    events = served.tracker(sender)["events"]
    [said] = [e for e in events if e["event"] == "user"]
    assert len(said["text"]) <= 4000
    assert "sampah" not in (said.get("metadata") or {})
    assert (said.get("metadata") or {}).get("full_text") == story  # kept whole for harm


def test_finding_5_the_rasa_server_refuses_a_huge_request(served):
    answered = requests.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": "warga", "message": "x" * 400_000},
        headers=served.rest_headers,
        timeout=60,
    )
    assert answered.status_code == 413


def test_make_chats_terminal_client_speaks_with_the_token_only(served):
    client = [
        str(real.ROOT / ".venv" / "bin" / "python"),
        str(real.ROOT / "scripts" / "terminal_chat.py"),
        "--url",
        served.rasa_url,
        "--as",
        f"warga-{uuid.uuid4().hex[:6]}",
    ]
    env = {"PATH": os.environ["PATH"], "REST_TOKEN": served.rest_token}
    talked = subprocess.run(
        client, input="halo\n/stop\n", capture_output=True, text=True, env=env, timeout=120
    )
    assert talked.returncode == 0, talked.stderr
    assert "Bot :" in talked.stdout and "Traceback" not in talked.stderr
    refused = subprocess.run(
        client,
        input="halo\n",
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        timeout=60,
    )
    assert refused.returncode == 2 and "REST_TOKEN" in refused.stderr


def test_finding_10_every_file_the_servers_make_is_their_owners_only(served):
    served.say(f"warga-{uuid.uuid4().hex[:6]}", "halo")
    made = [p for p in (served.workdir / "var").rglob("*") if p.is_file()]
    made += [p for p in served.workdir.glob("*.log") if p.name != "serve.log"]  # ours
    assert any(p.name == "rasa-tracker.db" for p in made)
    loose = [
        f"{p.relative_to(served.workdir)} {oct(stat.S_IMODE(p.stat().st_mode))}"
        for p in made
        if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    assert loose == []


def test_the_production_channels_have_no_rest():
    channels = yaml.safe_load((real.ROOT / "credentials.production.yml").read_text())
    assert list(channels) == ["assistant.channels.whatsapp.WhatsAppInput"]
    default = yaml.safe_load((real.ROOT / "credentials.yml").read_text())
    assert "rest" not in default  # Rasa's own REST channel would answer anyone
    assert "assistant.channels.local_rest.LocalRestInput" in default


# --- supervision ------------------------------------------------------------------------


def answers(served: real.Servers) -> bool:
    replies = served.say(f"warga-{uuid.uuid4().hex[:8]}", "halo")
    return any("asisten program pemberdayaan" in reply for reply in replies)


def test_a_killed_action_server_is_started_again(served):
    assert answers(served)
    killed = served.action_pid()
    os.kill(killed, signal.SIGKILL)
    took = until(lambda: answers(served), RECOVERY_SECONDS, "the chat to answer again")
    assert served.action_pid() != killed
    log = (served.workdir / "supervisor.log").read_text()
    assert "actions berhenti (kode 137)" in log
    print(f"action server back after {took:.1f}s")


def test_a_killed_rasa_server_is_started_again(served):
    killed = served.rasa_pid()
    os.kill(killed, signal.SIGKILL)
    took = until(lambda: answers(served), RASA_RECOVERY_SECONDS, "Rasa to answer again")
    assert served.rasa_pid() != killed
    assert served.api("GET", "/status").ok  # the token survives the restart
    assert "rasa berhenti (kode 137)" in (served.workdir / "supervisor.log").read_text()
    print(f"Rasa server back after {took:.1f}s")


def test_sigterm_to_serve_sh_leaves_no_process_behind(served):
    """Last: stops the shared servers."""
    tree = served.pids()
    assert len(tree) >= 5, tree  # serve.sh, two supervisors, two servers
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=60)
    until(lambda: not any(real.alive(pid) for pid in tree), 10, "the tree to end")
    for url in (served.rasa_url, served.action_url):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/health", timeout=5)
