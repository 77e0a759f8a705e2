"""Rendering a Reply for Telegram: chunks Telegram accepts, cut where a reader pauses."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup
from telegram.request._requestparameter import RequestParameter

from bot.adapters.telegram.render import (
    MESSAGE_LIMIT,
    keyboard,
    render,
    split_message,
    split_plain,
    utf16_length,
)
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Button, Kind, Reply
from tests.telegram.fake_api import visible_text


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", visible_text(text, "HTML"))


def test_short_text_is_one_message() -> None:
    assert split_message("Hello <b>there</b>") == ["Hello <b>there</b>"]
    assert split_message("   ") == []


def test_long_text_is_cut_between_paragraphs() -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    chunks = split_message("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(utf16_length(c) <= MESSAGE_LIMIT for c in chunks)
    assert all(c.startswith("Paragraph ") for c in chunks)
    assert "\n\n".join(chunks).split() == "\n\n".join(paragraphs).split()


def test_one_endless_paragraph_is_cut_at_sentences_then_words() -> None:
    sentences = "The needles are fine. " * 400
    chunks = split_message(sentences, limit=500)
    assert all(c.endswith("fine.") for c in chunks)
    words = "needle " * 2000
    chunks = split_message(words, limit=500)
    assert all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks).split() == words.split()


def test_a_word_longer_than_a_message_is_cut_hard_but_not_through_an_entity() -> None:
    text = ("a" * 95 + "&amp;") * 10
    chunks = split_message(text, limit=98)
    assert all(len(c) <= 98 for c in chunks)
    assert "".join(chunks) == text
    assert all(visible_text(c, "HTML") for c in chunks)


def test_a_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    text = "<b>" + "bold words here. " * 40 + '</b> and <a href="https://x.example/a">a link</a>'
    chunks = split_message(text, limit=200)
    assert len(chunks) > 2
    for chunk in chunks:
        visible_text(chunk, "HTML")  # raises like Telegram on unbalanced tags
    assert chunks[1].startswith("<b>") and chunks[0].endswith("</b>")
    assert _words(" ".join(chunks)) == _words(text)


def test_emoji_count_double_as_telegram_counts_them() -> None:
    text = "🙂" * 3000  # 6,000 UTF-16 units though only 3,000 characters
    chunks = split_message(text)
    assert len(chunks) == 2
    assert all(utf16_length(c) <= MESSAGE_LIMIT for c in chunks)


def test_keyboard_layout_links_alone_short_actions_paired() -> None:
    markup = keyboard(
        (
            Button("Pain relief", action=ACTION_TOPIC, value="pain-relief"),
            Button("Inflammation", action=ACTION_TOPIC, value="inflammation"),
            Button("A rather long topic title here", action=ACTION_TOPIC, value="long"),
            Button("Cost", action=ACTION_TOPIC, value="cost"),
            Button("Book", url="https://clinic.example/book"),
            Button("All topics", action=ACTION_MENU),
        )
    )
    assert markup is not None
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [
        ["Pain relief", "Inflammation"],
        ["A rather long topic title here"],
        ["Cost"],
        ["Book"],
        ["All topics"],
    ]
    assert markup.inline_keyboard[0][0].callback_data == "topic:pain-relief"
    assert markup.inline_keyboard[3][0].url == "https://clinic.example/book"


def test_a_prebuilt_keyboard_sends_the_same_json_as_ptb_would_build() -> None:
    buttons = (
        Button("Pain relief", action=ACTION_TOPIC, value="pain-relief"),
        Button("Book", url="https://clinic.example/book"),
        Button("Yes", action=ACTION_FEEDBACK, value="cost:yes"),
    )
    markup = keyboard(buttons)
    assert markup is not None
    plain = InlineKeyboardMarkup(markup.inline_keyboard)  # PTB's own class, built per send
    assert markup.to_dict() == plain.to_dict()
    assert markup.inline_keyboard == plain.inline_keyboard
    assert markup.to_dict(recursive=False) == plain.to_dict(recursive=False)
    # What goes over the wire (PTB's request encoding) is identical too.
    wire = RequestParameter.from_input("reply_markup", markup).json_value
    assert wire == RequestParameter.from_input("reply_markup", plain).json_value
    assert json.loads(wire or "")["inline_keyboard"][0][0]["callback_data"] == "topic:pain-relief"
    with pytest.raises(AttributeError):  # still one of PTB's immutable objects
        markup.inline_keyboard = ()  # type: ignore[misc]


def test_feedback_buttons_share_the_last_row_whatever_their_place() -> None:
    markup = keyboard(
        (
            Button("👍 Helpful", action=ACTION_FEEDBACK, value="cost:yes"),
            Button("Pain relief", action=ACTION_TOPIC, value="pain-relief"),
            Button("👎 Not helpful", action=ACTION_FEEDBACK, value="cost:no"),
            Button("Book", url="https://clinic.example/book"),
        )
    )
    assert markup is not None
    rows = [[b.callback_data or b.url for b in row] for row in markup.inline_keyboard]
    assert rows == [
        ["topic:pain-relief"],
        ["https://clinic.example/book"],
        ["feedback:cost:yes", "feedback:cost:no"],
    ]


def test_plain_text_is_split_at_line_ends_and_never_treated_as_markup() -> None:
    lines = [f"{n}. a patient wrote <b>help</b> & 5 < 6" + " padding" * 20 for n in range(60)]
    report = "\n".join(lines)
    chunks = split_plain(report, limit=1000)
    assert len(chunks) > 1 and all(utf16_length(c) <= 1000 for c in chunks)
    assert "\n".join(chunks) == report  # every line whole, nothing added or escaped
    endless = "x" * 2500
    assert [len(c) for c in split_plain(endless, limit=1000)] == [1000, 1000, 500]
    assert split_plain("  \n ") == []


def test_a_button_telegram_would_refuse_is_dropped_not_the_whole_answer() -> None:
    markup = keyboard(
        (
            Button("Too long", action=ACTION_TOPIC, value="x" * 80),
            Button("Fine", action=ACTION_TOPIC, value="fine"),
        )
    )
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == ["Fine"]
    assert keyboard(()) is None


def test_render_puts_buttons_under_the_text_and_notes_after() -> None:
    reply = Reply(
        Kind.ANSWER,
        "\n\n".join(["x " * 1500] * 3),
        buttons=(Button("Book", url="https://clinic.example/book"),),
        notes=("<i>Not a diagnosis.</i>",),
    )
    messages = render(reply)
    assert len(messages) >= 3
    *body, last_body, note = messages
    assert all(m.reply_markup is None for m in body)
    assert last_body.reply_markup is not None
    assert note.text == "<i>Not a diagnosis.</i>" and note.reply_markup is None


def test_an_empty_reply_still_sends_something() -> None:
    (only,) = render(Reply(Kind.FALLBACK, "  "))
    assert only.text


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé🙂", min_size=1, max_size=12)
_piece = st.one_of(
    _word,
    _word.map(lambda w: f"<b>{w}</b>"),
    _word.map(lambda w: f'<a href="https://clinic.example/{len(w)}">{w}</a>'),
    st.sampled_from(["&amp;", "&lt;", "&gt;", ".", "!", "\n", "\n\n"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=400), st.integers(min_value=150, max_value=600))
def test_any_reply_splits_into_valid_messages_keeping_every_word(
    pieces: list[str], limit: int
) -> None:
    text = " ".join(pieces)
    chunks = split_message(text, limit=limit)
    for chunk in chunks:
        assert utf16_length(chunk) <= limit
        assert visible_text(chunk, "HTML").strip()  # Telegram would accept it
    # Every visible character survives, in order (a hard cut may fall inside a long word).
    assert "".join("".join(_words(c)) for c in chunks) == "".join(_words(text))
