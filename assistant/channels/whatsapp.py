"""WhatsApp Business Cloud API input channel for the Rasa server.

Webhook: GET/POST /webhooks/whatsapp/webhook. Loaded inside the Rasa server, so it imports
only the standard library, sanic, aiohttp, rasa and ``assistant.channels.*``.

Configuration comes from the environment (``WHATSAPP_*``, see ``ENVIRONMENT``); the
``assistant.channels.whatsapp.WhatsAppInput:`` entry of credentials.yml may give the
non-secret values, and the environment wins. Without the secrets the server still starts
and the webhook answers 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.whatsapp_payloads import (
    SIGNATURE_HEADER,
    Inbound,
    buttons_message,
    inbound_messages,
    is_opt_in,
    is_opt_out,
    list_message,
    outgoing,
    signature_valid,
    text_message,
    token_matches,
)
from assistant.channels.whatsapp_state import ChannelState, RateLimiter

logger = logging.getLogger(__name__)

# setting -> environment variable
ENVIRONMENT = {
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    "api_base": "WHATSAPP_API_BASE",
    "api_version": "WHATSAPP_API_VERSION",
    "state_db": "WHATSAPP_STATE_DB",
    "rate_per_minute": "WHATSAPP_RATE_PER_MINUTE",
}
DEFAULTS = {
    "api_base": "https://graph.facebook.com",
    "api_version": "v21.0",
    "state_db": "var/whatsapp.db",
    "rate_per_minute": "20",
}
REQUIRED = ("verify_token", "app_secret", "access_token", "phone_number_id")
SECRETS = ("verify_token", "app_secret", "access_token")

OPTED_OUT = "Anda tidak akan menerima pesan lagi. Ketik MULAI untuk kembali."
OPTED_IN = "Selamat datang kembali. Anda akan menerima pesan lagi. Ketik STOP untuk berhenti."
PLEASE_TYPE = "Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda."
TOO_MANY = "Terlalu banyak pesan. Mohon tunggu sebentar, lalu kirim lagi."

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS, BACKOFF_SECONDS, MAX_RETRY_AFTER = 3, 0.5, 30.0
REQUEST_TIMEOUT_SECONDS = 20.0
MAX_CONCURRENT = 32  # messages handed to Rasa at the same time
# aiohttp raises asyncio.TimeoutError, which is not the builtin TimeoutError on Python 3.10.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, asyncio.TimeoutError)


def mask(number: str) -> str:
    """A phone number fit for logs: 628******7890."""
    return number if len(number) < 8 else number[:3] + "*" * (len(number) - 7) + number[-4:]


@dataclass(frozen=True)
class Settings:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str
    api_version: str
    state_db: str
    rate_per_minute: int

    @classmethod
    def from_sources(
        cls, credentials: Mapping[str, Any] | None, environ: Mapping[str, str]
    ) -> Settings:
        """Environment first, then credentials.yml, then the defaults."""
        credentials = credentials or {}
        leaked = [key for key in SECRETS if credentials.get(key)]
        if leaked:
            logger.warning(
                "WhatsApp: %s found in credentials.yml; keep secrets in the environment (%s)",
                ", ".join(leaked),
                ", ".join(ENVIRONMENT[key] for key in leaked),
            )
        values = {
            key: str(environ.get(variable) or credentials.get(key) or DEFAULTS.get(key, ""))
            for key, variable in ENVIRONMENT.items()
        }
        return cls(**{**values, "rate_per_minute": _positive_int(values["rate_per_minute"])})

    def missing(self) -> list[str]:
        """The environment variables still to set before the channel can work."""
        return [ENVIRONMENT[key] for key in REQUIRED if not getattr(self, key)]

    @property
    def messages_url(self) -> str:
        return f"{self.api_base.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number > 0:
        return number
    logger.warning("WhatsApp: %s=%r is not a positive number; using 20", "rate_per_minute", value)
    return 20


class GraphClient:
    """POSTs messages to the Graph API, retrying on 5xx, 429 and network errors."""

    def __init__(self, settings: Settings, backoff: float = BACKOFF_SECONDS) -> None:
        self.url = settings.messages_url
        self._headers = {"Authorization": f"Bearer {settings.access_token}"}
        self.backoff = backoff
        self._session: aiohttp.ClientSession | None = None

    async def send(self, payload: dict[str, Any]) -> bool:
        """True when the Graph API accepted the message; failures are logged, not raised."""
        status, detail = 0, ""
        for attempt in range(1, ATTEMPTS + 1):
            status, detail, retry_after = await self._post(payload)
            if 200 <= status < 300:
                return True
            if attempt == ATTEMPTS or not (status == 0 or status in RETRY_STATUSES):
                break
            await asyncio.sleep(self._delay(attempt, retry_after))
        logger.error(
            "WhatsApp: %s message to %s failed after %d attempt(s): status %s, %s",
            payload.get("type", "a"),
            mask(str(payload.get("to", ""))),
            attempt,
            status or "no response",
            detail[:500],
        )
        return False

    async def _post(self, payload: dict[str, Any]) -> tuple[int, str, str | None]:
        try:
            async with self._session_now().post(
                self.url, json=payload, headers=self._headers
            ) as answer:
                return answer.status, await answer.text(), answer.headers.get("Retry-After")
        except NETWORK_ERRORS as error:
            return 0, f"{type(error).__name__}: {error}", None

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = self.backoff * 2 ** (attempt - 1)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
        return delay

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class WhatsAppOutput(OutputChannel):
    """Sends the bot's messages; nothing goes to a number that opted out."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, client: GraphClient, state: ChannelState) -> None:
        self.client, self.state = client, state

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.deliver(recipient_id, outgoing(recipient_id, text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = [
            (str(b.get("payload") or b.get("title") or ""), str(b.get("title") or ""))
            for b in buttons
        ]
        if not choices or len(text) > 1024 or len(choices) > 10:
            lines = [text] + [f"{n}. {title}" for n, (_, title) in enumerate(choices, start=1)]
            await self.send_text_message(recipient_id, "\n".join(lines))
        elif len(choices) <= 3:
            await self.deliver(recipient_id, [buttons_message(recipient_id, text, choices)])
        else:
            await self.deliver(recipient_id, [list_message(recipient_id, text, choices)])

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        payload = {"messaging_product": "whatsapp", "to": recipient_id, "type": "image"}
        await self.deliver(recipient_id, [{**payload, "image": {"link": image}}])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A custom response is sent as a Graph API message body (``type`` and its part)."""
        payload = {"messaging_product": "whatsapp", **json_message, "to": recipient_id}
        await self.deliver(recipient_id, [payload])

    async def deliver(
        self, recipient_id: str, payloads: list[dict[str, Any]], force: bool = False
    ) -> None:
        """Send in order; stop at the first failure. ``force`` ignores the opt-out (for the
        opt-out confirmation itself)."""
        if not force and self.state.opted_out(recipient_id):
            logger.info(
                "WhatsApp: %s opted out; dropped %d message(s)", mask(recipient_id), len(payloads)
            )
            return
        for payload in payloads:
            if not await self.client.send(payload):
                return


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WhatsAppInput(InputChannel):
    """WhatsApp Business Cloud API: signed webhook, background handling, dedup of retries,
    opt-out, per-sender rate limit. The Rasa sender id is the WhatsApp number."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(Settings.from_sources(credentials, os.environ))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.missing = settings.missing()
        if self.missing:
            logger.warning(
                "WhatsApp channel is off (the webhook answers 503): set %s",
                ", ".join(self.missing),
            )
        self.limiter = RateLimiter(settings.rate_per_minute)
        self._output: WhatsAppOutput | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = {}
        self._busy: asyncio.Semaphore | None = None

    # --- wiring ---------------------------------------------------------------------

    def output(self) -> WhatsAppOutput:
        if self._output is None:
            state = ChannelState(Path(self.settings.state_db))
            self._output = WhatsAppOutput(GraphClient(self.settings), state)
            logger.info("WhatsApp channel on; state in %s", self.settings.state_db)
        return self._output

    def get_output_channel(self) -> OutputChannel | None:
        return None if self.missing else self.output()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if self.missing:
                return response.json({"status": "not configured", "set": self.missing}, 503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.verify(
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return self.receive(request.body, request.headers.get(SIGNATURE_HEADER), on_new_message)

        @webhook.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await self.close()

        if not self.missing:
            self.output()  # open the state file at start, not on the first message
        return webhook

    async def close(self) -> None:
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=10)
            for task in pending:
                task.cancel()
        if self._output is not None:
            await self._output.client.close()
            self._output.state.close()
            self._output = None

    # --- requests -------------------------------------------------------------------

    def _not_configured(self) -> HTTPResponse:
        logger.error(
            "WhatsApp webhook called but the channel is not configured: set %s",
            ", ".join(self.missing),
        )
        return response.text("WhatsApp channel not configured", status=503)

    def verify(self, mode: str | None, token: str | None, challenge: str | None) -> HTTPResponse:
        """Meta's subscription handshake."""
        if self.missing:
            return self._not_configured()
        if mode == "subscribe" and token_matches(token, self.settings.verify_token):
            logger.info("WhatsApp: webhook verified")
            return response.text(challenge or "")
        logger.warning("WhatsApp: webhook verification refused (wrong mode or verify token)")
        return response.text("forbidden", status=403)

    def receive(
        self, body: bytes, signature: str | None, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        """Check the signature, remember the messages and answer at once; the bot works in
        the background."""
        if self.missing:
            return self._not_configured()
        if not signature:
            logger.warning("WhatsApp: POST without %s refused", SIGNATURE_HEADER)
            return response.text("missing signature", status=401)
        if not signature_valid(body, signature, self.settings.app_secret):
            logger.warning("WhatsApp: POST with a wrong signature refused")
            return response.text("invalid signature", status=403)
        try:
            payload = json.loads(body)
        except ValueError:
            logger.warning("WhatsApp: signed POST with a body that is not JSON ignored")
            return response.text("invalid JSON", status=400)
        for message in inbound_messages(payload):
            self._accept(message, on_new_message)
        return response.text("EVENT_RECEIVED")

    def _accept(self, message: Inbound, on_new_message: OnNewMessage) -> None:
        ours = self.settings.phone_number_id
        if message.phone_number_id not in (None, ours):
            logger.warning("WhatsApp: message %s is for another phone number id", message.id)
            return
        if not self.output().state.claim(message.id):
            logger.info("WhatsApp: message %s already handled (retry ignored)", message.id)
            return
        logger.info(
            "WhatsApp: message %s (%s) from %s", message.id, message.kind, mask(message.sender)
        )
        self._pending[message.sender] = self._pending.get(message.sender, 0) + 1
        task = asyncio.create_task(self._handle(message, on_new_message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- handling (background) ------------------------------------------------------

    async def _handle(self, message: Inbound, on_new_message: OnNewMessage) -> None:
        """One message at a time per sender, in the order they arrived."""
        lock = self._locks.setdefault(message.sender, asyncio.Lock())
        if self._busy is None:
            self._busy = asyncio.Semaphore(MAX_CONCURRENT)
        try:
            async with lock, self._busy:
                await self._dispatch(message, on_new_message)
        except Exception:
            logger.exception("WhatsApp: handling message %s failed", message.id)
        finally:
            self._pending[message.sender] -= 1
            if self._pending[message.sender] == 0:
                del self._pending[message.sender]
                self._locks.pop(message.sender, None)

    async def _dispatch(self, message: Inbound, on_new_message: OnNewMessage) -> None:
        output, sender = self.output(), message.sender
        if is_opt_out(message.text):
            await self._opt_out(sender)
        elif is_opt_in(message.text) and output.state.opted_out(sender):
            output.state.set_opted_out(sender, False)
            logger.info("WhatsApp: %s opted in again", mask(sender))
            await output.deliver(sender, [text_message(sender, OPTED_IN)])
        elif not self.limiter.allow(sender):
            logger.warning(
                "WhatsApp: %s is over the rate limit; message %s dropped", mask(sender), message.id
            )
            if self.limiter.should_notice(sender):
                await output.deliver(sender, [text_message(sender, TOO_MANY)])
        elif message.text is None:
            logger.info(
                "WhatsApp: %s message %s not readable; asked to type", message.kind, message.id
            )
            await output.deliver(sender, [text_message(sender, PLEASE_TYPE)])
        else:
            await on_new_message(self._user_message(message, output))

    async def _opt_out(self, sender: str) -> None:
        output = self.output()
        if output.state.opted_out(sender):
            logger.info("WhatsApp: %s already opted out", mask(sender))
            return
        output.state.set_opted_out(sender, True)
        logger.info("WhatsApp: %s opted out", mask(sender))
        await output.deliver(sender, [text_message(sender, OPTED_OUT)], force=True)

    def _user_message(self, message: Inbound, output: WhatsAppOutput) -> UserMessage:
        return UserMessage(
            text=message.text,
            output_channel=output,
            sender_id=message.sender,
            input_channel=self.name(),
            message_id=message.id,
            metadata={"whatsapp": {"message_id": message.id, "type": message.kind}},
        )
