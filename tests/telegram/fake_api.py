"""A fake Telegram Bot API on 127.0.0.1: what the bot calls, with Telegram's answers and errors.

Tests and the benchmark play patients through it: `send_text` queues an update the way a
patient's message reaches Telegram, the bot fetches it with getUpdates (offset, long
polling) or receives it on its webhook, and every call the bot makes is recorded. Replies
are validated like Telegram does (HTML, 4096 characters, button data, known chats), so a
reply Telegram would refuse fails here too. `Faults` makes a share of calls answer 429
with `retry_after`, 500, answer slowly, drop the connection before doing anything, or do it
and then drop the connection ("lost": the answer to a call that took effect never arrives).
Files go both ways: `send_document` is a person sending a file (the bot fetches it with
getFile and downloads it from the file URL), and what the bot sends with sendDocument is
kept in `documents` with its bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import random
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:AAF_fake-token-for-tests-0123456789abc"
BOT_USERNAME = "ClinicTestBot"
MESSAGE_LIMIT = 4096
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # Telegram lets bots download files up to 20 MB

# Parameters that stay strings; everything else PTB sends JSON-encoded.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "action",
        "ip_address",
        "language_code",
    }
)
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
# Kept on recorded messages for tests, but not part of Telegram's answer.
_NOT_IN_ANSWER = ("html", "parse_mode", "sent_at")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}")


class ApiError(Exception):
    """An error answer in Telegram's shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """{"ok": false, "error_code": ..., "description": ..., "parameters": ...}"""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


# A sticker message body, for "I can only read text" tests.
STICKER = {
    "sticker": {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}


@dataclass
class Call:
    """One request the bot made, and what the fake did with it."""

    method: str
    params: dict[str, Any]
    at: float
    outcome: str = "ok"  # "ok", "error <code>", "fault 429", "fault 500", "fault drop", ...


@dataclass
class Faults:
    """A share of calls that misbehave, chosen by a seeded random generator (reproducible)."""

    rate: float = 0.0  # share of calls hit by a fault
    kinds: tuple[str, ...] = ("429", "500", "slow", "drop")
    methods: frozenset[str] | None = None  # None: every method except getMe
    retry_after: int = 1
    slow_seconds: float = 0.5
    max_rate_limits: int | None = None  # a 429 stalls the bot for retry_after: keep tests short
    seed: int = 1

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self.rate_limits_given = 0
        self.injected: dict[str, int] = {}

    def pick(self, method: str) -> str | None:
        """The fault for this call, or None ("lost": done, then the connection drops)."""
        if self.rate <= 0:
            return None
        if self.methods is None and method == "getMe":
            return None
        if self.methods is not None and method not in self.methods:
            return None
        if self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        if kind == "429":
            if self.max_rate_limits is not None and self.rate_limits_given >= self.max_rate_limits:
                kind = "500"
            else:
                self.rate_limits_given += 1
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind


class _VisibleText(HTMLParser):
    """Telegram's HTML parse mode: the allowed tags, balanced; anything else is refused."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
            return
        if tag == "a" and not any(k == "href" for k, _ in attrs):
            self.error = self.error or "Can't find href in a tag"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the patient would see, or ApiError 400 like Telegram's "can't parse entities"."""
    if (parse_mode or "").upper() != "HTML":
        return text
    stray = re.search(r"<(?![a-zA-Z/])|&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)", text)
    if stray:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: unexpected character at byte offset"
            f" {len(text[: stray.start()].encode())}",
        )
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    if parser.error:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    return html.unescape("".join(parser.parts))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client adds to a typed message: a leading /command, @mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": len(command.group(0))})
    for m in _MENTION.finditer(text):
        offset = utf16_length(text[: m.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_length(m.group(0))})
    return entities


class FakeTelegram:
    """The fake Bot API server plus the patients' side of Telegram (see the module docstring)."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        username: str = BOT_USERNAME,
        faults: Faults | None = None,
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Clinic assistant",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.faults = faults or Faults()
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []  # every message the bot sent, in order
        self.pending: list[dict[str, Any]] = []  # updates not yet confirmed by the bot
        self.commands: list[dict[str, Any]] = []  # the menu for everyone (default scope)
        self.chat_commands: dict[int, list[dict[str, Any]]] = {}  # menus scoped to one chat
        self.usernames: dict[int, str] = {}  # user id -> @username (without the @)
        self.blocked_chats: set[int] = set()  # patients who blocked the bot
        self.answered_queries: set[str] = set()
        self._queries: set[str] = set()
        self.webhook: dict[str, Any] = {"url": ""}
        self.allowed_updates: list[str] | None = None
        self.confirmed_offset = 0
        self.pushed_at: dict[int, float] = {}  # update id -> when the patient sent it
        self.files: dict[str, bytes] = {}  # file id -> content, for getFile and downloads
        self.documents: list[dict[str, Any]] = []  # what the bot sent with sendDocument
        self.downloads: list[str] = []  # file ids the bot downloaded
        self._next_file_id = itertools.count(1)
        self.webhook_posts: list[tuple[int, int | None]] = []  # (update id, HTTP status or None)
        self._chats: dict[int, dict[str, Any]] = {}
        self._sent_by_chat: dict[int, list[dict[str, Any]]] = {}
        self._chat_waiters: dict[int, list[tuple[int, asyncio.Future[None]]]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_update_id = itertools.count(500_001)
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._next_query_id = itertools.count(900_001)
        self._changed = asyncio.Event()
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    # -- server lifecycle ---------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL (the token is appended by the bot)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for TELEGRAM_API_BASE_FILE_URL."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, port: int = 0) -> FakeTelegram:
        """Listen on 127.0.0.1, on `port` or else a free one."""
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop listening and stop delivering to a webhook."""
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the patients' side -------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "Pat") -> dict[str, Any]:
        """A patient's Telegram account (with a username if `usernames` has one)."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
        if user_id in self.usernames:
            user["username"] = self.usernames[user_id]
        return user

    def chat(self, chat_id: int, chat_type: str = "private", title: str = "") -> dict[str, Any]:
        """A chat the fake knows about (a private chat's id is the patient's user id)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat["first_name"] = "Pat"
                if chat_id in self.usernames:
                    chat["username"] = self.usernames[chat_id]
            else:
                chat["title"] = title or "Back pain support group"
            self._chats[chat_id] = chat
        return chat

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        edited_of: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A patient types `text`; returns the message (the update is queued for the bot)."""
        fields: dict[str, Any] = {"text": text}
        entities = auto_entities(text)
        if entities:
            fields["entities"] = entities
        return self.send_message(
            chat_id,
            fields,
            user_id=user_id,
            chat_type=chat_type,
            reply_to=reply_to,
            edited_of=edited_of,
        )

    def send_message(
        self,
        chat_id: int,
        fields: dict[str, Any],
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        edited_of: dict[str, Any] | None = None,
        kind: str = "message",
    ) -> dict[str, Any]:
        """Any message from a patient (sticker, photo, location...): `fields` are its content."""
        chat = self.chat(chat_id, chat_type)
        sender = user_id if user_id is not None else (chat_id if chat_id > 0 else 1001)
        if edited_of is not None:
            message = {**edited_of, **fields, "edit_date": int(time.time())}
            kind = "edited_message"
        else:
            message = {
                "message_id": self._message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                **fields,
            }
            if kind != "channel_post":
                message["from"] = self.user(sender)
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(chat_id, message["message_id"])] = message
        self.push_update({kind: message})
        return message

    def send_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        """Someone sends a file; the bot can fetch it with getFile and download it."""
        file_id = self._store_file(content)
        fields: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content) if declared_size is None else declared_size,
            }
        }
        if caption is not None:
            fields["caption"] = caption
        return self.send_message(chat_id, fields)

    def _store_file(self, content: bytes) -> str:
        file_id = f"BQAC{next(self._next_file_id):06d}"
        self.files[file_id] = content
        return file_id

    def file_content(self, token: str, path: str) -> bytes | None:
        """The bytes behind a file URL's path ("documents/<file id>"), or None."""
        token, path = urllib.parse.unquote(token), urllib.parse.unquote(path)
        if token != self.token or not path.startswith("documents/"):
            return None
        file_id = path.removeprefix("documents/")
        content = self.files.get(file_id)
        if content is not None:
            self.downloads.append(file_id)
        return content

    def press(self, message: dict[str, Any], data: str, *, user_id: int | None = None) -> str:
        """A patient taps a button under one of the bot's messages; returns the query id."""
        chat_id = message["chat"]["id"]
        query_id = str(next(self._next_query_id))
        self._queries.add(query_id)
        sender = user_id if user_id is not None else (chat_id if chat_id > 0 else 1001)
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(sender),
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue a raw update (without update_id) for the bot; returns its update_id."""
        update_id = next(self._next_update_id)
        self.pending.append({"update_id": update_id, **payload})
        self.pushed_at[update_id] = time.perf_counter()
        self._new_update.set()
        return update_id

    # -- what the bot did ---------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to one chat, in order."""
        return list(self._sent_by_chat.get(chat_id, ()))

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method (including faulty ones), in order."""
        return [c for c in self.calls if c.method == method]

    def keyboard(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """The inline buttons under a sent message, flattened."""
        markup = message.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `condition()` holds (checked after each call the bot makes)."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the bot did not do what the test expected in time")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))

    async def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> float:
        """Wait until the bot has sent `count` messages to `chat_id`; returns when the last came.

        Cheap enough for many waiting patients at once (the benchmark's 50): each waits on its
        own chat, not on every call.
        """
        sent = self._sent_by_chat.setdefault(chat_id, [])
        if len(sent) < count:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._chat_waiters.setdefault(chat_id, []).append((count, waiter))
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"chat {chat_id}: {len(sent)} of {count} messages after {timeout} s"
                ) from None
        return sent[count - 1]["sent_at"]

    # -- the API ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = await self._params(request)
        status, body = await self.dispatch(
            request.match_info["token"], request.match_info["method"], params
        )
        if body is None:
            # A dropped connection: the request never reached Telegram, no answer at all.
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        return web.json_response(body, status=status)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        content = self.file_content(request.match_info["token"], request.match_info["path"])
        if content is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=content)

    async def dispatch(
        self, token: str, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None]:
        """Answer one Bot API call: (HTTP status, Telegram's JSON), or (0, None) to drop it."""
        call = Call(method, params, time.perf_counter())
        self.calls.append(call)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self.faults.pick(method)
            if fault == "drop":
                call.outcome = "fault drop"
                return 0, None
            if fault == "429":
                call.outcome = "fault 429"
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {self.faults.retry_after}",
                    retry_after=self.faults.retry_after,
                )
            if fault == "500":
                call.outcome = "fault 500"
                raise ApiError(500, "Internal Server Error")
            if fault == "slow":
                call.outcome = "fault slow"
                await asyncio.sleep(self.faults.slow_seconds)
            endpoint = getattr(self, f"_api_{method}", None)
            if endpoint is None:
                raise ApiError(404, "Not Found")
            result = await endpoint(params)
            if fault == "lost":
                # Telegram did it (a message was delivered), but the answer never arrives.
                call.outcome = "fault lost"
                return 0, None
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            if not call.outcome.startswith("fault"):
                call.outcome = f"error {exc.code}"
            return exc.code, exc.body()
        finally:
            self._changed.set()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                raw.update(await request.json())
            else:
                form = await request.post()
                raw.update({k: v for k, v in form.items() if isinstance(v, str)})
                for key, value in form.items():  # uploaded files (sendDocument)
                    if isinstance(value, web.FileField):
                        raw[key] = {"file_name": value.filename, "content": value.file.read()}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key not in _STRING_PARAMS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    def _message_id(self, chat_id: int) -> int:
        counter = self._next_message_id.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _known_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chats.get(params.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat["id"] in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self.allowed_updates = list(params["allowed_updates"]) or None
        if offset > 0:
            # Telegram forgets every update below the offset: they were confirmed.
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            ready = self._deliverable(offset)[:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _deliverable(self, offset: int) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        if allowed:
            # Updates of types the bot did not ask for are never delivered.
            self.pending = [u for u in self.pending if _update_type(u) in allowed]
        return [u for u in self.pending if u["update_id"] >= offset]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        shown = visible_text(text, params.get("parse_mode"))
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(shown) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = _check_markup(params.get("reply_markup"))
        reply_parameters = params.get("reply_parameters") or {}
        replied = None
        if reply_parameters:
            replied = self._messages.get((chat["id"], reply_parameters.get("message_id")))
            if replied is None and not reply_parameters.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        message: dict[str, Any] = {
            "message_id": self._message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": shown,
            "html": text,  # not in Telegram's answer: kept so tests can check the markup
            "parse_mode": params.get("parse_mode"),
        }
        if markup:
            message["reply_markup"] = markup
        if replied is not None:
            message["reply_to_message"] = replied
        if params.get("message_thread_id") is not None:
            message["message_thread_id"] = params["message_thread_id"]
        self._messages[(chat["id"], message["message_id"])] = message
        self.sent.append(message)
        self._record_for_chat(chat["id"], message)
        return {k: v for k, v in message.items() if k not in _NOT_IN_ANSWER}

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        upload = params.get("document")
        if not isinstance(upload, dict) or not isinstance(upload.get("content"), bytes):
            raise ApiError(400, "Bad Request: there is no document in the request")
        if not upload["content"]:
            raise ApiError(400, "Bad Request: file must be non-empty")
        file_id = self._store_file(upload["content"])
        caption = params.get("caption") or ""
        if utf16_length(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message: dict[str, Any] = {
            "message_id": self._message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": upload.get("file_name") or "document",
                "file_size": len(upload["content"]),
            },
            "caption": caption,
            "parse_mode": params.get("parse_mode"),
        }
        self._messages[(chat["id"], message["message_id"])] = message
        self.sent.append(message)
        self.documents.append({**message, "content": upload["content"]})
        self._record_for_chat(chat["id"], message)
        return {k: v for k, v in message.items() if k not in _NOT_IN_ANSWER}

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        content = self.files.get(file_id)
        if content is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(content) > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": f"documents/{file_id}",
        }

    def _record_for_chat(self, chat_id: int, message: dict[str, Any]) -> None:
        message["sent_at"] = time.perf_counter()
        sent = self._sent_by_chat.setdefault(chat_id, [])
        sent.append(message)
        waiters = self._chat_waiters.get(chat_id)
        if waiters:
            still = []
            for count, waiter in waiters:
                if len(sent) >= count:
                    if not waiter.done():
                        waiter.set_result(None)
                else:
                    still.append((count, waiter))
            self._chat_waiters[chat_id] = still

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._known_chat(params)
        if params.get("action") not in {
            "typing",
            "upload_photo",
            "record_voice",
            "upload_document",
        }:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._queries or query_id in self.answered_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answered_queries.add(query_id)
        return True

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        text = params.get("text") or ""
        shown = visible_text(text, params.get("parse_mode"))
        markup = _check_markup(params.get("reply_markup"))
        if shown == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.update(text=shown, html=text, edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        message = self._messages.get((chat["id"], params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            # Telegram only knows chats that have talked to the bot.
            chat = self._known_chat({"chat_id": scope.get("chat_id")})
            self.chat_commands[chat["id"]] = commands
        elif scope.get("type") == "default":
            self.commands = commands
        else:
            raise ApiError(400, f"Bad Request: scope {scope.get('type')!r} not supported here")
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self._stop_webhook()
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            self._stop_webhook()
            return True
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        if params.get("drop_pending_updates"):
            self.pending.clear()
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"]) or None
        self._stop_webhook()
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }

    def _stop_webhook(self) -> None:
        self.webhook = {"url": ""}
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    async def _deliver_to_webhook(self) -> None:
        """POST each pending update to the webhook in order, as Telegram does, until accepted."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        while self.webhook["url"]:
            ready = self._deliverable(0)
            if not ready:
                self._new_update.clear()
                await self._new_update.wait()
                continue
            update = ready[0]
            headers = {}
            if self.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
            status: int | None = None
            try:
                async with self._session.post(
                    self.webhook["url"], json=update, headers=headers
                ) as response:
                    status = response.status
            except aiohttp.ClientError:
                pass
            self.webhook_posts.append((update["update_id"], status))
            accepted = status == 200
            if accepted:
                self.pending = [u for u in self.pending if u["update_id"] != update["update_id"]]
            else:
                await asyncio.sleep(0.2)


def _update_type(update: dict[str, Any]) -> str:
    return next((t for t in update if t != "update_id"), "")


def _check_markup(markup: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard like Telegram: one action per button, data <= 64 bytes."""
    if not markup:
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            actions = [k for k in ("url", "callback_data") if k in button]
            if len(actions) != 1 or not button.get("text"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            if "callback_data" in button:
                if not 1 <= len(button["callback_data"].encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            elif not str(button["url"]).startswith(("https://", "http://", "tg://")):
                raise ApiError(400, f"Bad Request: inline keyboard button URL '{button['url']}'")
    return markup


class OfflineRequest(BaseRequest):
    """PTB's HTTP layer replaced by direct calls into a FakeTelegram: no sockets at all.

    Handler tests build the Application with `request=OfflineRequest(fake)`, so every call
    the bot makes is validated and recorded exactly as over HTTP, without a network.
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """Required by BaseRequest; nothing here waits on a network."""
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Hand the call to the fake and return its answer as Telegram's bytes."""
        if "/file/bot" in url:  # a file download (getFile's path on the file URL)
            token, _, path = url.partition("/file/bot")[2].partition("/")
            content = self.fake.file_content(token, path)
            return (404, b"Not Found") if content is None else (200, content)
        token, _, endpoint = url.rpartition("/bot")[2].partition("/")
        params = dict(request_data.parameters) if request_data is not None else {}
        if request_data is not None and request_data.contains_files:
            for key, (file_name, upload, _mime) in request_data.multipart_data.items():
                data = upload if isinstance(upload, bytes) else upload.read()
                params[key] = {"file_name": file_name, "content": data}
        status, body = await self.fake.dispatch(token, endpoint, params)
        if body is None:
            raise NetworkError("fake connection dropped")
        return status, json.dumps(body).encode()


@dataclass
class OfflineBot:
    """A real Application wired to a FakeTelegram through `OfflineRequest` (no sockets)."""

    tg: FakeTelegram
    app: Application

    async def deliver(self) -> None:
        """Hand every update patients queued to the Application, in order, and wait for it."""
        while self.tg.pending:
            raw = self.tg.pending.pop(0)
            await self.app.process_update(Update.de_json(raw, self.app.bot))
