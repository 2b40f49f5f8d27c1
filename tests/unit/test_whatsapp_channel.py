"""The WhatsApp channel's webhook and background handling, driven directly: ``receive`` with
signed bodies, a fake ``on_new_message`` (the Rasa agent) and a fake Graph client, the
state on a temporary file. One test (or more) per finding of the security review.

The channel module imports rasa and aiohttp, which live in the Rasa environment only; when
they are missing (the core environment runs these tests) small stand-ins take their place
for this module: the channel uses nothing of them but base classes, ``UserMessage`` and
aiohttp's error type, and the fake Graph client replaces every use of aiohttp."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import itertools
import json
import logging
import sys
import types
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.channels.whatsapp_payloads import Inbound, signature_for
from assistant.channels.whatsapp_state import ChannelState, RateLimiter
from assistant.common.graph_api import GRAPH_API_VERSION

SECRET, PHONE_NUMBER_ID, SENDER = "app-secret", "123", "6281234567890"
MASKED = "628******7890"


# --- the module, with stand-ins for rasa and aiohttp when they are not installed ----------


def _stand_ins() -> dict[str, types.ModuleType]:
    modules: dict[str, types.ModuleType] = {}
    if importlib.util.find_spec("aiohttp") is None:
        aiohttp = types.ModuleType("aiohttp")

        class ClientError(Exception):
            pass

        class ClientSession:
            def __init__(self, **kwargs: Any) -> None:
                raise AssertionError("unit tests use a fake Graph client")

        aiohttp.ClientError = ClientError
        aiohttp.ClientSession = ClientSession
        aiohttp.ClientTimeout = lambda **kwargs: kwargs
        modules["aiohttp"] = aiohttp
    if importlib.util.find_spec("rasa") is None:
        channel = types.ModuleType("rasa.core.channels.channel")

        class InputChannel:
            pass

        class OutputChannel:
            """As Rasa 3.6's: a reply dict goes to the method for its parts, and the rest of
            the dict goes along as keyword arguments (so a reply that still names its
            recipient_id fails here as it does there)."""

            async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
                if message.get("buttons"):
                    await self.send_text_with_buttons(
                        recipient_id, message.pop("text"), message.pop("buttons"), **message
                    )
                elif message.get("text"):
                    await self.send_text_message(recipient_id, message.pop("text"), **message)
                if message.get("custom"):
                    await self.send_custom_json(recipient_id, message.pop("custom"), **message)
                if message.get("image"):
                    await self.send_image_url(recipient_id, message.pop("image"), **message)

        class CollectingOutputChannel(OutputChannel):
            def __init__(self) -> None:
                self.messages: list[dict[str, Any]] = []

            @staticmethod
            def _message(recipient_id: str, **parts: Any) -> dict[str, Any]:
                parts = {k: v for k, v in parts.items() if v is not None}
                return {"recipient_id": recipient_id, **parts}

            async def _persist_message(self, message: dict[str, Any]) -> None:
                self.messages.append(message)

            async def send_text_message(self, recipient_id: str, text: str, **kw: Any) -> None:
                for part in text.strip().split("\n\n"):  # as Rasa's does
                    await self._persist_message(self._message(recipient_id, text=part))

        class UserMessage:
            def __init__(self, text: str | None = None, **kwargs: Any) -> None:
                self.text = text
                for key in ("output_channel", "sender_id", "input_channel", "message_id"):
                    setattr(self, key, kwargs.get(key))
                self.metadata = kwargs.get("metadata")

        channel.InputChannel, channel.OutputChannel = InputChannel, OutputChannel
        channel.CollectingOutputChannel = CollectingOutputChannel
        channel.UserMessage = UserMessage
        names = ["rasa", "rasa.core", "rasa.core.channels", "rasa.core.channels.channel"]
        packages = [types.ModuleType(name) for name in names[:-1]] + [channel]
        for parent, child in zip(packages, packages[1:], strict=False):
            setattr(parent, child.__name__.rsplit(".", 1)[1], child)
        modules.update(zip(names, packages, strict=True))
    return modules


@pytest.fixture(scope="module")
def whatsapp() -> Iterator[types.ModuleType]:
    stand_ins = _stand_ins()
    with pytest.MonkeyPatch.context() as patch:
        for name, module in stand_ins.items():
            patch.setitem(sys.modules, name, module)
        yield importlib.import_module("assistant.channels.whatsapp")
        if stand_ins:  # do not leave modules built on stand-ins behind
            for name in ("whatsapp", "collecting"):
                sys.modules.pop(f"assistant.channels.{name}", None)
                patch.delattr(sys.modules["assistant.channels"], name, raising=False)


# --- fakes ------------------------------------------------------------------------------


class FakeGraph:
    """Records what would be sent to the Graph API; always accepts."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed = False

    async def send(self, payload: dict[str, Any]) -> bool:
        self.sent.append(payload)
        return True

    async def close(self) -> None:
        self.closed = True

    def texts(self, to: str = SENDER) -> list[str]:
        return [p["text"]["body"] for p in self.sent if p["to"] == to and p["type"] == "text"]


class FakeRasa:
    """``on_new_message``: records each message, then answers it through the output
    channel, as the Rasa agent does. ``hold`` keeps it busy until ``release``; ``fail``
    makes it raise."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.fail = False
        self._gate: asyncio.Event | None = None

    def hold(self) -> None:
        self._gate = asyncio.Event()

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        if self._gate is not None:
            await self._gate.wait()
        if self.fail:
            raise RuntimeError("the assistant failed")
        await message.output_channel.send_text_message(message.sender_id, f"re: {message.text}")

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.messages]

    @property
    def ids(self) -> list[str]:
        return [message.message_id for message in self.messages]


@pytest.fixture
def graph(whatsapp: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> FakeGraph:
    fake = FakeGraph()
    monkeypatch.setattr(whatsapp, "GraphClient", lambda settings: fake)
    return fake


@pytest.fixture
def make(whatsapp: types.ModuleType, graph: FakeGraph, tmp_path: Path) -> Callable[..., Any]:
    """A configured channel on ``tmp_path / "wa.db"``; ``clock`` drives its rate limit."""

    def build(clock: Callable[[], float] | None = None, **changes: Any) -> Any:
        values = {
            "verify_token": "verify",
            "app_secret": SECRET,
            "access_token": "token",
            "phone_number_id": PHONE_NUMBER_ID,
            "api_base": "http://graph.invalid",
            "api_version": GRAPH_API_VERSION,
            "state_db": str(tmp_path / "wa.db"),
            "rate_per_minute": 20,
            "drain_seconds": 5.0,
            **changes,
        }
        channel = whatsapp.WhatsAppInput(whatsapp.Settings(**values))
        if clock is not None:
            channel.limiter = RateLimiter(values["rate_per_minute"], clock=clock)
        return channel

    return build


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


async def settle(channel: Any) -> None:
    """Until the channel has no background work left."""
    while channel._tasks:
        await asyncio.wait(set(channel._tasks), timeout=5)


def text(body: str, sender: str = SENDER, message_id: str = "") -> dict[str, Any]:
    return message(sender, "text", {"body": body}, message_id)


_ids = itertools.count(1)


def message(sender: str, kind: str, part: Any, message_id: str = "") -> dict[str, Any]:
    return {"from": sender, "id": message_id or f"wamid.{next(_ids)}", "type": kind, kind: part}


def body_of(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "messages": list(messages),
    }
    if statuses:
        value["statuses"] = statuses
    payload = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    return json.dumps(payload).encode()


def post(channel: Any, rasa: FakeRasa, *messages: dict[str, Any]) -> int:
    return signed(channel, rasa, body_of(*messages))


def signed(channel: Any, rasa: FakeRasa, body: bytes, content_length: str | None = None) -> int:
    return channel.receive(body, signature_for(body, SECRET), rasa, content_length).status


def state_of(tmp_path: Path) -> ChannelState:
    return ChannelState(tmp_path / "wa.db")


# --- what still works -------------------------------------------------------------------


def test_a_signed_text_reaches_the_assistant_and_a_retry_does_not(make, graph):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        first = text("halo", message_id="wamid.same")
        assert post(channel, rasa, first) == 200
        assert post(channel, rasa, first) == 200
        await settle(channel)
        assert post(channel, rasa, first) == 200
        await settle(channel)
        assert rasa.texts == ["halo"] and graph.texts() == ["re: halo"]
        assert rasa.messages[0].sender_id == SENDER and rasa.ids == ["wamid.same"]
        body = body_of(text("halo"))
        assert channel.receive(body, None, rasa).status == 401
        assert channel.receive(body, signature_for(body, "other"), rasa).status == 403
        await channel.close()
        assert graph.closed

    run(scenario)


# --- finding 1: opted-out numbers -------------------------------------------------------


def test_opted_out_numbers_never_reach_the_assistant(make, graph, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="assistant.channels.whatsapp")

    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        channel.output().state.set_opted_out(SENDER, True)
        media = message(SENDER, "image", {"id": "m"})
        assert post(channel, rasa, text("isi form graduasi"), media, text("2")) == 200
        await settle(channel)
        assert rasa.messages == [] and graph.sent == []
        assert post(channel, rasa, text("MULAI")) == 200
        await settle(channel)
        assert rasa.messages == [] and len(graph.texts()) == 1  # the welcome back
        assert post(channel, rasa, text("halo")) == 200
        await settle(channel)
        assert rasa.texts == ["halo"]
        # STOP and a message after it in the same POST: the message stops at the channel
        assert post(channel, rasa, text("stop"), text("masih ada?")) == 200
        await settle(channel)
        assert rasa.texts == ["halo"] and channel.output().state.opted_out(SENDER)
        await channel.close()

    run(scenario)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert MASKED in logged and SENDER not in logged
    state = state_of(tmp_path)
    assert state.unfinished() == []  # every dropped message counts as handled
    state.close()


# --- finding 2: body size ---------------------------------------------------------------


def test_a_body_over_1_mb_gets_413_before_the_signature_is_computed(whatsapp, make, monkeypatch):
    computed: list[bytes] = []
    real = whatsapp.signature_valid

    def counting(body: bytes, header: str, secret: str) -> bool:
        computed.append(body)
        return real(body, header, secret)

    monkeypatch.setattr(whatsapp, "signature_valid", counting)

    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        small = body_of(text("halo"))
        padding = b" " * (1_000_001 - len(small))
        assert signed(channel, rasa, small + padding) == 413  # by its length
        assert signed(channel, rasa, small, content_length="1000001") == 413  # by its header
        assert computed == [] and rasa.messages == []
        assert signed(channel, rasa, small[:-1] + padding[1:] + b"}") != 413  # 1,000,000 bytes
        assert len(computed) == 1
        await settle(channel)
        await channel.close()

    run(scenario)


# --- finding 3: pathological JSON -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"entry": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"entry": [{"changes": [{"value": {"n": ' + b"7" * 10_000 + b"}}]}]}",
        b'[{"entry": []}]',
        b'"text"',
        b"null",
        b'{"entry": [{"changes": [{"value": {"messages": [{"text": "\xc3\x28"}]}}]}]}',
    ],
    ids=["recursion", "depth-40", "huge-integer", "list", "string", "null", "bad-utf8"],
)
def test_pathological_json_in_a_signed_body_gets_400(make, body):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        assert signed(channel, rasa, body) == 400
        assert rasa.messages == [] and channel.output().state.handled_count() == 0
        await channel.close()

    run(scenario)


# --- finding 4: reactions and system messages -------------------------------------------


def test_reactions_and_system_messages_get_no_answer_and_media_gets_please_type(
    whatsapp, make, graph
):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        quiet = [
            message(SENDER, "reaction", {"message_id": "wamid.1", "emoji": "\U0001f44d"}),
            message(SENDER, "system", {"body": "nomor berubah", "type": "user_changed_number"}),
            message(SENDER, "unsupported", {}),
            message(SENDER, "ephemeral", {}),
            message(SENDER, "request_welcome", {}),
            message(SENDER, "edit", {"original_message_id": "wamid.1", "message": {}}),
            message(SENDER, "revoke", {"original_message_id": "wamid.1"}),
        ]
        read = [{"id": "wamid.out", "status": "read", "recipient_id": SENDER}]
        assert signed(channel, rasa, body_of(*quiet, statuses=read)) == 200
        await settle(channel)
        assert rasa.messages == [] and graph.sent == []
        media = [
            message(SENDER, "image", {"id": "m"}),
            message(SENDER, "audio", {"id": "m", "voice": True}),
            message(SENDER, "location", {"latitude": -6.2, "longitude": 106.8}),
            message(SENDER, "sticker", {"id": "m"}),
            message(SENDER, "document", {"id": "m"}),
        ]
        assert post(channel, rasa, *media) == 200
        await settle(channel)
        assert rasa.messages == [] and graph.texts() == [whatsapp.PLEASE_TYPE] * 5
        await channel.close()

    run(scenario)


# --- finding 5: rate limit on arrival, bounded queues -----------------------------------


def test_the_rate_limit_is_checked_when_the_message_arrives(whatsapp, make, graph):
    """25 messages arrive at once while the assistant is busy; by the time it is free the
    bucket would be full again: still only 20 of them are handled, and one notice sent."""
    now = [0.0]

    async def scenario() -> None:
        channel, rasa = make(clock=lambda: now[0]), FakeRasa()
        channel.max_waiting = 100  # only the rate limit here
        rasa.hold()
        for n in range(25):
            assert post(channel, rasa, text(f"pesan {n}")) == 200
        await asyncio.sleep(0.01)  # the first one is with the assistant, 24 wait their turn
        now[0] += 600  # ten minutes later the assistant is free again
        rasa.release()
        await settle(channel)
        assert rasa.texts == [f"pesan {n}" for n in range(20)]
        assert graph.texts().count(whatsapp.TOO_MANY) == 1
        await channel.close()

    run(scenario)


def test_mulai_from_a_number_that_did_not_opt_out_is_rate_limited(make):
    async def scenario() -> None:
        channel, rasa = make(clock=lambda: 0.0), FakeRasa()
        channel.max_waiting = 100
        for _ in range(25):
            post(channel, rasa, text("mulai"))
        await settle(channel)
        assert rasa.texts == ["mulai"] * 20
        await channel.close()

    run(scenario)


def test_each_senders_queue_is_bounded_with_one_notice(whatsapp, make, graph):
    async def scenario() -> None:
        channel, rasa = make(rate_per_minute=1000), FakeRasa()
        rasa.hold()
        assert post(channel, rasa, *[text(f"pesan {n}") for n in range(30)]) == 200
        other = "6289999"
        assert post(channel, rasa, text("halo", sender=other)) == 200  # others still get in
        rasa.release()
        await settle(channel)
        mine = [m.text for m in rasa.messages if m.sender_id == SENDER]
        assert mine == [f"pesan {n}" for n in range(whatsapp.MAX_WAITING)]
        assert [m.text for m in rasa.messages if m.sender_id == other] == ["halo"]
        assert graph.texts().count(whatsapp.TOO_MANY) == 1
        await channel.close()

    run(scenario)


def test_stop_gets_through_a_full_queue(make, graph):
    async def scenario() -> None:
        channel, rasa = make(rate_per_minute=1000), FakeRasa()
        rasa.hold()
        post(channel, rasa, *[text(f"pesan {n}") for n in range(12)], text("STOP"))
        rasa.release()
        await settle(channel)
        assert channel.output().state.opted_out(SENDER)
        await channel.close()

    run(scenario)


def test_the_total_in_hand_is_bounded_and_the_rest_is_refused_for_a_retry(make, tmp_path):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        channel.max_in_hand = 5
        rasa.hold()
        senders = [f"62800{n}" for n in range(8)]
        inbound = [text("halo", sender=sender) for sender in senders]
        assert post(channel, rasa, *inbound[:5]) == 200
        assert post(channel, rasa, *inbound[5:]) == 503  # WhatsApp delivers it again
        state = channel.output().state
        assert [state.status(m["id"]) for m in inbound[5:]] == [None] * 3
        rasa.release()
        await settle(channel)
        assert post(channel, rasa, *inbound[5:]) == 200  # the retry, once there is room
        await settle(channel)
        assert sorted(m.sender_id for m in rasa.messages) == senders
        await channel.close()

    run(scenario)


# --- finding 6: handled only after the reply --------------------------------------------


def test_a_message_is_handled_only_once_its_reply_was_sent(make, graph):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        state = channel.output().state
        rasa.hold()
        first = text("halo")
        post(channel, rasa, first)
        await asyncio.sleep(0.01)
        assert rasa.texts == ["halo"] and graph.sent == []
        assert state.status(first["id"]) == "pending"
        assert post(channel, rasa, first) == 200  # a retry while it is in hand
        rasa.release()
        await settle(channel)
        assert state.status(first["id"]) == "done" and graph.texts() == ["re: halo"]
        assert post(channel, rasa, first) == 200  # a retry after it was answered
        await settle(channel)
        assert rasa.texts == ["halo"]
        rasa.fail = True  # a failure is recorded: handled too
        failing = text("rusak")
        post(channel, rasa, failing)
        await settle(channel)
        assert state.status(failing["id"]) == "done"
        await channel.close()

    run(scenario)


def test_messages_left_pending_by_a_stopped_server_are_handled_at_start(make, graph, tmp_path):
    now = 1_000_000.0
    old = ChannelState(tmp_path / "wa.db", clock=lambda: now - 7200)  # two hours ago
    old.claim(Inbound("wamid.stale", SENDER, "text", "sudah basi"))
    old.close()
    crashed = ChannelState(tmp_path / "wa.db", clock=lambda: now - 60)
    crashed.claim(Inbound("wamid.left", SENDER, "text", "isi form"))
    crashed.claim(Inbound("wamid.photo", SENDER, "image", None))
    crashed.close()

    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        channel.output().state.clock = lambda: now
        assert channel.resume(rasa) == 2
        post(channel, rasa, text("isi form", message_id="wamid.left"))  # WhatsApp's retry
        await settle(channel)
        assert rasa.ids == ["wamid.left"] and graph.texts()[0] == "re: isi form"
        assert len(graph.texts()) == 2  # and "please type" for the photo
        state = channel.output().state
        assert {state.status(i) for i in ("wamid.stale", "wamid.left", "wamid.photo")} == {"done"}
        assert channel.resume(rasa) == 0
        await channel.close()

    run(scenario)


# --- finding 7: shutdown drains ---------------------------------------------------------


def test_stopping_finishes_the_messages_in_hand_and_refuses_new_ones(make, graph, tmp_path):
    async def scenario() -> None:
        channel, rasa = make(), FakeRasa()
        rasa.hold()
        first, second = text("satu"), text("dua", sender="6280002")
        post(channel, rasa, first, second)
        await asyncio.sleep(0.01)
        closing = asyncio.create_task(channel.close())
        await asyncio.sleep(0.05)
        assert not closing.done()  # waiting for the two messages
        assert post(channel, rasa, text("tiga")) == 503  # WhatsApp delivers it again later
        rasa.release()
        await asyncio.wait_for(closing, 5)
        assert sorted(rasa.texts) == ["dua", "satu"] and len(graph.sent) == 2 and graph.closed

    run(scenario)
    state = state_of(tmp_path)
    assert state.unfinished() == [] and state.handled_count() == 2
    state.close()


def test_what_does_not_finish_in_time_stays_pending_for_the_next_start(make, graph):
    async def scenario() -> None:
        channel, rasa = make(drain_seconds=0.1), FakeRasa()
        rasa.hold()
        stuck = text("lama sekali")
        post(channel, rasa, stuck)
        await asyncio.sleep(0.01)
        await asyncio.wait_for(channel.close(), 5)
        assert graph.sent == []
        again, fresh = make(), FakeRasa()
        assert again.output().state.status(stuck["id"]) == "pending"
        assert again.resume(fresh) == 1
        await settle(again)
        assert fresh.texts == ["lama sekali"] and graph.texts() == ["re: lama sekali"]
        assert again.output().state.status(stuck["id"]) == "done"
        await again.close()

    run(scenario)


def test_the_drain_time_comes_from_the_environment(whatsapp):
    settings = whatsapp.Settings.from_sources({}, {"WHATSAPP_DRAIN_SECONDS": "90"})
    assert settings.drain_seconds == 90
    assert whatsapp.Settings.from_sources({}, {}).drain_seconds == 60
    assert whatsapp.Settings.from_sources({}, {"WHATSAPP_DRAIN_SECONDS": "-1"}).drain_seconds > 0


class LoopingRasa(FakeRasa):
    """An assistant that repeats itself ten times in one turn (the fallback loop)."""

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        for _ in range(10):
            await message.output_channel.send_text_message(message.sender_id, "Maaf, belum paham")


def test_a_turn_that_repeats_itself_reaches_the_person_once(make, graph):
    """Turn invariants (assistant/channels/turns.py) hold on WhatsApp too."""

    async def scenario() -> None:
        channel, rasa = make(), LoopingRasa()
        post(channel, rasa, text("tidak"))
        await settle(channel)
        assert graph.texts() == ["Maaf, belum paham"]
        await channel.close()

    run(scenario)


class SilentRasa(FakeRasa):
    async def __call__(self, message: Any) -> None:
        self.messages.append(message)


def test_a_silent_turn_still_gets_an_answer(make, graph):
    async def scenario() -> None:
        channel, rasa = make(), SilentRasa()
        post(channel, rasa, text("ya"))
        await settle(channel)
        assert len(graph.texts()) == 1 and "menu" in graph.texts()[0]
        await channel.close()

    run(scenario)


class ParagraphRasa(FakeRasa):
    """An answer with a blank line inside it (a paragraph and its "ketik lanjut" hint)."""

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Hasil.\n\nKetik lanjut")


def test_a_message_with_blank_lines_stays_one_message(make, graph):
    async def scenario() -> None:
        channel, rasa = make(), ParagraphRasa()
        post(channel, rasa, text("halo"))
        await settle(channel)
        assert graph.texts() == ["Hasil.\n\nKetik lanjut"]
        await channel.close()

    run(scenario)
