"""The webhook: refuse before reading, and answer Telegram only once the update is handled.

PTB's built-in webhook server reads a whole body (up to about 100 MB) before it checks the
secret, and answers Telegram 200 as soon as the update is queued, so a crash while handling
lost it. This route, on aiohttp (the pattern of PTB's `customwebhookbot` example):

1. checks the `X-Telegram-Bot-Api-Secret-Token` header (constant-time) before touching the
   body: 403, and the connection is closed unread;
2. refuses a body over `MAX_BODY_BYTES` (Telegram's updates are a few kB): 413 from the
   Content-Length alone, or as soon as a body streamed without one grows past the cap;
3. answers JSON that is not an update with 400, and logs only why (never the body);
4. hands the update to the `Intake` and answers 200 once it has been handled. Until then
   Telegram keeps it, and after a crash it sends it again; the `Intake` skips an update it
   has handled before, and waits for the copy in progress when Telegram retries early.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Bot, Update

from bot.adapters.telegram.intake import STOP_GRACE_SECONDS, Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # a Telegram update is far below this
READ_CHUNK = 64 * 1024


class WebhookServer:
    """An aiohttp server with one route, `POST /<path>`, feeding an `Intake`."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        *,
        secret: str,
        listen: str,
        port: int,
        path: str,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self._secret = secret.encode()
        self.listen = listen
        self.port = port
        self.path = "/" + path.strip("/")
        self.max_body_bytes = max_body_bytes
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (raises OSError when the address is taken)."""
        app = web.Application(client_max_size=self.max_body_bytes)
        app.router.add_post(self.path, self.receive)
        # lingering_time=0: a refused request's unread body is not read to the end (to be
        # thrown away): the connection is closed instead. No access log: it would only add
        # a line per message.
        self._runner = web.AppRunner(
            app, access_log=None, lingering_time=0, shutdown_timeout=STOP_GRACE_SECONDS
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise

    async def stop(self) -> None:
        """Stop listening; updates being handled finish first (up to STOP_GRACE_SECONDS)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.StreamResponse:
        """One POST from Telegram (or from anyone: see the module docstring for the order)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return _refuse(web.HTTPForbidden.status_code, "forbidden")
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            return _refuse(web.HTTPRequestEntityTooLarge.status_code, "too large")
        body = await self._read_capped(request)
        if body is None:
            return _refuse(web.HTTPRequestEntityTooLarge.status_code, "too large")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("Webhook: a request with the right secret was not JSON; refused")
            return web.Response(status=400, text="not JSON")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("Webhook: a request with the right secret was not an update; refused")
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # Telegram would resend it forever
            # Its content is a patient's: only the id and the reason are logged.
            log.error("Update %d could not be read (%s); skipped", update_id, type(exc).__name__)
            self.intake.skip(update_id)
            return web.Response(text="skipped")
        await self.intake.handle(update)
        return web.Response(text="ok")

    async def _read_capped(self, request: web.Request) -> bytes | None:
        """The body, or None as soon as it grows past the cap (the rest is never read)."""
        chunks: list[bytes] = []
        size = 0
        while chunk := await request.content.read(READ_CHUNK):
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def _refuse(status: int, text: str) -> web.Response:
    """An error answer that closes the connection: the body is never read."""
    response = web.Response(status=status, text=text)
    response.force_close()
    return response
