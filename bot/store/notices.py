"""What patients are told about storage: the /privacy text and the /forget reply."""

from __future__ import annotations


def privacy_notice(retention_days: int) -> str:
    """The /privacy text (Telegram HTML subset): what is stored, why, how long, how to delete.

    It lives here, beside the code that does the storing, so the promise and the behaviour
    change together.
    """
    return (
        "<b>Your privacy</b>\n\n"
        "This assistant keeps as little as it can, only to improve its answers:\n"
        "• When it could not answer you with confidence, it keeps the question you typed "
        "(phone numbers, e-mail addresses and @usernames are masked), the time, and which "
        "topics it thought of, so the clinic can add the missing answer.\n"
        "• If you tap “Was this helpful?”, it keeps your yes or no for that answer.\n"
        "• For everything else it only counts how many questions were asked about each "
        "topic per day, without your words. Messages about urgent symptoms are only "
        "counted, never kept.\n\n"
        "It never stores your name, username, phone number or Telegram id: your chat is "
        "stored under a scrambled code that cannot be turned back into who you are.\n\n"
        f"Everything is deleted automatically after <b>{int(retention_days)} days</b>.\n\n"
        "To delete everything kept about this chat now, send /forget."
    )


def forget_confirmation(deleted: int) -> str:
    """The /forget reply, saying plainly what was removed."""
    if deleted == 0:
        return (
            "Done. Nothing was stored about this chat, so there was nothing to delete. "
            "Anonymous daily counts (no words, no link to you) are kept."
        )
    rows = "1 record" if deleted == 1 else f"{deleted} records"
    return (
        f"Done: {rows} about this chat deleted. Anonymous daily counts (no words, no "
        "link to you) are kept."
    )
