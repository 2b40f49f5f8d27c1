"""Messages the assistant starts itself (reminders, weekly summaries), sent through the
WhatsApp Business Cloud API with ``requests``: a plain text inside the 24-hour window, an
approved template outside it. Settings come from the environment, then the ``whatsapp``
section of credentials.yml (the same variables as the channel: WHATSAPP_ACCESS_TOKEN,
WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_BASE, WHATSAPP_API_VERSION) and the templates':
WHATSAPP_REMINDER_TEMPLATE, WHATSAPP_SUMMARY_TEMPLATE, WHATSAPP_TEMPLATE_LANGUAGE,
WHATSAPP_REMINDER_TEMPLATE_PARAMS, WHATSAPP_SUMMARY_TEMPLATE_PARAMS.

One POST per call, never retried here: whether and when to try again is the sent-log's
decision (``reminders``), so that nothing is sent twice."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
import yaml

from assistant.common.graph_api import GRAPH_API_BASE, GRAPH_API_VERSION

TIMEOUT_SECONDS = 20.0
DEFAULT_API_BASE, DEFAULT_API_VERSION = GRAPH_API_BASE, GRAPH_API_VERSION
# Graph API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
WINDOW_CLOSED = 131047  # "Re-engagement message": more than 24 hours since their last message
RATE_LIMITS = frozenset({130429, 131056, 80007, 4, 80004})  # throughput / pair rate limits
NUMBER_LIMIT = frozenset({130429, 80007, 4})  # the business number's limit: stop the run


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    params: tuple[str, ...]  # which values fill {{1}}, {{2}}, ... in order


@dataclass(frozen=True)
class OutboundSettings:
    access_token: str
    phone_number_id: str
    api_base: str = DEFAULT_API_BASE
    api_version: str = DEFAULT_API_VERSION
    reminder: Template | None = None
    summary: Template | None = None
    sign_off: Template | None = None

    @classmethod
    def from_sources(
        cls, environ: Mapping[str, str], credentials: Path | None = None
    ) -> OutboundSettings:
        """The environment first, then credentials.yml's ``whatsapp`` section."""
        section: dict[str, Any] = {}
        if credentials is not None and credentials.exists():
            loaded = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
            found = next((v for k, v in loaded.items() if "whatsapp" in str(k).lower()), None)
            section = found if isinstance(found, dict) else {}

        def value(variable: str, key: str, default: str = "") -> str:
            given = environ.get(variable) or section.get(key)
            text = str(given) if given is not None else ""
            return default if not text or text.startswith("${") else text

        language = value("WHATSAPP_TEMPLATE_LANGUAGE", "template_language", "id")

        def template(kind: str, default_params: str) -> Template | None:
            name = value(f"WHATSAPP_{kind.upper()}_TEMPLATE", f"{kind}_template")
            if not name:
                return None
            params = value(
                f"WHATSAPP_{kind.upper()}_TEMPLATE_PARAMS",
                f"{kind}_template_params",
                default_params,
            )
            return Template(
                name, language, tuple(p.strip() for p in params.split(",") if p.strip())
            )

        return cls(
            access_token=value("WHATSAPP_ACCESS_TOKEN", "access_token"),
            phone_number_id=value("WHATSAPP_PHONE_NUMBER_ID", "phone_number_id"),
            api_base=value("WHATSAPP_API_BASE", "api_base", DEFAULT_API_BASE),
            api_version=value("WHATSAPP_API_VERSION", "api_version", DEFAULT_API_VERSION),
            reminder=template("reminder", "nama,jumlah,terlambat"),
            summary=template("summary", "nama,desa"),
            sign_off=template("signoff", "nama,jumlah"),
        )

    def missing(self) -> list[str]:
        return [
            variable
            for variable, given in (
                ("WHATSAPP_ACCESS_TOKEN", self.access_token),
                ("WHATSAPP_PHONE_NUMBER_ID", self.phone_number_id),
            )
            if not given
        ]

    @property
    def messages_url(self) -> str:
        return f"{self.api_base.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"


@dataclass
class SendResult:
    """What the Graph API answered. ``answered`` False: no answer at all (a network error
    or a timeout), so the message may or may not have gone out."""

    ok: bool
    answered: bool = True
    status: int = 0
    code: int | None = None
    message_id: str | None = None
    retry_after: float | None = None
    detail: str = ""

    @property
    def window_closed(self) -> bool:
        return self.code == WINDOW_CLOSED

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code in RATE_LIMITS

    @property
    def number_limited(self) -> bool:
        return self.status == 429 or self.code in NUMBER_LIMIT


class Sender(Protocol):
    def text(self, to: str, body: str) -> SendResult: ...

    def template(self, to: str, template: Template, values: dict[str, str]) -> SendResult: ...


@dataclass
class GraphSender:
    """The real sender: one POST to the Graph API's messages endpoint per message."""

    settings: OutboundSettings
    session: requests.Session = field(default_factory=requests.Session)

    def text(self, to: str, body: str) -> SendResult:
        return self._post(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": {"preview_url": False, "body": body},
            }
        )

    def template(self, to: str, template: Template, values: dict[str, str]) -> SendResult:
        parameters = [{"type": "text", "text": values.get(p, "-")[:1000]} for p in template.params]
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {"name": template.name, "language": {"code": template.language}},
        }
        if parameters:
            payload["template"]["components"] = [{"type": "body", "parameters": parameters}]
        return self._post(payload)

    def _post(self, payload: dict[str, Any]) -> SendResult:
        try:
            answer = self.session.post(
                self.settings.messages_url,
                json=payload,
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            return SendResult(ok=False, answered=False, detail=type(error).__name__)
        try:
            body = answer.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        retry = answer.headers.get("Retry-After", "")
        retry_after = float(retry) if retry.strip().isdigit() else None
        if 200 <= answer.status_code < 300:
            messages = body.get("messages") or [{}]
            return SendResult(ok=True, status=answer.status_code, message_id=messages[0].get("id"))
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = error.get("code")
        return SendResult(
            ok=False,
            status=answer.status_code,
            code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
            retry_after=retry_after,
            detail=str(error.get("message") or answer.reason or "")[:300],
        )


def credentials_path() -> Path:
    return Path(os.environ.get("ASSISTANT_CREDENTIALS") or "credentials.yml")
