"""Outgoing HTTP for webhooks and partner callbacks, with the SSRF guard.

A URL is resolved once, every address it resolves to is checked (loopback, private,
link-local, multicast, reserved and unspecified ones are refused unless private targets
are allowed), and the connection goes to the checked address: a name that resolves to a
public address when checked and to an internal one a moment later (DNS rebinding) cannot
slip through. Redirects are not followed. Standard library only.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

EXCERPT_BYTES = 1024
USER_AGENT = "quizsvc-webhooks/1"


class RefusedURL(ValueError):
    """The URL may not be called: bad form, or it resolves to an address the guard refuses."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    excerpt: str | None


def check_form(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of an http(s) URL, or RefusedURL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedURL(f"Not a valid URL: {error}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedURL("Use an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise RefusedURL("Credentials in the URL are not allowed; put a token in the path or query.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(url: str, *, allow_private: bool) -> Target:
    """Check the URL and pick the address to connect to (the first one the resolver gives)."""
    scheme, host, port, path = check_form(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedURL(f"The host {host!r} does not resolve: {error.strerror}.") from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        bad = sorted({a for a in addresses if _refused(a)})
        if bad:
            raise RefusedURL(
                f"The host {host!r} resolves to {', '.join(bad)}: loopback, private and link-local addresses are refused."
            )
    return Target(scheme, host, port, path, addresses[0])


def check_url(url: str, *, allow_private: bool) -> None:
    """For a URL being saved: refuse a bad form or an internal address; a name that does not
    resolve yet is accepted (deliveries check again, and fail until it does)."""
    try:
        resolve(url, allow_private=allow_private)
    except RefusedURL as error:
        if "does not resolve" not in str(error):
            raise


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def send(method: str, url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> Outcome:
    """One request; a 2xx answer succeeds. Never raises for network trouble: it is the outcome."""
    started = time.monotonic()

    def outcome(succeeded, status=None, error=None, excerpt=None):
        return Outcome(succeeded, status, int((time.monotonic() - started) * 1000), error, excerpt)

    try:
        target = resolve(url, allow_private=allow_private)
    except RefusedURL as error:
        return outcome(False, error=str(error))
    connection = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target, timeout)
    try:
        connection.request(
            method,
            target.path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return outcome(200 <= response.status < 300, response.status, excerpt=excerpt)
    except (OSError, http.client.HTTPException) as error:
        return outcome(False, error=f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
