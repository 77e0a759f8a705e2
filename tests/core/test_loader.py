"""`check` and start-up validation: each kind of mistake is reported with file, line and fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.errors import KnowledgeError
from bot.core.loader import check_knowledge, load_knowledge

PRODUCT_TOPIC_IDS = {
    "what-is-back-pain",
    "chinese-medicine-view",
    "can-acupuncture-help",
    "first-consultation",
    "how-it-works",
    "benefits",
    "pain-relief",
    "inflammation",
    "stiffness-mobility",
    "medication",
    "cost",
    "with-other-treatment",
    "how-many-sessions",
    "where-needles-go",
    "moxibustion-cupping",
    "about-practitioner",
    "booking",
}


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file.name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_number(file: Path, fragment: str) -> int:
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line and not line.lstrip().startswith("#"):
            return n
    raise AssertionError(f"{fragment!r} not in {file}")


def only_problem(kb: Path, fragment: str):
    problems = check_knowledge(kb)
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}; got {[str(p) for p in problems]}"
    return matching[0]


def test_shipped_knowledge_is_clean_and_covers_every_product_topic() -> None:
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    assert {t.id for t in knowledge.topics} >= PRODUCT_TOPIC_IDS
    for topic in knowledge.topics:
        assert len(topic.phrasings) >= 10, f"{topic.id} has few phrasings"
    assert knowledge.clinic.booking_url.startswith("https://")
    assert knowledge.clinic.emergency_number == "999"
    assert "111" in knowledge.clinic.urgent_number


def test_yaml_syntax_error_names_the_line(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "title:", 'title: "never closed\ntitle2:')
    problem = only_problem(kb, "YAML syntax error")
    assert problem.file == file
    assert problem.line == line_number(file, '"never closed')
    assert "quote" in problem.message


def test_tab_indentation_is_explained(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "phrasings:\n  - ", "phrasings:\n\t- ")
    problem = only_problem(kb, "YAML syntax error")
    assert "tab" in problem.message


def test_unknown_key_suggests_the_right_one(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "title:", "titel:")
    problems = check_knowledge(kb)
    unknown = next(p for p in problems if "unknown key 'titel'" in p.message)
    assert "did you mean 'title'" in unknown.message
    assert unknown.line == line_number(file, "titel:")
    assert any("missing 'title'" in p.message for p in problems)


def test_wrong_type_is_reported(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "title:", "title:\n  - a list\nold_title:")
    problem = only_problem(kb, "should be text")
    assert problem.file == file


def test_duplicate_topic_id(kb: Path) -> None:
    shutil.copy(kb / "topics" / "cost.yaml", kb / "topics" / "zz-copy.yaml")
    # Keep the phrasings distinct so only the id clash is reported as such.
    problem = only_problem(kb, "is also used in")
    assert problem.file.name == "zz-copy.yaml"
    assert "cost.yaml" in problem.message


def test_same_phrasing_under_two_topics(kb: Path) -> None:
    knowledge = load_knowledge(kb)
    cost = knowledge.topic("cost")
    assert cost is not None
    phrasing = cost.phrasings[0]
    file = kb / "topics" / "booking.yaml"
    edit(file, "phrasings:\n", f"phrasings:\n  - {phrasing.upper()}!\n")
    # Files load alphabetically, so booking.yaml claims the phrasing and cost.yaml is flagged.
    problem = only_problem(kb, "is also under topic 'booking'")
    assert problem.file == kb / "topics" / "cost.yaml"
    assert f"booking.yaml:{line_number(file, phrasing.upper())}" in problem.message


def test_related_id_that_does_not_exist(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text + "\n# end\n", encoding="utf-8")
    edit(file, "related:", "related:\n  - how-many-sesions\nold_related:")
    problems = check_knowledge(kb)
    problem = next(p for p in problems if "'how-many-sesions' does not exist" in p.message)
    assert "did you mean 'how-many-sessions'" in problem.message


def test_answer_over_telegram_limit(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "answer: |\n", "answer: |\n  " + "word " * 900 + "\n")
    problem = only_problem(kb, "over Telegram's 4096")
    assert problem.file == file


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("fish & chips", "write &amp;"),
        ("<script>x</script>", "not allowed"),
        ("<b>never closed", "never closed"),
        ("1 < 2", "stray <"),
        ('<a href="ftp://x">x</a>', "link must look like"),
    ],
)
def test_markup_telegram_would_reject(kb: Path, markup: str, expected: str) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "answer: |\n", f"answer: |\n  {markup}\n")
    problem = only_problem(kb, expected)
    assert problem.file == file
    assert problem.line == line_number(file, "answer:")


def test_booking_url_must_be_https(kb: Path) -> None:
    file = kb / "clinic.yaml"
    text = file.read_text(encoding="utf-8")
    url = load_knowledge(kb).clinic.booking_url
    file.write_text(text.replace(url, "http://insecure.example.com/book"), encoding="utf-8")
    problem = only_problem(kb, "booking_url must be a full https://")
    assert problem.line == line_number(file, "booking_url:")


def test_empty_topic_file(kb: Path) -> None:
    (kb / "topics" / "new-topic.yaml").write_text("", encoding="utf-8")
    problem = only_problem(kb, "the topic file is empty")
    assert problem.file.name == "new-topic.yaml"


def test_topic_with_no_phrasings(kb: Path) -> None:
    (kb / "topics" / "new-topic.yaml").write_text(
        "id: new-topic\ntitle: New\nanswer: Something.\nphrasings: []\n", encoding="utf-8"
    )
    problem = only_problem(kb, "'phrasings' in topic 'new-topic' is empty")
    assert problem.line == 4


def test_unknown_placeholder(kb: Path) -> None:
    edit(kb / "clinic.yaml", "welcome: |\n", "welcome: |\n    Hi from {practioner}.\n")
    problem = only_problem(kb, "unknown placeholder {practioner}")
    assert "{practitioner}" in problem.message


def test_bad_red_flag_pattern_is_reported_with_its_line(kb: Path) -> None:
    file = kb / "red_flags.yaml"
    edit(file, "when:\n", "when:\n      - ' + + '\n")
    problems = check_knowledge(kb)
    assert any(p.file == file and "red flag" in p.message for p in problems)


def test_duplicate_yaml_key(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text + "\ntitle: Again\n", encoding="utf-8")
    problem = only_problem(kb, "'title' appears twice")
    assert problem.line == len(file.read_text(encoding="utf-8").splitlines())


def test_every_problem_reported_at_once_and_nothing_loaded(kb: Path) -> None:
    edit(kb / "topics" / "cost.yaml", "title:", "titel:")
    edit(kb / "topics" / "booking.yaml", "id: booking", "id: Booking Now")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb)
    files = {p.file.name for p in caught.value.problems}
    assert {"cost.yaml", "booking.yaml"} <= files
    assert "was not loaded" in caught.value.report()


def test_missing_required_file(kb: Path) -> None:
    (kb / "clinic.yaml").unlink()
    problem = only_problem(kb, "clinic.yaml is missing")
    assert problem.file.name == "clinic.yaml"


def test_menu_order_is_followed_and_checked(kb: Path) -> None:
    knowledge = load_knowledge(kb)
    assert knowledge.topics[0].id == "can-acupuncture-help"
    edit(kb / "clinic.yaml", "menu:\n", "menu:\n  - no-such-topic\n")
    only_problem(kb, "menu lists 'no-such-topic'")


def test_check_command_exit_codes(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--knowledge", str(kb)]) == 0
    out = capsys.readouterr().out
    assert "no problems found" in out
    assert ("booking_url is still the example address" in out) == (
        "example.com" in load_knowledge(kb).clinic.booking_url
    )
    edit(kb / "topics" / "cost.yaml", "title:", "titel:")
    assert main(["check", "--knowledge", str(kb)]) == 1
    out = capsys.readouterr().out
    assert f"{kb / 'topics' / 'cost.yaml'}:" in out
    assert "Traceback" not in out


def test_synonym_inside_its_own_canonical_form(kb: Path) -> None:
    file = kb / "synonyms.yaml"
    edit(file, "synonyms:\n", "synonyms:\n  sore back: [sore]\n")
    problem = only_problem(kb, "is part of 'sore back' itself")
    assert problem.file == file
    assert problem.line == line_number(file, "sore back: [sore]")


def test_an_unquoted_on_or_no_key_is_reported_not_read_as_true(kb: Path) -> None:
    # YAML reads on/off/yes/no as true/false: "on: [pon]" would quietly become "true".
    file = kb / "synonyms.yaml"
    edit(file, "synonyms:\n", "synonyms:\n  off: [zzoff]\n")
    problem = only_problem(kb, "'off' is read as false")
    assert problem.line == line_number(file, "off: [zzoff]")
    assert 'put it in quotes: "off"' in problem.message


def test_same_variant_under_two_words(kb: Path) -> None:
    file = kb / "synonyms.yaml"
    edit(file, "synonyms:\n", "synonyms:\n  alpha: [zzvariant]\n  beta: [zzvariant]\n")
    problem = only_problem(kb, "is listed under both 'alpha' and 'beta'")
    assert problem.line == line_number(file, "beta: [zzvariant]")


# -- mistakes reported at the line where they are made ---------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "mistake"),
    [
        ("title: Cost-effectiveness", "title Cost-effectiveness", "title Cost-effectiveness"),
        ("keywords: [", "keywords [", "keywords ["),
        (
            "  - is it good value for money\n",
            "  is it good value for money\n",
            "  is it good value",
        ),
    ],
)
def test_a_missing_colon_or_dash_is_reported_at_its_own_line(
    kb: Path, old: str, new: str, mistake: str
) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, old, new)
    problem = only_problem(kb, "YAML syntax error")
    assert (problem.file, problem.line) == (file, line_number(file, mistake))
    assert "':'" in problem.message and "- " in problem.message  # names both ways to fix it


@pytest.mark.parametrize(
    ("old", "new", "mistake"),
    [
        # indented further: YAML would quietly join it to the phrasing above
        ("  - is it good value for money", "     - is it good value for money", "good value"),
        # indented less than its neighbours
        ("  - is it good value for money", " - is it good value for money", "good value"),
        # a key pushed under the one above
        ("related: [", "  related: [", "related: ["),
    ],
)
def test_a_mis_indented_line_is_reported_at_its_own_line(
    kb: Path, old: str, new: str, mistake: str
) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, old, new)
    problems = [p for p in check_knowledge(kb) if p.file == file]
    assert problems, "a mis-indented line must not pass"
    assert problems[0].line == line_number(file, mistake)
    assert "line it up" in problems[0].message


def test_a_dedented_first_item_is_reported_at_its_own_line_in_a_short_message(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "  - is it cost effective\n", " - is it cost effective\n")
    problems = [p for p in check_knowledge(kb) if p.file == file]
    assert len(problems) == 1
    assert problems[0].line == line_number(file, " - is it cost effective")
    assert "1 space instead of 2 spaces" in problems[0].message
    assert "line it up with the items below it (2 spaces)" in problems[0].message
    assert "worth the money" not in problems[0].message  # the joined phrasings are not quoted
    assert len(problems[0].message) < 200


def test_an_indented_item_says_how_many_spaces_it_has_and_should_have(kb: Path) -> None:
    file = kb / "topics" / "cost.yaml"
    edit(file, "  - is it good value for money", "     - is it good value for money")
    problem = only_problem(kb, "indented further")
    assert problem.line == line_number(file, "good value")
    assert "(5 spaces instead of 2 spaces)" in problem.message
    assert "worth the money" not in problem.message


def test_the_shipped_knowledge_has_no_joined_lines() -> None:
    assert check_knowledge(DEFAULT_KNOWLEDGE_DIR) == []


def test_a_topic_whose_id_is_not_its_file_name(kb: Path) -> None:
    (kb / "topics" / "cost.yaml").rename(kb / "topics" / "prices.yaml")
    problem = only_problem(kb, "is not the file's name")
    assert problem.file == kb / "topics" / "prices.yaml"
    assert problem.line == line_number(problem.file, "id: cost")
    assert "rename the file to cost.yaml" in problem.message


# -- the clinic's contact -----------------------------------------------------------------------


def check_output(kb: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["check", "--knowledge", str(kb)]) == 0
    return capsys.readouterr().out


def test_check_flags_the_example_contact_like_the_example_booking_url(
    kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check_output(kb, capsys)
    assert "booking_url is still the example address" in out
    assert "contact is still the example" in out
    edit(kb / "clinic.yaml", "contact: https://www.example.com/contact", "contact: 01632 960123")
    edit(kb / "clinic.yaml", "https://www.example.com/book", "https://rickmudie.co.uk/book")
    assert "note:" not in check_output(kb, capsys)


def test_check_notes_a_contact_that_is_not_a_way_to_reach_anyone(
    kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        kb / "clinic.yaml",
        "contact: https://www.example.com/contact",
        "contact: the details on our website",
    )
    out = check_output(kb, capsys)
    assert "contact should be how to reach the clinic" in out


@pytest.mark.parametrize(
    "contact",
    [
        "01632 960123",
        "hello@rickmudie.co.uk",
        "contact@rickmudie.co.uk",
        "https://rickmudie.co.uk/contact",
        "the contact details on the clinic's website",  # the old example
    ],
)
def test_no_shipped_message_reads_contact_the_contact(kb: Path, contact: str) -> None:
    edit(kb / "clinic.yaml", "contact: https://www.example.com/contact", f"contact: {contact}")
    knowledge = load_knowledge(kb)  # the wording check passes for every kind of contact...
    texts = [getattr(knowledge.messages, f) for f in knowledge.messages.__dataclass_fields__]
    texts += [s.reply for s in knowledge.smalltalk] + [g.reply for g in knowledge.gaps]
    texts += [t.answer for t in knowledge.topics]
    doubled = re.compile(r"contact\W+(?:the\s+)?contact\b(?![@.])", re.IGNORECASE)
    assert not [t for t in texts if doubled.search(t)]  # ...and the result reads well


def test_a_message_that_would_read_contact_the_contact_is_refused(kb: Path) -> None:
    edit(
        kb / "clinic.yaml", "contact: https://www.example.com/contact", "contact: the contact page"
    )
    file = kb / "smalltalk.yaml"
    edit(file, "please get in touch: {contact}", "please contact {contact}")
    problem = only_problem(kb, "once {contact} is filled in")
    assert (problem.file, problem.line) == (file, line_number(file, "please contact {contact}"))


def test_text_wrapped_onto_the_next_line_on_purpose_still_loads(kb: Path) -> None:
    file = kb / "clinic.yaml"
    edit(file, "  menu_button: All topics", "  menu_button: All\n    topics")
    assert check_knowledge(kb) == []
    assert load_knowledge(kb).messages.menu_button == "All topics"


def test_one_broken_topic_file_is_one_problem_not_a_cascade(kb: Path) -> None:
    file = kb / "topics" / "benefits.yaml"
    edit(file, "title:", "title")  # other topics and the menu still name 'benefits'
    problems = check_knowledge(kb)
    assert [(p.file, p.line) for p in problems] == [(file, line_number(file, "title "))]
    # A reference to a topic that has no file at all is still reported.
    file.unlink()
    assert any("related topic 'benefits' does not exist" in p.message for p in check_knowledge(kb))
