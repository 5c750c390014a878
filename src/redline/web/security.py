"""The web app's guards: workspace paths, request size, CSRF tokens, response headers.

* **Paths.** A file is opened only by a path relative to the workspace that, once every symlink
  is resolved, still lies inside it: absolute paths, ``..`` parts, NUL bytes and backslashes are
  refused (400) and anything else that is missing or escapes is "not found" (404). Only
  ``.yaml``/``.yml`` files are opened.
* **Size.** A scenario has one size limit, the loader's
  (:data:`redline.scenario.load.MAX_FILE_BYTES`), checked where every scenario text comes in
  (a workspace file, an upload, the editor's form) by the loader itself. Requests carry that
  text once, plus the form's numbers; bodies above :data:`MAX_BODY`, which leaves room for
  both, are refused with 413 before they are read.
* **CSRF.** Every visitor gets a random token in a signed, HttpOnly, SameSite=Strict cookie;
  every form carries the token in a hidden field, and every POST must present both, matching
  (403 otherwise). POSTs whose ``Origin`` names another site are refused too.
* **Headers.** A strict Content-Security-Policy (scripts only from the app itself, no inline
  script), no framing, no sniffing, no referrer to other sites (a browser that sends
  ``Origin: null`` is refused, so the policy must keep the origin for the app itself). Every
  response carries them, error responses included (:class:`SecurityHeaders` wraps the whole
  app; the handler of unexpected errors adds them itself), and every response that sets no
  caching of its own (pages, errors, downloads) gets ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from starlette.datastructures import FormData, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redline.errors import RedlineError
from redline.files import read_head
from redline.scenario.load import MAX_FILE_BYTES
from redline.scenario.model import Scenario

MAX_FORM_FIELDS = 20_000
# Bytes of any request: a scenario at the loader's limit, whose line ends a browser may send as
# CRLF (at most twice the bytes), and the form's other fields with their multipart headers.
MAX_BODY = 2 * MAX_FILE_BYTES + MAX_FORM_FIELDS * 100
SCENARIO_SUFFIXES = (".yaml", ".yml")
MAX_LISTED = 1_000
MAX_DEPTH = 4  # folder levels listed below the workspace
CSRF_COOKIE = "redline_csrf"
CSRF_FIELD = "csrf_token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
NO_STORE = "no-store"
_DRIVE = re.compile(r"^[A-Za-z]:")


# ---------------------------------------------------------------- workspace paths

def resolve_in_workspace(workspace: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``workspace`` (already resolved), or an HTTP error:
    400 for a path that is not a plain relative one, 404 for one that does not exist or leads
    outside the workspace (through a symlink, say)."""
    if (not relative or "\x00" in relative or "\\" in relative or relative.startswith("/")
            or _DRIVE.match(relative) or len(relative) > 1000):
        raise HTTPException(400, "expected a path relative to the workspace")
    parts = PurePosixPath(relative).parts
    if any(part in ("..", "") for part in parts):
        raise HTTPException(400, "'..' is not allowed in paths")
    if any(part.startswith(".") for part in parts):
        raise HTTPException(404, "not found")
    if not relative.lower().endswith(SCENARIO_SUFFIXES):
        raise HTTPException(400, "only .yaml and .yml files can be opened")
    try:
        path = (workspace / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise HTTPException(404, "not found") from None
    if not path.is_relative_to(workspace) or not path.is_file():
        raise HTTPException(404, "not found")
    return path


def list_yaml(workspace: Path) -> tuple[list[str], list[str]]:
    """The ``.yaml``/``.yml`` files under the workspace, as relative paths: those that may be
    scenarios, and those that are not (:func:`is_other_yaml`). Hidden folders and symlinks that
    lead outside are skipped; at most :data:`MAX_DEPTH` folders deep; sorted; at most
    :data:`MAX_LISTED` files."""
    scenarios: list[str] = []
    others: list[str] = []
    for relative in _yaml_files(workspace):
        (others if is_other_yaml(workspace / relative) else scenarios).append(relative)
    return scenarios, others


SNIFF_BYTES = 8192
_TOP_KEY = re.compile(r"""^(?:([A-Za-z_][A-Za-z0-9_-]*)|"([^"]*)"|'([^']*)')\s*:(?:\s|$)""")


def is_other_yaml(path: Path) -> bool:
    """Whether a YAML file is certainly not a scenario: its first top-level key (read from the
    first :data:`SNIFF_BYTES`) is none of a scenario's (``scenario``, ``actors``, ...), as in a
    points file for ``redline divide``. A file whose start cannot be read that way counts as a
    scenario, so that opening it shows the loader's own message."""
    try:
        head = read_head(path, SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except RedlineError:
        return False
    for line in head.splitlines():
        text = line.strip()
        if not text or text.startswith(("#", "%", "---")):
            continue
        match = _TOP_KEY.match(text)
        if match is None:
            return False
        key = next(group for group in match.groups() if group is not None)
        return key not in Scenario.model_fields
    return False


def _yaml_files(workspace: Path) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(workspace, followlinks=False):
        depth = len(Path(root).relative_to(workspace).parts)
        dirs[:] = [] if depth >= MAX_DEPTH else sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(SCENARIO_SUFFIXES):
                continue
            path = Path(root) / name
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if real.is_relative_to(workspace) and real.is_file():
                found.append(path.relative_to(workspace).as_posix())
            if len(found) >= MAX_LISTED:
                return sorted(found)
    return sorted(found)


# ---------------------------------------------------------------- response headers

def secure_headers(headers: MutableHeaders) -> None:
    """Add :data:`SECURITY_HEADERS` to a response's headers, and ``Cache-Control: no-store``
    unless the response chose its caching itself."""
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if "cache-control" not in headers:
        headers["cache-control"] = NO_STORE


class SecurityHeaders:
    """ASGI middleware: :func:`secure_headers` on every HTTP response that passes through it,
    including those of the middlewares inside it (413, untrusted host 400)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_secured)


# ---------------------------------------------------------------- request size

class BodyLimit:
    """ASGI middleware: refuse request bodies above ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await _too_large(scope, receive, send, self.max_bytes)
                    return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, f"the request is larger than {self.max_bytes:,} "
                                        "bytes")
            return message

        await self.app(scope, limited, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = PlainTextResponse(f"413: the request is larger than {limit:,} bytes",
                                 status_code=413, headers={"connection": "close"})
    await response(scope, receive, send)


# ---------------------------------------------------------------- CSRF

class CsrfSigner:
    """Random per-visitor tokens, signed with a per-process secret for the cookie."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    def _mac(self, token: str) -> str:
        return hmac.new(self.secret, token.encode(), hashlib.sha256).hexdigest()

    def new_token(self) -> str:
        """A fresh random CSRF token."""
        return secrets.token_urlsafe(32)

    def cookie_value(self, token: str) -> str:
        """The token signed for the cookie: ``token.mac``."""
        return f"{token}.{self._mac(token)}"

    def token_from_cookie(self, value: str | None) -> str | None:
        """The token in a cookie whose signature checks out, else ``None``."""
        if not value or value.count(".") != 1:
            return None
        token, mac = value.split(".")
        if not token or not hmac.compare_digest(mac, self._mac(token)):
            return None
        return token


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


async def csrf_form(request: Request) -> FormData:
    """FastAPI dependency of every POST route: the parsed form, after the CSRF check (403)."""
    expected = getattr(request.state, "csrf_valid_token", None)
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    try:
        # The scenario text is one field: any size the body limit lets through is parsed, so
        # that the loader's own size check is the one that decides.
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS,
                                  max_part_size=MAX_BODY)
    except HTTPException:
        raise
    except Exception:  # noqa: BLE001 - a malformed body is the client's problem
        raise HTTPException(400, "the form could not be read") from None
    sent = form.get(CSRF_FIELD)
    if (not expected or not isinstance(sent, str) or not sent
            or not hmac.compare_digest(sent.encode(), expected.encode())):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return form
