"""A message prepared once: its clauses as `sentences` splits them, and which ones ask."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.prepared import Clause, PreparedMessage
from bot.core.text import fold, sentences


def test_clauses_keep_whether_they_asked() -> None:
    message = PreparedMessage.of("Chest pain? No. Just stiff - can you help?")
    assert message.clauses == (
        Clause("Chest pain", True),
        Clause("No", False),
        Clause("Just stiff", False),
        Clause("can you help", True),
    )
    assert message.folded == fold(message.text)


@given(st.text())
def test_clauses_are_the_sentences_of_the_text(text: str) -> None:
    assert PreparedMessage.of(text).sentences == sentences(text)


def test_no_text_is_an_empty_message() -> None:
    assert PreparedMessage.of("").clauses == ()
    assert PreparedMessage.of(None).clauses == ()  # type: ignore[arg-type]
