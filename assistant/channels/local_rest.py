"""The REST channel, for this machine only: POST /webhooks/rest/webhook.

Rasa's REST channel believes whatever sender id it is given, so whoever reaches it can
speak as any facilitator or admin. This channel (name ``rest``, same URL) answers only the
operator's own tools - `make chat`, the trainer studio, the tests, load tests - and refuses:

- a request without ``Authorization: Bearer <REST_TOKEN>`` (401): another Unix user of
  the machine cannot read the token file ($ASSISTANT_VAR_DIR/rest-token, mode 0600), so
  cannot speak as anyone. Without a token configured the channel answers 503;
- a request from a browser (``Origin``, ``Sec-Fetch-Site`` or ``Referer``), for a Host
  other than loopback (DNS rebinding), or with a body that is not ``application/json``
  (a cross-origin form or ``text/plain`` POST) (403, 415);
- a request whose peer address is not loopback, or that came through a reverse proxy
  (403), so that the channel never becomes public by a proxy rule that forwards too much.

It also ignores the ``input_channel`` and ``metadata`` a client may send (Rasa's channel
stores them as given): every message arrives as ``rest``. NIKs in the message are masked
and at most 4,000 characters reach the NLU (``assistant.common.free_text``); a longer
message is kept whole in the metadata for a report of harm.

The channel is served only when asked for: `make chat`, the tests, and `make serve` with
ASSISTANT_REST=1 (scripts/serve.sh picks credentials.yml then, else the WhatsApp-only
credentials.production.yml).

Every turn's replies are held to the turn invariants (``assistant.channels.turns``).

Loaded inside the Rasa server: imports only the standard library, sanic, rasa and
``assistant.channels.*``.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.collecting import WholeMessages
from assistant.channels.turns import shape_turn
from assistant.common.free_text import FULL_TEXT, for_nlu

logger = logging.getLogger(__name__)

# Headers a reverse proxy adds; their presence means the request did not start here.
PROXY_HEADERS = (
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
    "via",
)


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1); nothing else."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


# Headers a browser adds to a request a web page makes; the channel's own clients send none.
BROWSER_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode", "referer")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_VARIABLE = "REST_TOKEN"


def is_loopback_host(host: str) -> bool:
    """The Host header names this machine: 127.0.0.1, localhost or [::1], any port."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name in LOOPBACK_HOSTS or is_loopback(name)


def refusal(peer: str, headers: Mapping[str, str]) -> str | None:
    """Why a request may not use the REST channel, or None when it may (the token and the
    content type are checked apart, see :func:`admission`)."""
    if not is_loopback(peer):
        return f"peer {peer or '(unknown)'} is not loopback"
    names = {name.lower() for name in headers}
    present = sorted(names & set(PROXY_HEADERS))
    if present:
        return f"proxy header {', '.join(present)}"
    browser = sorted(names & set(BROWSER_HEADERS))
    if browser:
        return f"browser header {', '.join(browser)}"
    host = next((value for name, value in headers.items() if name.lower() == "host"), "")
    if not is_loopback_host(host):
        return f"host {host or '(none)'} is not this machine"
    return None


def admission(
    peer: str, headers: Mapping[str, str], method: str, token: str | None
) -> tuple[int, str] | None:
    """(HTTP status, reason) for a request the channel refuses, or None."""
    reason = refusal(peer, headers)
    if reason is not None:
        return 403, reason
    if method != "POST":
        return None
    if not token:
        return 503, f"no token configured ({TOKEN_VARIABLE})"
    given = next((v for n, v in headers.items() if n.lower() == "authorization"), "")
    scheme, _, presented = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), token.encode()
    ):
        return 401, "missing or wrong token"
    kind = next((v for n, v in headers.items() if n.lower() == "content-type"), "")
    if kind.split(";")[0].strip().lower() != "application/json":
        return 415, f"content type {kind or '(none)'} is not application/json"
    return None


MESSAGES = {
    401: "The REST channel needs its token (Authorization: Bearer ...).",
    403: "The REST channel answers only this machine's own tools, never a browser or a proxy.",
    415: "The REST channel takes application/json only.",
    503: "The REST channel has no token configured (REST_TOKEN).",
}


class LocalRestInput(RestInput):
    """Rasa's REST channel, refused (403) to anything but a local, unproxied client."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (health) and POST /webhook, like Rasa's REST channel; replies are collected
        whole and held to the turn invariants. (No streaming: nothing here needs it.)"""
        webhook = Blueprint("local_rest_webhook", __name__)

        @webhook.middleware("request")
        async def local_only(request: Request) -> HTTPResponse | None:
            refused = admission(
                request.ip, request.headers, request.method, os.environ.get(TOKEN_VARIABLE)
            )
            if refused is None:
                return None
            status, reason = refused
            logger.warning("REST channel: refused %s %s (%s)", request.method, request.path, reason)
            return response.json({"error": MESSAGES[status]}, status=status)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            said = body.get("message")
            if not isinstance(sender, str) or not sender or not isinstance(said, str):
                return response.json(
                    {"error": "Send {\"sender\": \"...\", \"message\": \"...\"}."}, status=400
                )
            text, whole = for_nlu(said)
            collector = WholeMessages()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender[:128],
                        input_channel=self.name(),
                        metadata={FULL_TEXT: whole} if whole else None,
                    )
                )
            except CancelledError:
                logger.error("REST channel: a message timed out for %s", sender)
            except Exception:
                logger.exception("REST channel: a message failed for %s", sender)
            return response.json(shape_turn(collector.messages, sender))

        return webhook
