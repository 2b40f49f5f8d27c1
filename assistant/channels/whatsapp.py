"""WhatsApp Business Cloud API input channel for the Rasa server.

Webhook: GET/POST /webhooks/whatsapp/webhook. Loaded inside the Rasa server, so it imports
only the standard library, sanic, aiohttp, rasa and ``assistant.channels.*``.

Configuration comes from the environment (``WHATSAPP_*``, see ``ENVIRONMENT``); the
``assistant.channels.whatsapp.WhatsAppInput:`` entry of credentials.yml may give the
non-secret values, and the environment wins. Without the secrets the server still starts
and the webhook answers 503.

A POST is answered at once: 413 over 1 MB (before the signature is computed), 401/403
without a valid signature, 400 for a body that is not a JSON object of sane depth, 503
while the server is stopping or when too many messages are in hand (WhatsApp delivers
them again later), else 200. Each message is then taken in (see ``WhatsAppInput._accept``:
one id once, per-sender rate limit and queue bound) and handled in the background, one at
a time per sender; its id is marked done in the state file only once its answer was sent
or its failure logged. At start, messages a stopped server left pending are handled again;
at stop, the messages in hand are finished first (``WHATSAPP_DRAIN_SECONDS``).

With ``REDIS_URL`` set (scale-out mode) the de-duplication, opt-outs, pending messages and
rate limit live in Redis (``whatsapp_shared``), shared by every Rasa server; while Redis
cannot be reached the webhook answers 503, so WhatsApp delivers the messages again later.
"""

from __future__ import annotations

import asyncio
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

from assistant.channels.collecting import WholeMessages
from assistant.channels.turns import shape_turn
from assistant.channels.whatsapp_payloads import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    Inbound,
    InvalidPayload,
    buttons_message,
    inbound_messages,
    is_opt_in,
    is_opt_out,
    list_message,
    outgoing,
    parse_webhook,
    signature_valid,
    text_message,
    token_matches,
    too_large,
)
from assistant.channels.whatsapp_shared import (
    RedisChannelState,
    RedisRateLimiter,
    connect,
    instance_name,
)
from assistant.channels.whatsapp_state import ChannelState, RateLimiter, StateUnavailable
from assistant.common.free_text import FULL_TEXT, for_nlu
from assistant.common.graph_api import GRAPH_API_BASE, GRAPH_API_VERSION
from assistant.common.paths import whatsapp_state_path

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
    "drain_seconds": "WHATSAPP_DRAIN_SECONDS",
    "redis_url": "REDIS_URL",
}
DEFAULTS = {
    "api_base": GRAPH_API_BASE,
    "api_version": GRAPH_API_VERSION,
    "rate_per_minute": "20",
    "drain_seconds": "60",
}
REQUIRED = ("verify_token", "app_secret", "access_token", "phone_number_id")
SECRETS = ("verify_token", "app_secret", "access_token", "redis_url")

OPTED_OUT = "Anda tidak akan menerima pesan lagi. Ketik MULAI untuk kembali."
OPTED_IN = "Selamat datang kembali. Anda akan menerima pesan lagi. Ketik STOP untuk berhenti."
PLEASE_TYPE = "Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda."
TOO_MANY = "Terlalu banyak pesan. Mohon tunggu sebentar, lalu kirim lagi."

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS, BACKOFF_SECONDS, MAX_RETRY_AFTER = 3, 0.5, 30.0
REQUEST_TIMEOUT_SECONDS = 20.0
MAX_CONCURRENT = 32  # messages handed to Rasa at the same time
MAX_WAITING = 10  # messages of one sender in hand (being handled or waiting their turn)
CONSENT_ROOM = 5  # STOP / MULAI may wait beyond a full queue by this many
MAX_IN_HAND = 1000  # messages and notices of all senders in hand; beyond it POSTs get 503
# A message a stopped server left pending is handled again at start when younger than
# this; an older one is only logged (and marked done).
RESUME_SECONDS = 3600.0
CANCEL_WAIT_SECONDS = 5.0  # for cancelled work to stop after the drain timed out
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
    drain_seconds: float
    redis_url: str = ""

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
        values["state_db"] = str(whatsapp_state_path(environ, credentials.get("state_db")))
        return cls(
            **{
                **values,
                "rate_per_minute": int(_positive(values, "rate_per_minute")),
                "drain_seconds": _positive(values, "drain_seconds"),
            }
        )

    def missing(self) -> list[str]:
        """The environment variables still to set before the channel can work."""
        return [ENVIRONMENT[key] for key in REQUIRED if not getattr(self, key)]

    @property
    def messages_url(self) -> str:
        return f"{self.api_base.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"


def _positive(values: Mapping[str, str], key: str) -> float:
    """The setting as a positive number (a whole one for the rate), else its default."""
    value = values[key]
    try:
        number = int(value) if key == "rate_per_minute" else float(value)
    except ValueError:
        number = 0
    if 0 < number < float("inf"):
        return number
    default = DEFAULTS[key]
    logger.warning("WhatsApp: %s=%r is not a positive number; using %s", key, value, default)
    return float(default)


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
Work = Callable[[], Awaitable[None]]


class WhatsAppInput(InputChannel):
    """WhatsApp Business Cloud API: signed webhook, background handling, dedup of retries,
    opt-out, per-sender rate limit and queue bound, drain at stop, resume at start. The
    Rasa sender id is the WhatsApp number."""

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
        # Scale-out mode: one state for all servers, in Redis (the client connects lazily).
        self._redis = connect(settings.redis_url) if settings.redis_url else None
        self.limiter: RateLimiter | RedisRateLimiter = (
            RedisRateLimiter(self._redis, settings.rate_per_minute)
            if self._redis is not None
            else RateLimiter(settings.rate_per_minute)
        )
        self.max_waiting, self.max_in_hand = MAX_WAITING, MAX_IN_HAND
        self._output: WhatsAppOutput | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._in_hand: dict[str, int] = {}  # sender -> messages and notices not finished
        self._busy: asyncio.Semaphore | None = None
        self._stopping = False

    # --- wiring ---------------------------------------------------------------------

    def output(self) -> WhatsAppOutput:
        if self._output is None:
            state: ChannelState | RedisChannelState = (
                RedisChannelState(self._redis, instance_name())
                if self._redis is not None
                else ChannelState(Path(self.settings.state_db))
            )
            self._output = WhatsAppOutput(GraphClient(self.settings), state)
            logger.info("WhatsApp channel on; state in %s", state.path)
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

        # Streamed, so that a body over the limit is never held in memory (Sanic reads and
        # discards what the handler did not read).
        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            declared = request.headers.get("content-length")
            body = b""
            if not self.missing and not too_large(declared):
                body = await _read_at_most(request, MAX_BODY_BYTES + 1)
            return self.receive(
                body, request.headers.get(SIGNATURE_HEADER), on_new_message, declared
            )

        @webhook.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            if not self.missing:
                try:
                    self.resume(on_new_message)
                except StateUnavailable as error:
                    logger.warning("WhatsApp: pending messages not resumed at start: %s", error)

        @webhook.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await self.close()

        if not self.missing:
            self.output()  # open the state file at start, not on the first message
        return webhook

    def resume(self, on_new_message: OnNewMessage) -> int:
        """Handle again the messages a stopped server left pending (younger than
        ``RESUME_SECONDS``); older ones are logged and marked done. Returns how many were
        queued."""
        state, queued = self.output().state, 0
        oldest = state.clock() - RESUME_SECONDS
        for left in state.unfinished():
            message = left.message
            if left.at < oldest:
                logger.warning(
                    "WhatsApp: message %s from %s was left unanswered by a stopped server "
                    "over %d minutes ago; not handled",
                    message.id,
                    mask(message.sender),
                    RESUME_SECONDS // 60,
                )
                state.finish(message.id)
                continue
            self._enqueue(message.sender, message.id, self._dispatcher(message, on_new_message))
            queued += 1
        if queued:
            logger.info("WhatsApp: %d message(s) left by a stopped server handled again", queued)
        return queued

    async def close(self, timeout: float | None = None) -> None:
        """Refuse new messages (503: WhatsApp delivers them again later), finish the ones
        in hand within ``timeout`` (default: the drain setting), then close the client and
        the state. What did not finish stays pending for the next start."""
        self._stopping = True
        timeout = self.settings.drain_seconds if timeout is None else timeout
        if self._tasks:
            logger.info(
                "WhatsApp: stopping; finishing %d message(s) in hand (at most %gs)",
                len(self._tasks),
                timeout,
            )
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
            if late:
                for task in late:
                    task.cancel()
                await asyncio.wait(late, timeout=CANCEL_WAIT_SECONDS)
                logger.warning(
                    "WhatsApp: %d message(s) not finished within %gs; they stay pending and "
                    "are handled at the next start",
                    len(late),
                    timeout,
                )
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
        self,
        body: bytes,
        signature: str | None,
        on_new_message: OnNewMessage,
        content_length: str | None = None,
    ) -> HTTPResponse:
        """Check size and signature, take the messages in and answer at once; the bot
        works in the background."""
        if self.missing:
            return self._not_configured()
        if too_large(content_length, len(body)):
            logger.warning(
                "WhatsApp: POST over %d bytes refused (Content-Length %s)",
                MAX_BODY_BYTES,
                content_length,
            )
            return response.text("payload too large", status=413)
        if not signature:
            logger.warning("WhatsApp: POST without %s refused", SIGNATURE_HEADER)
            return response.text("missing signature", status=401)
        if not signature_valid(body, signature, self.settings.app_secret):
            logger.warning("WhatsApp: POST with a wrong signature refused")
            return response.text("invalid signature", status=403)
        if self._stopping:
            logger.info("WhatsApp: POST while stopping; 503 (WhatsApp delivers it again)")
            return response.text("stopping, try again later", status=503)
        try:
            payload = parse_webhook(body)
        except InvalidPayload as error:
            logger.warning("WhatsApp: signed POST ignored: its body is %s", error)
            return response.text("invalid payload", status=400)
        try:
            refused = [
                m.id for m in inbound_messages(payload) if not self._accept(m, on_new_message)
            ]
        except StateUnavailable as error:
            logger.warning(
                "WhatsApp: shared state unavailable (%s); 503, WhatsApp delivers it again", error
            )
            return response.text("state unavailable, try again later", status=503)
        if refused:
            logger.warning(
                "WhatsApp: %d message(s) in hand; %d refused with 503 (WhatsApp delivers "
                "them again later)",
                len(self._tasks),
                len(refused),
            )
            return response.text("busy, try again later", status=503)
        return response.text("EVENT_RECEIVED")

    def _accept(self, message: Inbound, on_new_message: OnNewMessage) -> bool:
        """Take one message in, on arrival: ignore another number's and a retry of an id
        taken in before; drop (marked done, one notice a minute) what is over the sender's
        rate limit or beyond their queue; queue the rest. False when no more work fits in
        memory: the message was not taken in and the POST must be refused."""
        ours, sender = self.settings.phone_number_id, message.sender
        if message.phone_number_id not in (None, ours):
            logger.warning("WhatsApp: message %s is for another phone number id", message.id)
            return True
        state = self.output().state
        if state.seen(message.id):
            logger.info("WhatsApp: message %s already taken in (retry ignored)", message.id)
            return True
        if len(self._tasks) >= self.max_in_hand:
            return False
        # STOP, and MULAI from a number that opted out, skip the rate limit and get a
        # little more room in the queue: consent is never dropped.
        consent = is_opt_out(message.text) or (is_opt_in(message.text) and state.opted_out(sender))
        if not consent and not self.limiter.allow(sender):
            self._drop(message, "is over the rate limit")
            return True
        if self._in_hand.get(sender, 0) >= self.max_waiting + (CONSENT_ROOM if consent else 0):
            self._drop(message, f"has {self._in_hand[sender]} messages in hand")
            return True
        if not state.claim(message):
            return True
        logger.info(
            "WhatsApp: message %s (%s) from %s", message.id, message.kind, mask(message.sender)
        )
        self._enqueue(sender, message.id, self._dispatcher(message, on_new_message))
        return True

    def _drop(self, message: Inbound, reason: str) -> None:
        sender = message.sender
        self.output().state.claim(message, done=True)
        logger.warning("WhatsApp: %s %s; message %s dropped", mask(sender), reason, message.id)
        if len(self._tasks) < self.max_in_hand and self.limiter.should_notice(sender):
            self._enqueue(sender, None, lambda: self._notify(sender, TOO_MANY))

    # --- handling (background) ------------------------------------------------------

    def _dispatcher(self, message: Inbound, on_new_message: OnNewMessage) -> Work:
        return lambda: self._dispatch(message, on_new_message)

    def _enqueue(self, sender: str, message_id: str | None, work: Work) -> None:
        """Run ``work`` in the background after the sender's earlier work."""
        self._in_hand[sender] = self._in_hand.get(sender, 0) + 1
        task = asyncio.create_task(self._run(sender, message_id, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sender: str, message_id: str | None, work: Work) -> None:
        """One piece of work at a time per sender, in the order they arrived. The message
        is marked done when its work ended, failed or not; not when it was cancelled (the
        server stopped), so that the next start handles it."""
        lock = self._locks.setdefault(sender, asyncio.Lock())
        if self._busy is None:
            self._busy = asyncio.Semaphore(MAX_CONCURRENT)
        ended = False
        try:
            async with lock, self._busy:
                await work()
            ended = True
        except StateUnavailable as error:
            # Stays pending: handled again when this server starts next.
            logger.warning("WhatsApp: message %s not handled: %s", message_id or "(notice)", error)
        except Exception:
            logger.exception("WhatsApp: handling message %s failed", message_id or "(notice)")
            ended = True
        finally:
            if ended and message_id is not None and self._output is not None:
                try:
                    self._output.state.finish(message_id)
                except StateUnavailable as error:
                    logger.warning("WhatsApp: message %s stays pending: %s", message_id, error)
            self._in_hand[sender] -= 1
            if self._in_hand[sender] == 0:
                del self._in_hand[sender]
                self._locks.pop(sender, None)

    async def _dispatch(self, message: Inbound, on_new_message: OnNewMessage) -> None:
        output, sender = self.output(), message.sender
        if is_opt_out(message.text):
            await self._opt_out(sender)
        elif is_opt_in(message.text) and output.state.opted_out(sender):
            output.state.set_opted_out(sender, False)
            logger.info("WhatsApp: %s opted in again", mask(sender))
            await output.deliver(sender, [text_message(sender, OPTED_IN)])
        elif output.state.opted_out(sender):
            logger.info(
                "WhatsApp: %s opted out; message %s dropped before the assistant",
                mask(sender),
                message.id,
            )
        elif message.text is None:
            logger.info(
                "WhatsApp: %s message %s not readable; asked to type", message.kind, message.id
            )
            await output.deliver(sender, [text_message(sender, PLEASE_TYPE)])
        else:
            await self._converse(message, output, on_new_message)

    async def _notify(self, sender: str, text: str) -> None:
        await self.output().deliver(sender, [text_message(sender, text)])

    async def _opt_out(self, sender: str) -> None:
        output = self.output()
        if output.state.opted_out(sender):
            logger.info("WhatsApp: %s already opted out", mask(sender))
            return
        output.state.set_opted_out(sender, True)
        logger.info("WhatsApp: %s opted out", mask(sender))
        await output.deliver(sender, [text_message(sender, OPTED_OUT)], force=True)

    async def _converse(
        self, message: Inbound, output: WhatsAppOutput, on_new_message: OnNewMessage
    ) -> None:
        """One turn with the assistant: its replies are collected, held to the turn
        invariants (``assistant.channels.turns``: one to three, none repeated, never
        silence), then sent in order."""
        collector = WholeMessages()
        await on_new_message(self._user_message(message, collector))
        for reply in shape_turn(collector.messages, message.sender):
            reply.pop("recipient_id", None)  # given to send_response on its own
            await output.send_response(message.sender, reply)

    def _user_message(self, message: Inbound, output: OutputChannel) -> UserMessage:
        """NIKs masked, at most 4,000 characters for the NLU (a longer message is kept whole
        in the metadata for a report of harm): assistant.common.free_text."""
        text, whole = for_nlu(message.text or "")
        metadata: dict[str, Any] = {"whatsapp": {"message_id": message.id, "type": message.kind}}
        if whole:
            metadata[FULL_TEXT] = whole
        return UserMessage(
            text=text,
            output_channel=output,
            sender_id=message.sender,
            input_channel=self.name(),
            message_id=message.id,
            metadata=metadata,
        )


async def _read_at_most(request: Request, limit: int) -> bytes:
    """The streamed body, or its first ``limit`` bytes or a little more when it is longer."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await request.stream.read()
        if chunk is None:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
