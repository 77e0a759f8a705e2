"""The HTTP connections to Telegram: PTB's httpx client, with a cheaper idle-connection check.

Before every request and after every response, httpcore's connection pool asks each idle
connection whether the server has closed it (is its socket readable?). The stream it gets
from anyio answers by building the socket's whole attribute table every time (its peer and
local addresses: system calls) just to find the socket in it. Under the Telegram benchmark
that lookup alone was about 9% of the bot's CPU (py-spy, 2026-12-01). Here each stream keeps
its socket from the moment it connects and answers the same question, the same way, directly.
Everything else (timeouts, TLS, errors) is httpx's own. httpx reads proxy settings from the
environment (HTTPS_PROXY and the like) only when it builds its own transport, so when any is
set the bot keeps python-telegram-bot's plain request and its proxy, at the old cost.
"""

from __future__ import annotations

import select
import socket
import ssl
import urllib.request
from typing import Any

import httpcore
import httpx
from telegram.request import HTTPXRequest


def socket_readable(sock: socket.socket | None) -> bool:
    """True if reading `sock` would not block: data waiting, or the peer closed it.

    A socket that is gone counts as readable (as in httpcore), so its connection is dropped.
    """
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(0))


class SocketKeepingStream(httpcore.AsyncNetworkStream):
    """A connection's stream that knows its socket (see the module docstring)."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, sock: socket.socket | None) -> None:
        self._stream = stream
        self._socket = sock

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to `max_bytes` from the connection."""
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """All of `buffer` to the connection."""
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the connection."""
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """TLS over this connection: the same socket underneath."""
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return SocketKeepingStream(tls, self._socket)

    def get_extra_info(self, info: str) -> Any:
        """httpcore's questions about the connection; "is_readable" without the lookup."""
        if info == "is_readable":
            return socket_readable(self._socket)
        if info == "socket":
            return self._socket
        return self._stream.get_extra_info(info)


class SocketKeepingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio (anyio) backend, whose streams keep their socket."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        """A new TCP connection."""
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return SocketKeepingStream(stream, stream.get_extra_info("socket"))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        """A new Unix socket connection."""
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return SocketKeepingStream(stream, stream.get_extra_info("socket"))

    async def sleep(self, seconds: float) -> None:
        """Wait (httpcore's retries use it)."""
        await self._backend.sleep(seconds)


class TelegramTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, its connection pool on `SocketKeepingBackend`."""

    def __init__(self, connections: int, verify: ssl.SSLContext | bool = True) -> None:
        """`verify`: httpx's (tests pass a context that trusts their own certificate)."""
        limits = httpx.Limits(max_connections=connections)
        context = httpx.create_ssl_context(verify=verify)  # loading the CAs takes a while: once
        super().__init__(verify=context, limits=limits)
        # The pool httpx builds for these settings, given our backend (httpx offers no
        # argument for it, so its pool is replaced).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=SocketKeepingBackend(),
        )


def proxy_in_environment() -> bool:
    """True if the environment names a proxy for HTTP(S) (which a given transport would skip)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def telegram_request(connections: int, pool_timeout: float) -> HTTPXRequest:
    """PTB's HTTPXRequest with `connections` connections on `TelegramTransport`.

    With a proxy in the environment, PTB's plain HTTPXRequest instead, so the proxy is used.
    """
    if proxy_in_environment():
        return HTTPXRequest(connection_pool_size=connections, pool_timeout=pool_timeout)
    return HTTPXRequest(
        connection_pool_size=connections,
        pool_timeout=pool_timeout,
        httpx_kwargs={"transport": TelegramTransport(connections)},
    )
