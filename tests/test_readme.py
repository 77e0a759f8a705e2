"""The README's worked examples do what it says they do."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import Engine
from bot.core.loader import check_knowledge
from bot.core.reply import Kind

ROOT = Path(__file__).resolve().parents[1]


def test_the_new_way_of_asking_example_is_not_answered_until_it_is_added(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Worked example: a new way of asking", 1)[1].split("####", 1)[0]
    question = re.search(r'writing "([^"]+)"', section.replace("\n", " "))
    file = re.search(r"Open `knowledge/(topics/[a-z-]+\.yaml)`", section)
    phrasing = re.search(r"phrasings:\n  - (.+)\n", section)
    assert question and file and phrasing
    asked = question.group(1).rstrip("?")
    assert Engine.from_directory(DEFAULT_KNOWLEDGE_DIR).respond(asked).kind is not Kind.ANSWER

    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    topic = knowledge / file.group(1)
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("phrasings:\n", f"phrasings:\n  - {phrasing.group(1)}\n"))
    assert check_knowledge(knowledge) == []
    reply = Engine.from_directory(knowledge).respond(asked)
    assert (reply.kind, reply.topic_id) == (Kind.ANSWER, topic.stem)


def _check_output_in(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    changes: list[tuple[str, str]],
    file: str,
) -> tuple[int, list[str]]:
    """What `check` prints, run from a folder holding a changed copy of knowledge/."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    path = knowledge / file
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # the folder named in full, as KNOWLEDGE_DIR or the default is: shown from here anyway
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge.resolve()))
    code = main(["check"])
    return code, capsys.readouterr().out.splitlines()


def test_the_check_example_is_what_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("It lists every problem at once", 1)[1]
    said = re.search(
        r"changing `([^`]+)` to `([^`]+)` and `([^`]+)` to\s+`([^`]+)` in `knowledge/([^`]+)`",
        section,
    )
    shown = re.search(r"\n```\n(.*?)\n```", section, re.S)
    assert said and shown
    a, b, c, d, file = said.groups()
    code, printed = _check_output_in(tmp_path, monkeypatch, capsys, [(a, b), (c, d)], file)
    assert printed == shown.group(1).splitlines()
    assert code == 1 and "exits with code 1" in section[: shown.start()]


def test_the_missing_colon_example_is_what_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("e.g. a forgotten colon", 1)[1]
    mistake = re.search(r"\(`([^`]+)`\)", section)
    shown = re.search(r"\n```\n(.*?)\n```", section, re.S)
    file = re.search(r"^(knowledge/[^:]+):", shown.group(1) if shown else "")
    assert mistake and shown and file
    wrong = mistake.group(1)
    right = wrong.replace(" ", ": ", 1)
    _, printed = _check_output_in(
        tmp_path,
        monkeypatch,
        capsys,
        [(f"\n{right}\n", f"\n{wrong}\n")],
        file.group(1).removeprefix("knowledge/"),
    )
    assert printed == shown.group(1).splitlines()


def _systemd_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("### 5. Keep it running (systemd)", 1)[1].split("\n### ", 1)[0]


def test_the_systemd_steps_create_every_folder_the_unit_names() -> None:
    """systemd refuses a unit whose ReadWritePaths folder is missing (226/NAMESPACE)."""
    section = _systemd_section()
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    unit = next(body for kind, body in blocks if kind == "ini")
    steps = "\n".join(body for kind, body in blocks if kind == "sh" and "useradd" in body)
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#"
    )
    home = Path(settings["WorkingDirectory"])
    assert f"cd {home}" in steps and "git clone" in steps
    user = settings["User"]
    assert re.search(rf"useradd .*\b{user}$", steps, re.M), "the service user is created"
    # the interpreter ExecStart names is built by a make target (which makes .venv)
    assert settings["ExecStart"].startswith(f"{home}/.venv/bin/python -m bot run")
    assert re.search(r"^sudo make \w+", steps, re.M)
    made = set(re.findall(r"mkdir -p (\S+)", steps)) | {"knowledge"}  # knowledge/ is in git
    owned = re.search(rf"chown -R {user}: (.+)$", steps, re.M)
    assert owned
    for path in settings["ReadWritePaths"].split():
        if path.startswith("-"):  # systemd skips a missing one
            continue
        relative = Path(path).relative_to(home)
        assert str(relative) in made, f"{path} is never created"
        assert str(relative) in owned.group(1).split(), f"{path} is not given to {user}"


def test_the_readme_quotes_the_storage_off_message_the_bot_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quoted log line is the one the code writes for clinicbot and a root-owned data/.

    (tests/store/test_store_ownership.py plays root and another user for real.)
    """
    from bot.store import files

    section = _systemd_section()
    quoted = re.search(r"`(Storage is OFF: .*?)`\.", section, re.S)
    assert quoted
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    monkeypatch.setattr(files.os, "access", lambda *_a, **_k: False)
    monkeypatch.setattr(files.os, "geteuid", lambda: 4242)
    monkeypatch.setattr(files, "_user_name", lambda uid: "clinicbot" if uid == 4242 else "root")
    logged = f"Storage is OFF: {files.folder_access_advice(data)}"
    assert " ".join(quoted.group(1).split()) == logged.replace(str(data), "/opt/clinic-bot/data")


# -- every command people are told to type works on a fresh machine --------------------------

# Plain `python` lacks the packages on a fresh machine: only `.venv/bin/python` (or `make`) has
# them. A bare command is one not preceded by `.venv/bin/`.
BARE = re.compile(r"(?<!\.venv/bin/)\bpython3? -m bot\b")


def _bare_commands_in_strings(path: Path) -> list[str]:
    """Bare commands in a module's string constants (what it prints), docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and BARE.search(node.value)
    ]


def test_the_readme_and_the_knowledge_headers_never_say_plain_python() -> None:
    found = [
        f"README.md:{n}: {line}"
        for n, line in enumerate((ROOT / "README.md").read_text("utf-8").splitlines(), 1)
        if BARE.search(line)
    ]
    for path in sorted((ROOT / "knowledge").rglob("*.yaml")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith("#") and BARE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line}")
    assert found == []


def test_what_the_program_prints_never_says_plain_python() -> None:
    # bot/practitioner/ is another change's; its empty-report hint (report.py) is checked here
    others = {p for p in (ROOT / "bot" / "practitioner").glob("*.py") if p.name != "report.py"}
    found = [
        bare
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path not in others
        for bare in _bare_commands_in_strings(path)
    ]
    assert found == []


def test_the_bare_command_pattern_catches_what_it_should() -> None:
    assert BARE.search("run `python -m bot check`") and BARE.search("python3 -m bot report")
    assert not BARE.search("run `.venv/bin/python -m bot check`")
