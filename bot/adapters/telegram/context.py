"""What the Telegram bot keeps between updates, typed: `context.bot_data` and `context.chat_data`.

python-telegram-bot creates both from the classes given in `ContextTypes` (with no
arguments), so every field has a default; `build_application` fills in the real ones.
Handlers read them as attributes (`context.bot_data.store`), never by string keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.adapters.telegram.recording import Recorder
from bot.config import Settings
from bot.core.conversation import ChatState
from bot.store import NullStore, Store

if TYPE_CHECKING:
    from bot.core.conversation import Engine
    from bot.core.live import LiveEngine
    from bot.practitioner.grouping import QuestionGroup
    from bot.practitioner.knowledge_edits import KnowledgeEditor

EngineSource = Callable[[], "Engine"]


def _no_engine() -> Engine:
    raise RuntimeError("build_application sets the engine before any update is handled")


@dataclass
class BotData:
    """The bot's shared state: settings, where the engine comes from, the store."""

    settings: Settings = field(default_factory=Settings)
    engine_source: EngineSource = _no_engine  # asked again for every update (live reloads)
    live: LiveEngine[Engine] | None = None  # set when the knowledge reloads itself
    store: Store = field(default_factory=NullStore)  # a NullStore when storage is off
    recorder: Recorder = field(default_factory=lambda: Recorder(NullStore()))
    knowledge_refused: bool = False  # a refused knowledge edit was reported to the admins
    watcher: asyncio.Task[None] | None = None  # the task watching knowledge/ for edits
    # The admins' side: the groups /unanswered showed (by short id: what a later tap means)
    # and the one editor of the knowledge folder the bot serves (created on first use).
    admin_groups: dict[str, QuestionGroup] = field(default_factory=dict)
    knowledge_editor: KnowledgeEditor | None = None

    def use_store(self, store: Store) -> None:
        """Keep outcomes, feedback and questions in `store` from now on."""
        self.store = store
        self.recorder = Recorder(store)


@dataclass
class ChatData:
    """What the bot remembers about one chat: the conversation's state."""

    state: ChatState = field(default_factory=ChatState)


Context = CallbackContext[ExtBot[Any], dict[Any, Any], ChatData, BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData, chat_data=ChatData)
BotApplication = Application[ExtBot[Any], Context, dict[Any, Any], ChatData, BotData, Any]
