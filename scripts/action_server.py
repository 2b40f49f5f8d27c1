"""Run the action server (rasa_sdk, our `actions` package) the safe way.

    .venv/bin/python scripts/action_server.py [--port 5055]

- binds 127.0.0.1 (``ASSISTANT_BIND`` overrides, with a warning in the log);
- every route but ``/health`` needs ``Authorization: Bearer <token>``: 401 without it. The
  token is ``ACTION_SERVER_TOKEN``, else the first line of ``var/action-token``
  (``--token-file``); no token, no server. Rasa sends it from endpoints.yml;
- one process (no Sanic worker manager), so a supervisor that sees it die knows that
  nothing of it is left holding the port.

Used by `make serve`, `make chat`, the end-to-end tests and the systemd unit alike.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from rasa_sdk.constants import DEFAULT_KEEP_ALIVE_TIMEOUT
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

ROOT = Path(__file__).resolve().parents[1]
OPEN_PATHS = frozenset({"/health"})
MIN_TOKEN_LENGTH = 16
logger = logging.getLogger("action_server")


class ConfigurationError(Exception):
    """A setting that keeps the server from starting; the message says what to do."""


def read_token(environ: Mapping[str, str], token_file: Path) -> str:
    """ACTION_SERVER_TOKEN, else the token file's first line."""
    token = environ.get("ACTION_SERVER_TOKEN", "").strip()
    if not token and token_file.is_file():
        lines = token_file.read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
    if not token:
        raise ConfigurationError(
            f"Token server aksi tidak ada: set ACTION_SERVER_TOKEN atau buat {token_file} "
            "(scripts/serve.sh membuatnya sendiri)."
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigurationError(
            f"Token server aksi terlalu pendek ({len(token)} karakter); "
            f"pakai minimal {MIN_TOKEN_LENGTH} karakter acak."
        )
    return token


def bind_address(environ: Mapping[str, str]) -> str:
    """127.0.0.1 unless ASSISTANT_BIND says otherwise (warned: the token is then all
    that stands between the network and the actions)."""
    host = environ.get("ASSISTANT_BIND", "").strip() or "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        logger.warning(
            "!!! ASSISTANT_BIND=%s: the action server listens beyond this machine. Only the "
            "token protects it; firewall the port so that only the Rasa server reaches it.",
            host,
        )
    return host


def authorized(header: str | None, token: str) -> bool:
    expected = f"Bearer {token}".encode()
    return hmac.compare_digest((header or "").encode(), expected)


def build_app(token: str, actions: str = "actions") -> Sanic:
    """rasa_sdk's app with our actions and the token check in front of every route but
    /health."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    executor = ActionExecutor()
    executor.register_package(actions)
    app = create_app(executor, cors_origins=None)
    app.config.KEEP_ALIVE_TIMEOUT = DEFAULT_KEEP_ALIVE_TIMEOUT

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorized(request.headers.get("authorization"), token):
            return None
        logger.warning(
            "refused %s %s from %s: no valid token", request.method, request.path, request.ip
        )
        return response.json(
            {"error": "This action server answers only the Rasa server (token required)."},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--actions", default="actions", help="package of the actions")
    parser.add_argument(
        "--token-file",
        type=Path,
        default=Path(os.environ.get("ASSISTANT_VAR_DIR", str(ROOT / "var"))) / "action-token",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    environ = os.environ
    try:
        token = read_token(environ, args.token_file)
    except ConfigurationError as error:
        print(f"[server aksi] GAGAL: {error}", file=sys.stderr)
        return 2
    host = bind_address(environ)
    app = build_app(token, args.actions)
    logger.info("action server on http://%s:%d (token required, /health open)", host, args.port)
    app.run(
        host=host,
        port=args.port,
        single_process=True,
        access_log=False,
        motd=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
