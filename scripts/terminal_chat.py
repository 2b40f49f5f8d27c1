"""`make chat`: talk to the assistant in this terminal, through the REST channel with its
token (scripts/chat.sh starts the servers and runs this).

    .venv/bin/python scripts/terminal_chat.py --url http://127.0.0.1:5005 [--as 628111]

Speaks as the registered user given with --as (`make chat AS=628111`), else as a fresh
anonymous sender. The token comes from REST_TOKEN (set by scripts/servers.sh); nobody
without it can speak through the channel. Type /stop (or Ctrl-D) to leave."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import urllib.error
import urllib.request
import uuid

STOP = {"/stop", "/keluar", "/exit", "/quit"}
TIMEOUT_SECONDS = 120


def say(url: str, token: str, sender: str, message: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
        replies = json.loads(answer.read().decode("utf-8"))
    return [r for r in replies if isinstance(r, dict)]


def shown(reply: dict[str, object], width: int) -> str:
    lines = []
    for paragraph in str(reply.get("text") or "").splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width) or [""]
    buttons = reply.get("buttons")
    if isinstance(buttons, list):
        lines += [f"  {n}. {b.get('title', '')}" for n, b in enumerate(buttons, 1)
                  if isinstance(b, dict)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument("--as", dest="sender", default=os.environ.get("ASSISTANT_CHAT_USER"))
    args = parser.parse_args(argv)
    token = os.environ.get("REST_TOKEN", "")
    if not token:
        print("[chat] REST_TOKEN belum diset; jalankan lewat 'make chat'.", file=sys.stderr)
        return 2
    sender = args.sender or f"terminal-{uuid.uuid4().hex}"
    width = max(40, min(100, os.get_terminal_size(0).columns - 6 if sys.stdin.isatty() else 94))
    print("Ketik pesan seperti di WhatsApp ('menu' untuk pilihan, /stop untuk keluar).")
    while True:
        try:
            message = input("Anda: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not message:
            continue
        if message.lower() in STOP:
            return 0
        try:
            replies = say(args.url.rstrip("/"), token, sender, message)
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            print(f"[chat] server tidak menjawab ({error}); coba lagi sebentar lagi.")
            continue
        for reply in replies:
            print("Bot : " + shown(reply, width).replace("\n", "\n      "))


if __name__ == "__main__":
    sys.exit(main())
