"""Who a message is for: everything in a private chat; in a group, only what names the bot.

In a group the assistant must not answer every remark people make to each other: it answers
messages that @mention it or reply to one of its messages (commands are routed by PTB,
which already ignores `/cmd@SomeOtherBot`).
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, User
from telegram.constants import ChatType


def text_for_bot(message: Message, bot: User) -> str | None:
    """The text or caption meant for the bot, without its @mention; None if not addressed."""
    text = message.text if message.text is not None else message.caption
    if message.chat.type == ChatType.PRIVATE:
        return text or ""
    if _replies_to_bot(message, bot):
        return _without_mention(text or "", bot)
    if text and _mentions_bot(message, bot):
        return _without_mention(text, bot)
    return None


def addressed_to_bot(message: Message, bot: User) -> bool:
    """True for private chats, and for group messages that mention or reply to the bot."""
    return text_for_bot(message, bot) is not None


def _replies_to_bot(message: Message, bot: User) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


def _mentions_bot(message: Message, bot: User) -> bool:
    types: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    if message.text is not None:
        entities = message.parse_entities(types)
    else:
        entities = message.parse_caption_entities(types)
    username = f"@{bot.username}".lower() if bot.username else None
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value.lower() == username:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    return False


def _without_mention(text: str, bot: User) -> str:
    if not bot.username:
        return text.strip()
    pattern = re.compile(rf"@{re.escape(bot.username)}\b[,:]?", re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()
