"""The store: what the bot remembers about conversations (SQLite), below the practitioner's
services and the adapters. Recording, masking, pseudonymous keys, retention and forgetting."""

from bot.store.keys import SECRET_FILE_NAME, ChatKeys, load_chat_key_secret
from bot.store.masking import MAX_TEXT_CHARS, mask_personal_details, stored_text
from bot.store.records import (
    DayOutcomes,
    NullStore,
    SentAnswer,
    Stats,
    Store,
    StoreError,
    TopicFeedback,
    UnansweredRow,
    empty_stats,
    utc_now,
)
from bot.store.sqlite import (
    HANDLED_UPDATE_TTL,
    MIGRATIONS,
    SCHEMA_VERSION,
    SQLiteStore,
    open_store,
)

__all__ = [
    "HANDLED_UPDATE_TTL",
    "MAX_TEXT_CHARS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SECRET_FILE_NAME",
    "ChatKeys",
    "DayOutcomes",
    "NullStore",
    "SQLiteStore",
    "SentAnswer",
    "Stats",
    "Store",
    "StoreError",
    "TopicFeedback",
    "UnansweredRow",
    "empty_stats",
    "load_chat_key_secret",
    "mask_personal_details",
    "open_store",
    "stored_text",
    "utc_now",
]
