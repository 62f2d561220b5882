"""Security headers on every response, and whether cookies are marked Secure.

Pages allow no inline script (`script-src 'self'`), cannot be framed, send no referrer, are not
sniffed, and neither pages nor API answers are stored by browsers or proxies (patient data);
only the static files are cacheable. HSTS is sent when the request came over TLS."""

import ipaddress

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openkap.core.config import get_settings

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The interactive API reference (Swagger UI) loads its script and styles from a CDN and starts
# with an inline script; it shows no patient data.
API_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
_LOOPBACK_NAMES = frozenset({"localhost"})


def _headers_for(scope: Scope) -> list[tuple[bytes, bytes]]:
    path: str = scope["path"]
    policy = API_DOCS_POLICY if path == "/api/docs" else PAGE_POLICY
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]
    if not path.startswith("/static/"):
        headers.append((b"cache-control", b"no-store"))
    if scope.get("scheme") == "https":
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """ASGI middleware: set the security headers, replacing any a route set for the same names."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = _headers_for(scope)
        names = {name for name, _ in ours}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": kept + ours}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def loopback(host: str | None) -> bool:
    """Whether a host name or address is this machine's own (served only to itself)."""
    if not host:
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure (sent over HTTPS only) unless OpenKAP is served on a loopback address
    and the setting does not insist."""
    return get_settings().cookie_secure or not loopback(request.url.hostname)
