"""The studio's web server (sanic, which the action server's rasa_sdk already brings):
the page and its script and style from ``static/`` (nothing from a CDN), and a small JSON
API over ``assistant.studio.service``. The chat goes to the Rasa server's REST channel on
this machine, as the user's practice persona.

Run: ``python -m assistant.studio.server [--port 5010]``. Binds 127.0.0.1 unless
ASSISTANT_BIND says otherwise (scripts/servers.sh); every request needs the signed link's
token (``?token=`` or ``Authorization: Bearer``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path
from typing import Any

import requests
from sanic import Sanic, response
from sanic.exceptions import BadRequest, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.common.errors import InputError
from assistant.common.paths import database_path, sandbox_path, var_dir
from assistant.common.texts import text
from assistant.studio import tokens
from assistant.studio.graph import GraphvizMissing
from assistant.studio.service import Refused, Session, Studio

STATIC = Path(__file__).with_name("static")
LANGS = ("id", "en")
MAX_MESSAGE = 1000
MAX_BODY_KB = 64  # a what-if form is well under 1 KB; anything bigger is refused unread
MAX_INPUTS = 40  # more fields than any decision kind has
MAX_FIELD_NAME = 64
MAX_ID = 100
RASA_SECONDS = 60
UI_KEYS = (
    "title",
    "subtitle",
    "chat",
    "send",
    "placeholder",
    "reset",
    "reset_done",
    "decision",
    "decision_id",
    "no_decision",
    "steps",
    "citations",
    "what_if",
    "rerun",
    "changed",
    "inputs_changed",
    "rules_added",
    "rules_dropped",
    "outputs_changed",
    "scenarios",
    "pick",
    "play",
    "export_png",
    "export_pdf",
    "language",
    "legend_taken",
    "legend_added",
    "legend_dropped",
    "waiting",
    "error",
    "user",
    "sandbox_note",
    "nothing_changed",
    "empty_value",
    "yes",
    "no",
    "unknown",
    "conclusions",
    "facts",
)
log = logging.getLogger("studio")


def ui_texts() -> dict[str, dict[str, str]]:
    return {lang: {key: text(f"studio.ui.{key}", lang) for key in UI_KEYS} for lang in LANGS}


def _lang(request: Request, body: dict[str, Any] | None = None) -> str:
    lang = (body or {}).get("lang") or request.args.get("lang") or "id"
    return lang if lang in LANGS else "id"


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token")


class BadBody(Exception):
    """A request body the studio will not read; ``key`` and ``values`` name its sentence
    under ``studio`` in texts.yml."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def trouble(key: str, status: int, **values: Any) -> HTTPResponse:
    """A JSON error in both languages (the page shows ``message[lang]``), never a trace."""
    message = {lang: text(f"studio.{key}", lang, **values) for lang in LANGS}
    return response.json({"error": message["id"], "message": message}, status=status)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or ``BadBody`` (not JSON, or not an object)."""
    try:
        body = request.json
    except BadRequest:
        raise BadBody("bad_json") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadBody("bad_json")
    return body


def what_if_inputs(body: dict[str, Any]) -> dict[str, Any]:
    """The what-if inputs, bounded in number and name length; their values are the decision
    input model's to judge (it answers out-of-range and wrong-type values in Indonesian)."""
    changed = body.get("inputs") or {}
    if (
        not isinstance(changed, dict)
        or len(changed) > MAX_INPUTS
        or any(len(name) > MAX_FIELD_NAME for name in changed)
    ):
        raise BadBody("bad_inputs", count=MAX_INPUTS, length=MAX_FIELD_NAME)
    return changed


def decision_id_of(body: dict[str, Any]) -> str:
    found = body.get("decision_id")
    if not isinstance(found, str) or not found or len(found) > MAX_ID:
        raise InputError(text("studio.bad_request"), "decision_id")
    return found


def refusal_page(reason: str) -> HTTPResponse:
    sentences = "".join(
        f'<p lang="{lang}">{text(f"studio.refused.{reason}", lang)}</p>' for lang in LANGS
    )
    body = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{text('studio.ui.title')}</title>"
        '<link rel="stylesheet" href="/static/studio.css"></head>'
        f'<body class="refused"><main id="refused" data-reason="{reason}">'
        f"<h1>{text('studio.ui.title')}</h1>{sentences}</main></body></html>"
    )
    return response.html(body, status=403)


# Sent with every answer: the page runs only its own script, is never framed, and no
# answer is sniffed as another type or sends a Referer with the token in it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def same_origin(headers: Any, host: str) -> bool:
    """Whether a request comes from the studio's own page (or from no browser at all)."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin:
        return origin.split("://", 1)[-1].rstrip("/") == host
    return True


def rest_token() -> str:
    """The REST channel's token: REST_TOKEN, else $ASSISTANT_VAR_DIR/rest-token (made by
    scripts/serve.sh when the channel is served); empty when there is none."""
    given = os.environ.get("REST_TOKEN", "").strip()
    if given:
        return given
    path = var_dir() / "rest-token"
    try:
        return path.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return ""


def build(studio: Studio, rasa_url: str) -> Sanic:
    app = Sanic("trainer_studio")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = MAX_BODY_KB * 1024
    app.static("/static", STATIC, name="static")

    @app.on_request
    async def same_origin_only(request: Request) -> HTTPResponse | None:
        """A page of another site may not make the studio act for a trainer (issue 22,
        finding 8): a POST that a browser marks as cross-site is refused, whatever token it
        carries."""
        if request.method != "POST":
            return None
        if not same_origin(request.headers, request.host):
            return trouble("cross_origin", 403)
        return None

    @app.on_response
    async def security_headers(request: Request, answer: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            answer.headers.setdefault(name, value)

    async def admitted(request: Request) -> Session:
        return await asyncio.to_thread(studio.admit, _token(request))

    async def run(function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, *args)

    @app.exception(Refused)
    async def refused(request: Request, error: Refused) -> HTTPResponse:
        if request.path.startswith("/api/"):
            message = {lang: text(f"studio.refused.{error.reason}", lang) for lang in LANGS}
            return response.json({"refused": error.reason, "message": message}, status=403)
        return refusal_page(error.reason)

    @app.exception(InputError)
    async def invalid(request: Request, error: InputError) -> HTTPResponse:
        return response.json({"error": str(error), "field": error.field}, status=400)

    @app.exception(BadBody)
    async def bad_body(request: Request, error: BadBody) -> HTTPResponse:
        return trouble(error.key, 400, **error.values)

    @app.exception(SanicException)
    async def http_trouble(request: Request, error: SanicException) -> HTTPResponse:
        status = getattr(error, "status_code", 500) or 500
        if status == 413:
            return trouble("too_big", 413, kb=MAX_BODY_KB)
        if status == 404:
            return trouble("not_found", 404)
        if status < 500:
            return trouble("bad_request", status)
        log.error("studio request %s failed: %s", request.path, error)
        return trouble("failed", status)

    @app.exception(Exception)
    async def failed(request: Request, error: Exception) -> HTTPResponse:
        log.exception("studio request %s failed", request.path)
        return trouble("failed", 500)

    @app.exception(GraphvizMissing)
    async def no_graphviz(request: Request, error: GraphvizMissing) -> HTTPResponse:
        return response.json({"error": text("studio.no_graphviz")}, status=500)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/")
    async def page(request: Request) -> HTTPResponse:
        await admitted(request)
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return response.html(
            html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )

    @app.get("/api/session")
    async def session_info(request: Request) -> HTTPResponse:
        session = await admitted(request)
        lang = _lang(request)
        found, problems = await run(studio.scenarios, lang)
        latest = await run(studio.latest, session)
        view = await run(studio.view, session, latest, lang) if latest else None
        return response.json(
            {
                "user": session.user.name,
                "persona": session.persona.id,
                "texts": ui_texts(),
                "scenarios": [s.public(lang) for s in found],
                "scenario_problems": [
                    {"file": p.path.name, "problems": p.problems} for p in problems
                ],
                "decision": view,
            }
        )

    @app.post("/api/chat")
    async def chat(request: Request) -> HTTPResponse:
        session = await admitted(request)
        body = json_body(request)
        message = str(body.get("message") or "").strip()[:MAX_MESSAGE]
        if not message:
            return response.json({"replies": [], "decision_id": None})
        before = await run(studio.latest, session)

        def say() -> list[str]:
            answer = requests.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": session.persona.id, "message": message},
                headers={"Authorization": f"Bearer {rest_token()}"},
                timeout=RASA_SECONDS,
            )
            answer.raise_for_status()
            return [item["text"] for item in answer.json() if "text" in item]

        try:
            replies = await run(say)
        except requests.RequestException as error:
            log.warning("the Rasa server did not answer: %s", error)
            return response.json(
                {"error": text("studio.no_rasa", _lang(request, body))}, status=502
            )
        latest = await run(studio.latest, session)
        fresh = latest is not None and (before is None or latest.id != before.id)
        return response.json({"replies": replies, "decision_id": latest.id if fresh else None})

    @app.get("/api/decision/<decision_id:str>")
    async def decision(request: Request, decision_id: str) -> HTTPResponse:
        session = await admitted(request)
        lang = _lang(request)
        found = await run(studio.decision, session, decision_id)
        before_id = request.args.get("before")
        before = await run(studio.decision, session, before_id) if before_id else None
        return response.json(await run(studio.view, session, found, lang, before))

    @app.post("/api/whatif")
    async def what_if(request: Request) -> HTTPResponse:
        session = await admitted(request)
        body = json_body(request)
        lang = _lang(request, body)
        changed = what_if_inputs(body)
        before, after = await run(studio.what_if, session, decision_id_of(body), changed)
        return response.json(await run(studio.view, session, after, lang, before))

    @app.post("/api/scenario")
    async def scenario(request: Request) -> HTTPResponse:
        session = await admitted(request)
        body = json_body(request)
        lang = _lang(request, body)
        found, _ = await run(studio.scenarios, lang)
        chosen = next((s for s in found if s.id == body.get("id")), None)
        if chosen is None:
            return response.json({"error": text("studio.scenario.unknown", lang)}, status=404)
        view = None
        if chosen.inputs is not None:
            made = await run(studio.scenario_decision, session, chosen)
            view = await run(studio.view, session, made, lang)
        return response.json({"scenario": chosen.public(lang), "decision": view})

    @app.post("/api/reset")
    async def reset(request: Request) -> HTTPResponse:
        session = await admitted(request)
        fresh = await run(studio.reset, session)
        return response.json({"persona": fresh.persona.id})

    @app.get("/api/export/<fmt:str>/<decision_id:str>")
    async def export(request: Request, fmt: str, decision_id: str) -> HTTPResponse:
        session = await admitted(request)
        lang = _lang(request)
        found = await run(studio.decision, session, decision_id)
        name = f"keputusan-{found.kind}-{found.id[:8]}"
        if fmt == "png":
            data = await run(studio.png, found, lang)
            kind = "image/png"
        elif fmt == "pdf":
            data = await run(studio.pdf, found, lang)
            kind = "application/pdf"
        else:
            return response.json({"error": text("studio.bad_request", lang)}, status=404)
        return response.raw(
            data,
            content_type=kind,
            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )

    @app.after_server_stop
    async def close(app: Sanic) -> None:
        studio.close()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Studio pelatih (trainer studio)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("STUDIO_PORT", "5010")))
    parser.add_argument("--host", default=os.environ.get("ASSISTANT_BIND", "127.0.0.1"))
    parser.add_argument(
        "--rasa",
        default=os.environ.get("STUDIO_RASA_URL")
        or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}",
    )
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    studio = Studio(database_path(), sandbox_path(), tokens.load_secret())
    app = build(studio, options.rasa.rstrip("/"))
    app.run(
        host=options.host,
        port=options.port,
        single_process=True,
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
