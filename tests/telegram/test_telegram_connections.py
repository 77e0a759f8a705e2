"""The bot's HTTP connections (connections.py): the idle-connection check still finds
connections the server closed, the pool keeps its size, and TLS works through the wrapper.

Each test runs its own tiny HTTP/1.1 server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from bot.adapters.telegram.connections import TelegramTransport, socket_readable, telegram_request

CERTIFICATE = Path(__file__).parent / "data" / "localhost.pem"  # self-signed, 127.0.0.1 only
BODY = b'{"ok":true,"result":true}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
    + BODY
)


class TinyServer:
    """Answers every request with Telegram's `true`; counts connections.

    `close_after_reply`: drop each connection right after its reply, without saying so in
    the headers (what a server does to a keep-alive connection it no longer wants).
    `hold`: keep each request unanswered until the event is set.
    """

    def __init__(self, *, close_after_reply: bool = False, hold: asyncio.Event | None = None):
        self.close_after_reply = close_after_reply
        self.hold = hold
        self.connections = 0
        self.open_now = 0
        self.most_open = 0
        self.requests = 0
        self.closed = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests += 1
                if self.hold is not None:
                    await self.hold.wait()
                writer.write(RESPONSE)
                await writer.drain()
                if self.close_after_reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()
            self.closed.set()


async def start(server: TinyServer, tls: ssl.SSLContext | None = None) -> asyncio.Server:
    return await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=tls)


def port_of(listening: asyncio.Server) -> int:
    return listening.sockets[0].getsockname()[1]


async def test_socket_readable_tells_an_idle_connection_from_a_closed_one() -> None:
    ours, theirs = socket.socketpair()
    try:
        assert socket_readable(ours) is False  # open, nothing to read: reusable
        theirs.sendall(b"x")
        assert socket_readable(ours) is True  # data nobody asked for: not reusable
        ours.recv(1)
        theirs.close()
        assert socket_readable(ours) is True  # the peer closed it
    finally:
        ours.close()
    assert socket_readable(ours) is True  # gone altogether
    assert socket_readable(None) is True


async def test_a_connection_the_server_dropped_is_not_reused() -> None:
    server = TinyServer(close_after_reply=True)
    listening = await start(server)
    request = telegram_request(16, 5.0)
    await request.initialize()
    try:
        url = f"http://127.0.0.1:{port_of(listening)}/botTOKEN/getMe"
        assert await request.post(url) is True
        await server.closed.wait()  # the server has closed the idle connection
        await asyncio.sleep(0.05)  # let its FIN reach our socket
        # Reusing the dead connection would fail ("server disconnected"); the readable
        # check must see that it is closed and open a new one.
        assert await request.post(url) is True
        assert server.connections == 2 and server.requests == 2
    finally:
        await request.shutdown()
        listening.close()
        await listening.wait_closed()


async def test_an_idle_connection_is_reused() -> None:
    server = TinyServer()
    listening = await start(server)
    request = telegram_request(16, 5.0)
    await request.initialize()
    try:
        url = f"http://127.0.0.1:{port_of(listening)}/botTOKEN/getMe"
        for _ in range(3):
            assert await request.post(url) is True
        assert server.connections == 1 and server.requests == 3
    finally:
        await request.shutdown()
        listening.close()
        await listening.wait_closed()


async def test_the_pool_never_opens_more_connections_than_asked() -> None:
    # httpx ignores its `limits` once a transport is given: the transport must apply them.
    release = asyncio.Event()
    server = TinyServer(hold=release)
    listening = await start(server)
    request = telegram_request(4, 10.0)
    await request.initialize()
    try:
        url = f"http://127.0.0.1:{port_of(listening)}/botTOKEN/sendMessage"
        calls = [asyncio.create_task(request.post(url)) for _ in range(12)]
        while server.requests < 4:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # room for a fifth connection, if the pool allowed one
        assert server.most_open == 4
        release.set()
        assert await asyncio.gather(*calls) == [True] * 12
        assert server.connections == 4
    finally:
        release.set()
        await request.shutdown()
        listening.close()
        await listening.wait_closed()


async def test_tls_connections_work_and_are_reused() -> None:
    tls_server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_server.load_cert_chain(CERTIFICATE)
    trusting = ssl.create_default_context(cafile=str(CERTIFICATE))
    server = TinyServer()
    listening = await start(server, tls_server)
    request = HTTPXRequest(
        connection_pool_size=2, httpx_kwargs={"transport": TelegramTransport(2, trusting)}
    )
    await request.initialize()
    try:
        url = f"https://127.0.0.1:{port_of(listening)}/botTOKEN/getMe"
        assert await request.post(url) is True
        assert await request.post(url) is True  # the idle check works over TLS too
        assert server.connections == 1 and server.requests == 2
    finally:
        await request.shutdown()
        listening.close()
        await listening.wait_closed()


async def test_a_proxy_named_in_the_environment_is_still_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx skips the environment's proxies once a transport is given: an operator behind a
    # proxy (HTTPS_PROXY=...) would lose Telegram altogether if the cheaper pool ignored it.
    request_lines: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_lines.append(head.split(b"\r\n", 1)[0])
        writer.write(RESPONSE)
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(proxy, "127.0.0.1", 0)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port_of(listening)}")
    request = telegram_request(16, 5.0)
    await request.initialize()
    try:
        # A host that does not resolve: only the proxy can answer it.
        assert await request.post("http://api.telegram.invalid/botTOKEN/getMe") is True
        assert request_lines == [b"POST http://api.telegram.invalid/botTOKEN/getMe HTTP/1.1"]
    finally:
        await request.shutdown()
        listening.close()
        await listening.wait_closed()
