"""Request limits, enforced while the body is read and before any route sees it: a body size
(2 MB, more only for the named upload routes), a time to send it, and, for JSON, a nesting depth
and an array length. A request past a limit is answered at once and nothing of it is kept, so no
request, signed in or not, can make the process grow."""

import asyncio
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 2 * 1024 * 1024
# Upload routes allowed a larger body, by path: the consent scan (at most 5 MB) with the form
# around it, and on the API the same scan in base64 (a third larger) inside its JSON.
LARGER_BODIES = (
    (re.compile(r"^/episodes/[^/]+/preparation/consents$"), 6 * 1024 * 1024),
    (re.compile(r"^/api/v1/episodes/[^/]+/consents$"), 8 * 1024 * 1024),
)
BODY_SECONDS = 30.0
MAX_JSON_DEPTH = 32
MAX_JSON_ARRAY = 1000
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused before routing."""

    status: int
    name: str
    detail: str


def body_limit(path: str) -> int:
    """The most bytes a request to this path may send."""
    return next((size for pattern, size in LARGER_BODIES if pattern.match(path)), MAX_BODY_BYTES)


def _depth(body: bytes) -> int:
    brackets = _STRINGS.sub(b"", body).translate(None, _BRACKETS)
    steps = (1 if char in b"[{" else -1 for char in brackets)
    return max(accumulate(steps, initial=0))


def _longest_array(value: Any) -> int:
    if isinstance(value, list):
        return max([len(value), *(_longest_array(item) for item in value)])
    if isinstance(value, dict):
        return max([0, *(_longest_array(item) for item in value.values())])
    return 0


def json_problem(body: bytes) -> Refusal | None:
    """Refuse JSON nested too deep or with an array too long; malformed JSON is the route's."""
    depth = _depth(body)
    if depth > MAX_JSON_DEPTH:
        return Refusal(
            422,
            "JsonTooDeep",
            f"The JSON body is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed.",
        )
    try:
        longest = _longest_array(json.loads(body))
    except ValueError:
        return None
    if longest > MAX_JSON_ARRAY:
        return Refusal(
            422,
            "JsonArrayTooLong",
            f"The JSON body has an array of {longest} items; at most {MAX_JSON_ARRAY} are allowed.",
        )
    return None


def _too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        "RequestTooLarge",
        f"The request body is larger than this address accepts ({limit // (1024 * 1024)} MB).",
    )


def _header(scope: Scope, name: bytes) -> str:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", [])
    return next((value.decode("latin-1") for key, value in headers if key == name), "")


class RequestLimits:
    """ASGI middleware: read the body within its limits, then pass it on as it came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, _too_large(limit))
            return
        body, refused = await _read(receive, limit)
        if refused is None and body and "json" in _header(scope, b"content-type"):
            refused = json_problem(body)
        if refused is not None:
            await _refuse(scope, send, refused)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read(receive: Receive, limit: int) -> tuple[bytes, Refusal | None]:
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        try:
            message = await asyncio.wait_for(receive(), BODY_SECONDS)
        except TimeoutError:
            return b"", Refusal(408, "RequestTimeout", "The request body took too long to arrive.")
        if message["type"] == "http.disconnect":
            return b"", Refusal(400, "ClientDisconnected", "The client went away.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(scope: Scope, send: Send, refusal: Refusal) -> None:
    if scope["path"].startswith(("/api/", "/fhir/")):
        payload = json.dumps({"error": refusal.name, "detail": refusal.detail}).encode()
        kind = b"application/json"
    else:
        payload, kind = refusal.detail.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(payload)).encode())]
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
