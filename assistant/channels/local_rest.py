"""The REST channel, for this machine only: POST /webhooks/rest/webhook.

Rasa's REST channel believes whatever sender id it is given, so whoever reaches it can
speak as any facilitator or admin. This channel (name ``rest``, same URL) answers only
requests whose peer address is loopback and that carry no proxy header: a request that
came through a reverse proxy - even one on this machine - is refused with 403, so the
REST channel never becomes public by a proxy rule that forwards too much. It also ignores
the ``input_channel`` a client may name in the body (Rasa's channel takes it as given):
every message arrives as ``rest``.

Every turn's replies are held to the turn invariants (``assistant.channels.turns``).

Loaded inside the Rasa server: imports only the standard library, sanic, rasa and
``assistant.channels.*``.
"""

from __future__ import annotations

import ipaddress
import logging
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


def refusal(peer: str, headers: Mapping[str, str]) -> str | None:
    """Why a request may not use the REST channel, or None when it may."""
    if not is_loopback(peer):
        return f"peer {peer or '(unknown)'} is not loopback"
    present = sorted({name.lower() for name in headers} & set(PROXY_HEADERS))
    if present:
        return f"proxy header {', '.join(present)}"
    return None


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
            reason = refusal(request.ip, request.headers)
            if reason is None:
                return None
            logger.warning("REST channel: refused %s %s (%s)", request.method, request.path, reason)
            return response.json(
                {"error": "The REST channel answers only on this machine, never through a proxy."},
                status=403,
            )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender = await self._extract_sender(request)
            collector = WholeMessages()
            try:
                await on_new_message(
                    UserMessage(
                        self._extract_message(request),
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                logger.error("REST channel: a message timed out for %s", sender)
            except Exception:
                logger.exception("REST channel: a message failed for %s", sender)
            return response.json(shape_turn(collector.messages, str(sender or "")))

        return webhook
