"""The core's `ChatRecords` over the real store, for one chat: used by both adapters.

The core asks for the retention (/privacy), a /forget and a feedback verdict without knowing
about SQLite; this binds those to one chat's rows in a `Store` (a NullStore keeps nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.store import Store, StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreChatRecords:
    """What `store` keeps about chat `chat_id`, as the conversation needs it."""

    store: Store
    chat_id: int
    retention_days: int

    def forget(self) -> int | None:
        """Delete the chat's rows; None (logged) when the database would not let us."""
        try:
            return self.store.forget(self.chat_id)
        except StoreError as exc:
            log.error("/forget failed: %s", exc)
            return None

    def record_feedback(self, topic_id: str, helpful: bool, answer_ref: str) -> bool:
        """Keep the verdict once per answer (False: that answer was already rated).

        Only under a message the bot sent this chat as that topic's answer: a tap under
        anything else (forged data) is thanked and not kept.
        """
        if not answer_ref.isdigit() or not self.store.answer_was_sent(
            self.chat_id, int(answer_ref), topic_id
        ):
            return True
        return self.store.record_feedback(self.chat_id, topic_id, helpful, answer_ref)
