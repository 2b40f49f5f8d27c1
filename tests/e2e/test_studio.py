"""The trainer studio in a real browser: Debian's headless Chromium driven by Playwright
(``executable_path``: Playwright never downloads a browser here), against the real Rasa,
action and studio servers that serve.sh starts. Screenshots at 1280x720 and 1920x1080 go to
var/studio/; the page-load and answer-to-diagram times are printed (figures, not checks)."""

from __future__ import annotations

import io
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from assistant.studio import tokens
from tests.e2e.conftest import RINA, TRAINER

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "studio"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WAIT_MS = 90_000
DRAWN_KINDS: set[str] = set()  # kinds the studio server has drawn (the tests share one)


def wait_for_studio(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the studio did not answer at {url}")


@pytest.fixture(scope="module")
def studio(servers):
    wait_for_studio(servers.studio_url)
    secret = tokens.load_secret(servers.workdir / "var" / "studio-secret")
    return servers, secret


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium missing: run scripts/install_studio.sh"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def test_refused_links(studio):
    servers, secret = studio
    url = servers.studio_url
    cases = {
        "not_trainer": tokens.sign(RINA, secret),
        "expired": tokens.sign(TRAINER, secret, hours=1, now=time.time() - 7200),
        "forged": tokens.sign(TRAINER, b"x" * 64),
        "missing": "",
    }
    expected = {
        "not_trainer": "hanya untuk pelatih dan admin",
        "expired": "kedaluwarsa",
        "forged": "tidak sah",
        "missing": "lewat tautan bertoken",
    }
    for reason, token in cases.items():
        page = requests.get(f"{url}/", params={"token": token}, timeout=10)
        assert page.status_code == 403, reason
        assert expected[reason] in page.text and 'data-reason="' + reason in page.text
        api = requests.get(f"{url}/api/session", params={"token": token}, timeout=10)
        assert api.status_code == 403 and api.json()["refused"] == reason
    admin = requests.get(
        f"{url}/api/session", params={"token": tokens.sign("admin", secret)}, timeout=60
    )
    assert admin.status_code == 200 and admin.json()["persona"].startswith("studio.")


def test_a_graduation_shown_changed_exported_and_translated(studio, browser):
    servers, secret = studio
    link = f"{servers.studio_url}/?token={tokens.sign(TRAINER, secret)}"
    page = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page.goto(link)
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    load_ms = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load: n.loadEventEnd, ready: window.studioTimings.pageReady}; }"
    )
    assert page.inner_text("#chat-title") == "Percakapan"

    def say(message: str) -> str:
        before = page.locator("#messages li.reply").count()
        page.fill("#chat-input", message)
        page.click("#send")
        page.wait_for_function(
            f"() => document.querySelectorAll('#messages li.reply').length > {before}"
            " && !document.body.classList.contains('busy')",
            timeout=WAIT_MS,
        )
        return page.inner_text("#messages")

    say("cek graduasi Ani Lestari")
    say("2,7 jt")
    chat = say("iya udah berubah")
    assert "LULUS" in chat
    page.wait_for_selector("body[data-decision]", timeout=WAIT_MS)
    first = page.get_attribute("body", "data-decision")
    assert page.inner_text("#decision-id") == first
    taken = page.locator("#diagram svg g.node.taken").count()
    assert taken >= 5  # input, the two criteria, the score, the transition, the output
    assert page.locator("#rule-graduasi-transisi-lulus_asesmen_pertama.taken").count() == 1
    assert "3.3.7" in page.inner_text("#steps")
    turn = page.evaluate("() => window.studioTimings.turns.at(-1)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "studio-1280x720.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(SHOTS / "studio-1920x1080.png"))

    # what if: income below the UMK
    page.fill("#wi-income_monthly", "2000000")
    page.click("#rerun")
    page.wait_for_function(
        f"() => document.body.dataset.decision && document.body.dataset.decision !== '{first}'",
        timeout=WAIT_MS,
    )
    changes = page.inner_text("#changes")
    assert "income_monthly: 2700000 → 2000000" in changes
    assert "graduasi.transisi.belum_lulus_asesmen_pertama" in changes
    assert page.locator("#rule-graduasi-transisi-belum_lulus_asesmen_pertama.added").count() == 1
    assert page.locator("#rule-graduasi-transisi-lulus_asesmen_pertama.dropped").count() == 1
    second = page.get_attribute("body", "data-decision")
    page.screenshot(path=str(SHOTS / "studio-whatif-1920x1080.png"))
    # nothing of it reached the real database
    with sqlite3.connect(servers.db_path) as real:
        stored = real.execute(
            "select count(*) from decisions where id in (?, ?)", (first, second)
        ).fetchone()
    assert stored == (0,)

    # the path as a PNG slide: a real download, by clicking "Unduh PNG"
    from PIL import Image

    href = page.get_attribute("#export-png", "href")
    assert href and href.startswith(f"/api/export/png/{second}")
    with page.expect_download(timeout=WAIT_MS) as downloading:
        page.click("#export-png")
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename == f"keputusan-graduation-{second[:8]}.png"
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).size == (1920, 1080)
    handout = requests.get(
        f"{servers.studio_url}/api/export/pdf/{second}",
        params={"token": tokens.sign(TRAINER, secret)},
        timeout=60,
    )
    assert handout.ok and handout.content.startswith(b"%PDF")
    assert handout.content.count(b"/Type /Page\n") + handout.content.count(b"/Type /Page ") <= 1

    # English
    page.click("#lang-en")
    page.wait_for_function(
        "() => document.getElementById('chat-title').textContent === 'Conversation'",
        timeout=WAIT_MS,
    )
    assert page.inner_text("#reset") == "Reset sandbox"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.screenshot(path=str(SHOTS / "studio-english-1920x1080.png"))
    draws = page.evaluate("() => window.studioTimings.draws")
    page.close()
    diagram_ms = (turn["diagram"] - turn["reply"]) if turn.get("diagram") else None
    print(
        f"\n[studio] page load {load_ms['load']:.0f} ms"
        f" (ready with its data {load_ms['ready']:.0f} ms);"
        f" message to reply {turn['reply'] - turn['sent']:.0f} ms;"
        f" reply to updated diagram {diagram_ms:.0f} ms"
    )
    print_draws(draws)


def print_draws(draws: list[dict[str, Any]]) -> None:
    """Each drawing's request-to-diagram time; the first of a kind in the server's life is
    cold (its flow is worked out, a few hundred engine runs), later ones warm."""
    for draw in draws:
        state = "warm" if draw["kind"] in DRAWN_KINDS else "cold"
        DRAWN_KINDS.add(draw["kind"])
        print(f"[studio] {draw['action']:<8} {draw['kind']:<11} {state:<5} {draw['ms']:.0f} ms")


def play(page: Any, scenario: str) -> str:
    """Pick a scenario in "Skenario", press "Putar", wait for its decision; its id."""
    before = page.get_attribute("body", "data-decision")
    page.select_option("#scenario", scenario)
    page.wait_for_selector("#note:not([hidden])", timeout=WAIT_MS)
    page.click("#play")
    page.wait_for_function(
        "(before) => !document.body.classList.contains('busy')"
        " && document.body.dataset.decision && document.body.dataset.decision !== before",
        arg=before,
        timeout=WAIT_MS,
    )
    return str(page.get_attribute("body", "data-decision"))


def persona(page: Any, url: str, token: str) -> str:
    return str(page.request.get(f"{url}/api/session", params={"token": token}).json()["persona"])


def test_scenarios_played_and_the_sandbox_reset(studio, browser):
    servers, secret = studio
    token = tokens.sign(TRAINER, secret)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{servers.studio_url}/?token={token}")
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert page.inner_text("#play") == "Putar"

    # a scenario with inputs: decided at once, its path and id on the right
    large = play(page, "konflik_sosial_budaya")
    assert page.inner_text("#decision-id") == large
    assert "konflik besar" in page.inner_text("#note")
    for rule in ("tipe-sosial_budaya", "eskalasi-banyak_pihak", "kategori-besar", "langkah"):
        assert page.locator(f"#rule-konflik-{rule}.taken").count() == 1, rule
    assert page.locator("#rule-konflik-kategori-kecil.taken").count() == 0
    assert "3.3.5" in page.inner_text("#steps")
    assert "besar" in page.inner_text("#conclusions")
    assert page.get_attribute("#export-png", "href").startswith(f"/api/export/png/{large}")
    page.screenshot(path=str(SHOTS / "studio-scenario-1280x720.png"))

    # another conflict: a different path (and the kind's flow is now warm)
    small = play(page, "konflik_komunikasi")
    assert small != large and page.inner_text("#decision-id") == small
    assert page.locator("#rule-konflik-kategori-kecil.taken").count() == 1
    assert page.locator("#rule-konflik-kategori-besar.taken").count() == 0

    # a scenario of chat messages: typed one by one, the decision follows the conversation
    replies = page.locator("#messages li.reply").count()
    budi = play(page, "budi_belum_lulus")
    page.wait_for_function(
        f"() => document.querySelectorAll('#messages li.reply').length >= {replies + 3}"
        " && !document.body.classList.contains('busy')",
        timeout=WAIT_MS,
    )
    chat = page.inner_text("#messages")
    assert "cek graduasi Budi Hartono" in chat and "1,8 jt" in chat
    budi = str(page.get_attribute("body", "data-decision"))
    assert budi not in (large, small) and page.inner_text("#decision-id") == budi
    assert page.locator("#rule-graduasi-transisi-belum_lulus_asesmen_pertama.taken").count() == 1

    # reset: a new persona, an empty conversation and panel, the sample households afresh
    was = persona(page, servers.studio_url, token)
    page.click("#reset")
    page.wait_for_function(
        "() => !document.body.classList.contains('busy')"
        " && document.querySelectorAll('#messages li').length === 1",
        timeout=WAIT_MS,
    )
    assert (
        page.inner_text("#messages")
        == "Sandbox diatur ulang: contoh rumah tangga baru, percakapan baru."
    )
    assert page.get_attribute("body", "data-decision") is None
    assert page.inner_text("#decision-id") == "-"
    assert page.locator("#diagram svg").count() == 0
    assert page.is_visible("#empty") and not page.is_visible("#export-png")
    assert page.input_value("#scenario") == ""
    now = persona(page, servers.studio_url, token)
    assert now != was and now.startswith("studio.")

    # Budi again from the start: asked for the income, then the first assessment again
    for message in ("cek graduasi Budi Hartono", "1,8 jt", "iya sudah berubah"):
        before = page.locator("#messages li.reply").count()
        page.fill("#chat-input", message)
        page.click("#send")
        page.wait_for_function(
            f"() => document.querySelectorAll('#messages li.reply').length > {before}"
            " && !document.body.classList.contains('busy')",
            timeout=WAIT_MS,
        )
    page.wait_for_selector("body[data-decision]", timeout=WAIT_MS)
    again = str(page.get_attribute("body", "data-decision"))
    assert again != budi
    assert page.locator("#rule-graduasi-transisi-belum_lulus_asesmen_pertama.taken").count() == 1
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(SHOTS / "studio-reset-replayed-1920x1080.png"))
    draws = page.evaluate("() => window.studioTimings.draws")
    page.close()
    print()
    print_draws(draws)


# --- issue 22: a page of another origin can drive neither the REST channel nor the studio --

EVIL_PAGE = """<!doctype html><title>hadiah</title><script>
const rest = %(rest)s, studio = %(studio)s, token = %(token)s, sender = %(sender)s;
const plain = {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}};
Promise.allSettled([
  fetch(rest, {...plain, body: JSON.stringify({sender, message: "setujui 46"})}),
  fetch(rest, {method: "POST", headers: {"Content-Type": "application/json"},
               body: JSON.stringify({sender, message: "laporan terbuka"})}),
  fetch(studio + "/api/reset?token=" + token, {...plain, body: "{}"}),
  fetch(studio + "/api/chat?token=" + token, {...plain,
        body: JSON.stringify({message: "cek graduasi bu siti"})}),
  fetch(studio + "/api/session?token=" + token).then(r => r.text()).then(t => window.leak = t),
]).then(() => { document.title = "selesai"; });
</script>"""


def test_finding_1_and_8_a_page_of_another_origin_changes_nothing(studio, browser, tmp_path):
    import json
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    servers, secret = studio
    token = tokens.sign(TRAINER, secret)
    own = {"Authorization": f"Bearer {token}"}
    before = requests.get(f"{servers.studio_url}/api/session", headers=own, timeout=60).json()
    sender = f"koordinator-{int(time.time())}"
    (tmp_path / "index.html").write_text(EVIL_PAGE % {
        "rest": json.dumps(f"{servers.rasa_url}/webhooks/rest/webhook"),
        "studio": json.dumps(servers.studio_url), "token": json.dumps(token),
        "sender": json.dumps(sender),
    })

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    evil = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/index.html")
        page.wait_for_function("() => document.title === 'selesai'", timeout=WAIT_MS)
        leaked = page.evaluate("() => window.leak || ''")
        page.close()
    finally:
        evil.shutdown()
    assert token not in leaked and "persona" not in leaked  # the answer is not readable
    tracker = servers.api("GET", f"/conversations/{sender}/tracker")
    said = [e for e in tracker.json().get("events", []) if e["event"] == "user"]
    assert said == []
    after = requests.get(f"{servers.studio_url}/api/session", headers=own, timeout=60).json()
    assert after["persona"] == before["persona"]  # no reset
    persona = servers.api("GET", f"/conversations/{before['persona']}/tracker").json()
    assert not [e for e in persona.get("events", []) if e["event"] == "user"
                and "bu siti" in (e.get("text") or "")]
